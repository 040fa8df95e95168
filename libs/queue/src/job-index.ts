import type { ChainableCommander } from 'ioredis';
import type { RedisConnection } from './redis-connection';
import { InvalidCursorError } from './errors';

/** One job as the index records it when it is enqueued. */
export interface JobIndexEntry {
  jobId: string;
  lane: string;
  tenant: string;
  task: string;
  /** When the job was created, in ms since the epoch: its place in every list. */
  createdAt: number;
}

/** One job as a page lists it. */
export interface IndexedJob {
  jobId: string;
  lane: string;
  createdAt: number;
}

/** Which jobs a page lists: one tenant's, or every tenant's when `tenant` is absent (the admin view). */
export interface JobIndexQuery {
  tenant?: string;
  task?: string;
}

export interface JobIndexPage {
  /** Newest first. */
  jobs: IndexedJob[];
  /** Pass to `page` for the next page; absent on the last page. */
  nextCursor?: string;
}

export interface JobIndexOptions {
  /** The connection whose MULTIs `add` joins (its script is defined on it). */
  redis: RedisConnection;
  /** QUEUE_PREFIX: keys live under `${prefix}:_switchyard:{job-index}:` (one Redis Cluster slot). */
  prefix: string;
  /**
   * Entries created longer ago than this are trimmed when their list next gets an entry, and a list
   * that gets none for this long expires. Keep it above JOB_DELAY_MAX_MS plus the longest retention.
   * @defaultValue 1296000000 (15 days)
   */
  maxAgeMs?: number;
  /**
   * Most entries one list keeps (the oldest go first); the all-tenants list holds every retained job,
   * so keep it above what the lanes retain. @defaultValue 250000
   */
  maxEntries?: number;
}

/**
 * Adds a batch of jobs to their four lists in one step, then trims each list touched by age and
 * count and renews its expiry. One ZADD per list and group of jobs with the same tenant and task (in
 * chunks that stay below Lua's `unpack` limit), not one per job and list: a batch of 500 jobs of one
 * tenant and task is 4 ZADDs, not 2,000 (each a command Redis dispatches, ~2 µs of its time per job and
 * list).
 *
 * KEYS: every list the batch touches. ARGV[1] entries scored below it are trimmed; ARGV[2] most
 * entries a list keeps; ARGV[3] a list's expiry (ms); then per group of jobs: the 1-based KEYS indexes
 * of its four lists, its number of jobs n, and n pairs of score and member.
 */
const INDEX_JOBS_LUA = `
local cutoff, maxEntries, ttl = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local i = 4
while i <= #ARGV do
  local first = i + 5
  local last = i + 4 + 2 * tonumber(ARGV[i + 4])
  for k = i, i + 3 do
    local key = KEYS[tonumber(ARGV[k])]
    for from = first, last, 4000 do
      redis.call('ZADD', key, unpack(ARGV, from, math.min(from + 3999, last)))
    end
  end
  i = last + 1
end
for _, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. cutoff)
  redis.call('ZREMRANGEBYRANK', key, 0, -maxEntries - 1)
  redis.call('PEXPIRE', key, ttl)
end
return #KEYS
`;

const COMMAND = 'switchyardIndexJobs';
const MAX_CURSOR_CHARS = 1_024;
const MAX_PAGE = 1_000;

/** The script as `defineCommand` adds it: queued on a MULTI, or sent at once on the connection. */
interface IndexCommand<Returns = ChainableCommander> {
  [COMMAND](numKeys: number, ...args: (string | number)[]): Returns;
}

interface Position {
  score: number;
  member: string;
}

/**
 * Lists jobs newest first without scanning a lane: sorted sets per tenant, per tenant and task, and
 * the same for all tenants, scored by creation time, whose members are `${lane}:${jobId}` (the lane
 * lets the reader fetch a job from its own queue). A page is one ZRANGE, O(log N + limit); after a
 * cursor, two in one MULTI.
 *
 * Entries whose job is gone (retention) stay until a reader reports them with `remove`, or age out.
 */
