import type { Attributes } from '@opentelemetry/api';
import { SwitchyardAttributes, type ExecutionModel, type Profile } from '@switchyard/contracts';
import type { ExecuteOutcome } from './execute-span-record';

/** The task label of a name outside the known tasks (see `limitTaskLabels`). */
export const UNKNOWN_TASK_LABEL = 'unknown';

/**
 * The metric attributes of job series, one frozen object per label set, so that recording an
 * attempt builds no attribute object (and the SDK's allowlist view passes it through as it is).
 * There are as many as there are series: tasks × lanes × profiles × models × outcomes.
 */
export class JobLabelSets {
  #knownTasks?: ReadonlySet<string>;
  readonly #sets = new Map<string, Readonly<Attributes>>();
  /**
   * One object per distinct label content, kept across `limitTasks`: two task names both labelled
   * `unknown` get the same object, so counts kept per object (see `CollectedCounter`) never split a series.
   */
  readonly #canonical = new Map<string, Readonly<Attributes>>();

  /** Any other task is labelled `UNKNOWN_TASK_LABEL`. */
  limitTasks(tasks: Iterable<string>): void {
    this.#knownTasks = new Set(tasks);
    this.#sets.clear();
  }

  get(
    task: string,
    lane: string,
    profile: Profile,
    model?: ExecutionModel,
    outcome?: ExecuteOutcome,
  ): Readonly<Attributes> {
    const key = `${task}\u0000${lane}\u0000${profile}\u0000${model ?? ''}\u0000${outcome ?? ''}`;
    let attributes = this.#sets.get(key);
    if (!attributes) {
      const built = this.#build(task, lane, profile, model, outcome);
      const content = `${String(built[SwitchyardAttributes.Task])}\u0000${lane}\u0000${profile}\u0000${model ?? ''}\u0000${outcome ?? ''}`;
      attributes = this.#canonical.get(content) ?? Object.freeze(built);
      this.#canonical.set(content, attributes);
      this.#sets.set(key, attributes);
    }
    return attributes;
  }

  #build(
    task: string,
    lane: string,
    profile: Profile,
    model?: ExecutionModel,
    outcome?: ExecuteOutcome,
  ): Attributes {
    const known = !this.#knownTasks || this.#knownTasks.has(task);
    const attributes: Attributes = {
      [SwitchyardAttributes.Task]: known ? task : UNKNOWN_TASK_LABEL,
      [SwitchyardAttributes.Lane]: lane,
      [SwitchyardAttributes.Profile]: profile,
    };
    if (model) attributes[SwitchyardAttributes.ExecutionModel] = model;
    if (outcome) attributes[SwitchyardAttributes.Outcome] = outcome;
    return attributes;
  }
}
