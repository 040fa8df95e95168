import type { JobData, JobResultEnvelope, JobView, LaneStats, ListJobsQuery } from '@switchyard/contracts';
import type { Job, JobType } from 'bullmq';
import type { RedisConnection } from './redis-connection';
import { InvalidCursorError, InvalidJobQueryError, JobNotFoundError } from './errors';
import type { IndexedJob, JobIndex } from './job-index';
import { listIndexed } from './indexed-job-list';
import { toJobView, type CancellationRecord, type ViewLinks } from './job-view-mapper';
import type { LaneQueues } from './lane-queues';
import type { SwitchyardKeys } from './switchyard-keys';

type LaneJob = Job<JobData, JobResultEnvelope>;

const STATE_TYPES: Record<ListJobsQuery['state'] & string, JobType[]> = {
  waiting: ['wait', 'prioritized'],
  delayed: ['delayed'],
  active: ['active'],
  completed: ['completed'],
  failed: ['failed'],
  cancelled: ['failed'],
};
const ALL_TYPES: JobType[] = ['active', 'wait', 'prioritized', 'delayed', 'completed', 'failed'];

interface Cursor {
  lane: number;
  offset: number;
}

/** Whose jobs a caller may see: one tenant's, or every tenant's (`tenant` undefined: admin). */
export interface JobScope {
  tenant?: string;
}

/** Job ids are the UUIDs `POST /v1/jobs` made; anything else (a BullMQ key name, say) is no job of ours. */
const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Deeper than any lane's retention: a cursor past it is not one this API made. */
const MAX_CURSOR_OFFSET = 100_000_000;

export function isJobId(id: string): boolean {
  return JOB_ID.test(id);
}