export class JobIndex {
  private readonly maxAgeMs: number;
  private readonly maxEntries: number;

  constructor(private readonly options: JobIndexOptions) {
    this.maxAgeMs = options.maxAgeMs ?? 1_296_000_000;
    this.maxEntries = options.maxEntries ?? 250_000;
    if (!Number.isSafeInteger(this.maxAgeMs) || this.maxAgeMs < 1)
      throw new RangeError('options.maxAgeMs must be a positive integer');
    if (!Number.isSafeInteger(this.maxEntries) || this.maxEntries < 1)
      throw new RangeError('options.maxEntries must be a positive integer');
    options.redis.defineCommand(COMMAND, { lua: INDEX_JOBS_LUA });
  }

  /**
   * Appends one EVALSHA indexing `entries` to the caller's MULTI, so the jobs and their index entries
   * are written together. The MULTI must come from the Redis given to this index.
   */
  add(multi: ChainableCommander, entries: readonly JobIndexEntry[], now = Date.now()): void {
    if (entries.length === 0) return;
    if (typeof (multi as Partial<IndexCommand>)[COMMAND] !== 'function') {
      throw new Error(
        'JobIndex.add needs a MULTI made from the Redis given to the JobIndex (its script is defined there)',
      );
    }
    (multi as ChainableCommander & IndexCommand)[COMMAND](...this.scriptArgs(entries, now));
  }

  /**
   * Indexes `entries` at once, on the index's own connection: for jobs already written, one by one
   * (a MULTI of a single command would only add the transaction's cost).
   */
  async write(entries: readonly JobIndexEntry[], now = Date.now()): Promise<void> {
    if (entries.length === 0) return;
    await (this.options.redis as unknown as IndexCommand<Promise<number>>)[COMMAND](
      ...this.scriptArgs(entries, now),
    );
  }

  /** The script's `numKeys`, KEYS and ARGV for `entries`. */
  private scriptArgs(entries: readonly JobIndexEntry[], now: number): [number, ...(string | number)[]] {
    const keys: string[] = [];
    const keyIndexes = new Map<string, number>();
    const indexOf = (key: string) => {
      let index = keyIndexes.get(key);
      if (index === undefined) {
        index = keys.push(key);
        keyIndexes.set(key, index);
      }
      return index;
    };
    // Jobs grouped by tenant, then task: a group's four lists are named once, not once per job.
    const groups = new Map<string, Map<string, (string | number)[]>>();
    for (const entry of entries) {
      if (!Number.isSafeInteger(entry.createdAt) || entry.createdAt < 0 || !/^[^:]+$/.test(entry.lane)) {
        throw new RangeError(
          `job ${entry.jobId}: createdAt must be ms since the epoch and the lane a name without ":"`,
        );
      }
      let byTask = groups.get(entry.tenant);
      if (!byTask) groups.set(entry.tenant, (byTask = new Map()));
      let members = byTask.get(entry.task);
      if (!members) byTask.set(entry.task, (members = []));
      members.push(entry.createdAt, `${entry.lane}:${entry.jobId}`);
    }
    const jobArgs: (string | number)[] = [];
    for (const [tenant, byTask] of groups) {
      for (const [task, members] of byTask) {
        const lists = [{}, { task }, { tenant }, { tenant, task }].map((query) =>
          indexOf(this.listKey(query)),
        );
        jobArgs.push(...lists, members.length / 2);
        for (const member of members) jobArgs.push(member);
      }
    }
    return [keys.length, ...keys, now - this.maxAgeMs, this.maxEntries, this.maxAgeMs, ...jobArgs];
  }

