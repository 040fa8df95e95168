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
  /**
   * task → lane → profile → model → outcome → label set: a lookup per label, no key string built per
   * call (several per job on a consumer's event loop).
   */
  #sets: LabelTree = new Map();
  /**
   * The last job's subtree (model → outcome → label set) and its labels: a consumer sees the same
   * task, lane and profile job after job, and asks for several label sets of each job.
   */
  #last?: { task: string; lane: string; profile: Profile; byModel: ModelTree };
  /**
   * One object per distinct label content, kept across `limitTasks`: two task names both labelled
   * `unknown` get the same object, so counts kept per object (see `CollectedCounter`) never split a series.
   */
  readonly #canonical = new Map<string, Readonly<Attributes>>();

  /** Any other task is labelled `UNKNOWN_TASK_LABEL`. */
  limitTasks(tasks: Iterable<string>): void {
    this.#knownTasks = new Set(tasks);
    this.#sets = new Map();
    this.#last = undefined;
  }

  get(
    task: string,
    lane: string,
    profile: Profile,
    model?: ExecutionModel,
    outcome?: ExecuteOutcome,
  ): Readonly<Attributes> {
    const byOutcome = branch(this.#byModel(task, lane, profile), model ?? '');
    let attributes = byOutcome.get(outcome ?? '');
    if (!attributes) {
      const built = this.#build(task, lane, profile, model, outcome);
      const content = `${String(built[SwitchyardAttributes.Task])}\u0000${lane}\u0000${profile}\u0000${model ?? ''}\u0000${outcome ?? ''}`;
      attributes = this.#canonical.get(content) ?? Object.freeze(built);
      this.#canonical.set(content, attributes);
      byOutcome.set(outcome ?? '', attributes);
    }
    return attributes;
  }

  #byModel(task: string, lane: string, profile: Profile): ModelTree {
    const last = this.#last;
    if (last?.task === task && last.lane === lane && last.profile === profile) return last.byModel;
    const byModel = branch(branch(branch(this.#sets, task), lane), profile);
    this.#last = { task, lane, profile, byModel };
    return byModel;
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

/** Label sets by model and outcome (`''` for none). */
type ModelTree = Map<string, Map<string, Readonly<Attributes>>>;
/** Label sets by task, lane, profile, model and outcome, one Map per level. */
type LabelTree = Map<string, Map<string, Map<string, ModelTree>>>;

/** The subtree under `value`, made on first use. */
function branch<T>(tree: Map<string, Map<string, T>>, value: string): Map<string, T> {
  let next = tree.get(value);
  if (!next) {
    next = new Map();
    tree.set(value, next);
  }
  return next;
}