export interface JobPage {
  jobs: JobView[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

/** Reads jobs across every lane: views, pages and lane counts. */
export class JobReader {
  constructor(
    private readonly queues: LaneQueues,
    private readonly redis: RedisConnection,
    private readonly keys: SwitchyardKeys,
    private readonly links: ViewLinks = {},
    /** Lists one tenant's jobs, or one task's, without scanning the lanes. @defaultValue lanes are scanned */
    private readonly index?: JobIndex,
  ) {}

  /** The job, when it exists and `scope` may see it. */
  async find(id: string, scope: JobScope = {}): Promise<LaneJob | undefined> {
    if (!isJobId(id)) return undefined;
    const found = await Promise.all(
      this.queues.all().map((queue) => queue.getJob(id) as Promise<LaneJob | undefined>),
    );
    const job = found.find((candidate) => candidate !== undefined);
    return job && visible(job.data, scope) ? job : undefined;
  }

  async cancellation(id: string): Promise<CancellationRecord | undefined> {
    const raw = await this.redis.get(this.keys.cancellation(id));
    return raw ? (JSON.parse(raw) as CancellationRecord) : undefined;
  }

  /** @throws JobNotFoundError when no lane has the job (and it was not cancelled while waiting). */
  async view(id: string, scope: JobScope = {}): Promise<JobView> {
    if (!isJobId(id)) throw new JobNotFoundError(id, false);
    const [job, cancellation] = await Promise.all([this.find(id, scope), this.cancellation(id)]);
    if (job) return this.toView(job, cancellation);
    if (cancellation?.removed && visible(cancellation.removed, scope)) return cancellation.removed;
    throw new JobNotFoundError(id, true);
  }

  /** `cancellation`: the job's record when already read; else it is read only for a failed job. */
  async toView(job: LaneJob, cancellation?: CancellationRecord): Promise<JobView> {
    const state = await job.getState();
    const record = cancellation ?? (state === 'failed' ? await this.cancellation(job.id ?? '') : undefined);
    // The job was read before it finished and its state after: read it again for its result or error.
    const settled =
      (state === 'completed' || state === 'failed') && job.finishedOn === undefined
        ? (((await this.queues.get(job.queueName).getJob(job.id ?? '')) as LaneJob | undefined) ?? job)
        : job;
    return toJobView(settled, state, record, this.links);
  }

  /** @throws InvalidJobQueryError for a lane not in LANES; InvalidCursorError for a cursor not handed out here. */
  async list(query: ListJobsQuery, scope: JobScope = {}): Promise<JobPage> {
    if (query.lane !== undefined && !this.queues.lanes.includes(query.lane)) {
      const mustBe = `must be one of: ${this.queues.lanes.join(', ')}`;
      throw new InvalidJobQueryError(`lane ${mustBe}`, [{ path: 'lane', message: mustBe }]);
    }
    // BullMQ's own per-state lists answer an admin's unfiltered page; a tenant's or a task's page
    // comes from the index, which a lane scan could not match at 100,000 retained jobs.
    if (this.index && (scope.tenant !== undefined || query.task !== undefined)) {
      return listIndexed(this.index, query, scope, (entry) => this.indexedView(entry));
    }
    const lanes = query.lane ? [query.lane] : this.queues.lanes;
    const types = query.state ? STATE_TYPES[query.state] : ALL_TYPES;
    const cursor = decodeCursor(query.cursor, lanes.length);
    const jobs: JobView[] = [];
    const chunk = Math.max(query.limit, 50);
    for (let laneIndex = cursor.lane; laneIndex < lanes.length; laneIndex++) {
      const queue = this.queues.get(lanes[laneIndex]);
      let offset = laneIndex === cursor.lane ? cursor.offset : 0;
      for (;;) {
        const page = (await queue.getJobs(types, offset, offset + chunk - 1, false)) as LaneJob[];
        const views = await Promise.all(
          page.map((job) =>
            job && (!query.task || job.data.task === query.task) && visible(job.data, scope)
              ? this.toView(job)
              : undefined,
          ),
        );
        for (const [position, view] of views.entries()) {
          if (!view || (query.state && view.state !== query.state)) continue;
          jobs.push(view);
          if (jobs.length === query.limit) {
            return { jobs, nextCursor: encodeCursor({ lane: laneIndex, offset: offset + position + 1 }) };
          }
        }
        if (page.length < chunk) break;
        offset += chunk;
      }
    }
    return { jobs };
  }

  /** The view of an indexed job; `missing` when retention removed it (the index then forgets it). */
  private async indexedView(entry: IndexedJob): Promise<JobView | 'missing' | undefined> {
    if (!this.queues.lanes.includes(entry.lane)) return undefined; // a lane no longer configured
    const job = (await this.queues.get(entry.lane).getJob(entry.jobId)) as LaneJob | undefined;
    if (job) return this.toView(job);
    return (await this.cancellation(entry.jobId))?.removed ?? 'missing';
  }

  /** Each lane's counts, workers and whether it is paused (`POST /v1/queues/:lane/pause`). */
  async laneStats(): Promise<LaneStats[]> {
    const [counts, workers, paused] = await Promise.all([
      this.queues.counts(),
      Promise.all(this.queues.all().map((queue) => queue.getWorkersCount())),
      Promise.all(this.queues.all().map((queue) => queue.isPaused())),
    ]);
    return counts.map((lane, index) => ({ ...lane, workers: workers[index], paused: paused[index] }));
  }
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** Jobs without a tenant were stored before tenants existed: they are the anonymous tenant's. */
function visible(job: { tenant?: string }, scope: JobScope): boolean {
  return scope.tenant === undefined || (job.tenant ?? 'anonymous') === scope.tenant;
}

function decodeCursor(raw: string | undefined, lanes: number): Cursor {
  if (!raw) return { lane: 0, offset: 0 };
  try {
    const cursor = JSON.parse(Buffer.from(raw, 'base64url').toString()) as Cursor;
    if (
      Number.isSafeInteger(cursor.lane) &&
      Number.isSafeInteger(cursor.offset) &&
      cursor.lane >= 0 &&
      cursor.lane < lanes &&
      cursor.offset >= 0 &&
      cursor.offset <= MAX_CURSOR_OFFSET
    )
      return cursor;
  } catch {
    // reported below
  }
  throw new InvalidCursorError();
}