  /**
   * Up to `limit` jobs (1 to 1,000) matching `query`, newest first, after `cursor`. Jobs created
   * while a client pages are never repeated and never make it skip one.
   * @throws InvalidCursorError for any cursor this index did not hand out.
   */
  async page(query: JobIndexQuery, cursor: string | undefined, limit: number): Promise<JobIndexPage> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw new RangeError(`limit must be an integer from 1 to ${MAX_PAGE}`);
    }
    const key = this.listKey(query);
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const found = after ? await this.readAfter(key, after, limit + 1) : await this.readNewest(key, limit + 1);
    const jobs = found.slice(0, limit).map(toIndexedJob);
    return found.length > limit ? { jobs, nextCursor: this.cursorAfter(jobs[jobs.length - 1]) } : { jobs };
  }

  /** A cursor for the jobs after `job`, for a reader that stops inside a page (e.g. filtering by state). */
  cursorAfter(job: IndexedJob): string {
    return Buffer.from(JSON.stringify([job.createdAt, `${job.lane}:${job.jobId}`])).toString('base64url');
  }

  /**
   * Drops jobs a reader found gone (retention removed them) from the list `query` reads, so the
   * next reads skip them; other lists heal the same way when they are read, or age out.
   */
  async remove(query: JobIndexQuery, jobs: readonly IndexedJob[]): Promise<number> {
    if (jobs.length === 0) return 0;
    return this.options.redis.zrem(this.listKey(query), ...jobs.map((job) => `${job.lane}:${job.jobId}`));
  }

  private async readNewest(key: string, count: number): Promise<Position[]> {
    return toPositions(
      await this.options.redis.zrange(key, '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, count, 'WITHSCORES'),
    );
  }

  /**
   * Members sharing the cursor's score (jobs created in the same millisecond) are ordered by their
   * bytes, as Redis orders them, so they are read whole (as many as were created in that one
   * millisecond) and filtered here; the rest come from one range below that score. One MULTI, so
   * both reads see the same list.
   */
  private async readAfter(key: string, after: Position, count: number): Promise<Position[]> {
    const replies = await this.options.redis
      .multi()
      .zrange(key, after.score, String(after.score), 'BYSCORE')
      .zrange(key, `(${after.score}`, '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, count, 'WITHSCORES')
      .exec();
    const [ties, older] = (replies ?? []).map(([error, reply]) => {
      if (error) throw error;
      return reply as string[];
    });
    const cursorBytes = Buffer.from(after.member);
    const sameScore = ties
      .filter((member) => Buffer.compare(Buffer.from(member), cursorBytes) < 0)
      .reverse()
      .map((member) => ({ score: after.score, member }));
    return [...sameScore, ...toPositions(older)].slice(0, count);
  }

  private listKey(query: JobIndexQuery): string {
    const owner = query.tenant === undefined ? 'all' : `tenant:${encodeURIComponent(query.tenant)}`;
    const task = query.task === undefined ? '' : `:task:${encodeURIComponent(query.task)}`;
    // One hash tag for every list: the script that indexes a batch writes four of them at once.
    return `${this.options.prefix}:_switchyard:{job-index}:${owner}${task}`;
  }
}

function toPositions(flat: string[]): Position[] {
  const positions: Position[] = [];
  for (let index = 0; index + 1 < flat.length; index += 2) {
    positions.push({ member: flat[index], score: Number(flat[index + 1]) });
  }
  return positions;
}

function toIndexedJob({ score, member }: Position): IndexedJob {
  const colon = member.indexOf(':');
  return { lane: member.slice(0, colon), jobId: member.slice(colon + 1), createdAt: score };
}

function decodeCursor(raw: string): Position {
  if (raw.length === 0 || raw.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(raw)) {
    throw new InvalidCursorError();
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw new InvalidCursorError();
  const [score, member] = decoded as unknown[];
  if (
    !Number.isSafeInteger(score) ||
    (score as number) < 0 ||
    typeof member !== 'string' ||
    !/^[^:]+:.+$/s.test(member)
  ) {
    throw new InvalidCursorError();
  }
  return { score: score as number, member };
}
