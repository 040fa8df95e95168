import type { JobState, JobView } from '@switchyard/contracts';
import { JobNotFoundError, TooManyJobWatchesError } from './errors';
import type { LaneEvents } from './lane-events';
import type { JobReader, JobScope } from './job-reader';

/** What a job event stream sends: a state change, a progress step, or the job's end (its last event). */
export type JobEventKind = 'state' | 'progress' | 'completed' | 'failed' | 'cancelled';

export interface JobEvent {
  kind: JobEventKind;
  /** The job's view at that moment, redacted as `GET /v1/jobs/:id` shows it. */
  view: JobView;
}

export interface JobWatcherOptions {
  /** Event streams and waiting reads this process holds at once; past it they are refused. */
  maxWatches: number;
  /**
   * How often a followed job is read again without an event: a stream whose events were lost (the
   * reader reconnecting) still ends when its job does. @defaultValue 15000
   */
  recheckMs?: number;
}

/** An open follow of one job; `close` is safe to call twice and is called by itself once the job ends. */
export interface JobFollow {
  /** Resolves once the follow is closed: the job ended, or `close` was called. */
  readonly closed: Promise<void>;
  close(): void;
}

const FINAL_STATES: ReadonlySet<JobState> = new Set(['completed', 'failed', 'cancelled']);

export function isFinalState(state: JobState): state is 'completed' | 'failed' | 'cancelled' {
  return FINAL_STATES.has(state);
}

/**
 * Follows jobs through the lanes' shared event readers: a stream of a job's views as it changes, or one
 * read that waits for its end. Each follow re-reads the job's view on every event of it (one read at a
 * time, the latest event wins), so what it sends is exactly what `GET /v1/jobs/:id` would show.
 */
export class JobWatcher {
  private watches = 0;

  constructor(
    private readonly reader: JobReader,
    private readonly events: LaneEvents,
    private readonly options: JobWatcherOptions,
  ) {}

  /** Follows open now (event streams and waiting reads). */
  get openWatches(): number {
    return this.watches;
  }

  /**
   * Sends the job's current view (`state`, or its end when it already ended), then each change, and
   * closes itself after the job's end.
   * @throws JobNotFoundError for a job `scope` cannot see; TooManyJobWatchesError past `maxWatches`.
   */
  async follow(id: string, scope: JobScope, send: (event: JobEvent) => void): Promise<JobFollow> {
    if (this.watches >= this.options.maxWatches) throw new TooManyJobWatchesError(this.options.maxWatches);
    this.watches++;
    let closed = false;
    let release = () => {};
    const ended = new Promise<void>((resolve) => (release = resolve));
    let last: JobView | undefined;
    let reading: Promise<void> | undefined;
    let again = false;
    const close = () => {
      if (closed) return;
      closed = true;
      unwatch();
      clearInterval(recheck);
      this.watches--;
      release();
    };
    const publish = (view: JobView) => {
      if (closed) return;
      const kind = eventKind(last, view);
      last = view;
      if (kind) send({ kind, view });
      if (isFinalState(view.state)) close();
    };
    // One read at a time, in order: a slow read can never publish an older view after a newer one.
    const read = (view: Promise<JobView>, failed: (error: unknown) => void) => {
      reading = view.then(publish, failed).finally(() => {
        reading = undefined;
        if (again) {
          again = false;
          refresh();
        }
      });
      return reading;
    };
    const refresh = () => {
      if (closed) return;
      if (reading) {
        again = true;
        return;
      }
      // Gone (its retention removed it): the follow ends. Redis away: the next event or recheck reads again.
      void read(this.reader.view(id), (error) => error instanceof JobNotFoundError && close());
    };
    // Watch before the first read: an event between the two is not lost, it only causes a second read.
    const unwatch = this.events.watch(id, refresh);
    const recheck = setInterval(refresh, this.options.recheckMs ?? 15_000);
    recheck.unref();
    // The readers start with the first watch: an event is heard only once they read.
    await this.events.waitUntilReady();
    let refused: { error: unknown } | undefined;
    await read(this.reader.view(id, scope), (error) => {
      refused = { error };
      close();
    });
    if (refused) throw refused.error;
    return { closed: ended, close };
  }

  /**
   * The job's view as soon as it ends, or when `waitMs` has passed, whichever comes first.
   * @throws as `follow` does.
   */
  async viewWhenFinished(id: string, scope: JobScope, waitMs: number): Promise<JobView> {
    if (waitMs <= 0) return this.reader.view(id, scope);
    let latest: JobView | undefined;
    const follow = await this.follow(id, scope, ({ view }) => (latest = view));
    const timer = setTimeout(() => follow.close(), waitMs);
    await follow.closed;
    clearTimeout(timer);
    // A follow that ended on its job's end holds the final view; one cut by the timer reads it afresh.
    return latest && isFinalState(latest.state) ? latest : this.reader.view(id, scope);
  }
}

/** What changed between two views of a job, or undefined when nothing a client follows did. */
function eventKind(before: JobView | undefined, after: JobView): JobEventKind | undefined {
  if (isFinalState(after.state)) return after.state;
  if (!before || before.state !== after.state) return 'state';
  if (before.progress !== after.progress) return 'progress';
  return undefined;
}
