import { QueueKeys } from 'bullmq';
import { laneQueuePrefix } from '@switchyard/queue';
import { Redis } from 'ioredis';
import type { JobProgress } from '@switchyard/contracts';

/** One entry of a lane's BullMQ event stream: `active`, `progress`, `stalled`, `waiting`, `completed`… */
export interface LaneEvent {
  event: string;
  jobId: string;
  /** The state a `waiting` or `active` job came from. */
  prev?: string;
  /** A `progress` event's JSON. */
  data?: string;
}

const PAGE = 5_000;

/**
 * Every event BullMQ recorded for a lane, read after the fact from its stream (XRANGE), so nothing
 * depends on a listener keeping up through crashes and outages. The stream is capped at about 10,000
 * entries: scenarios stay well below, and `assertCoversJobs` tells when one did not.
 */
export async function readLaneEvents(redisUrl: string, prefix: string, lane: string): Promise<LaneEvent[]> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const key = new QueueKeys(laneQueuePrefix(prefix, lane)).toKey(lane, 'events');
  const events: LaneEvent[] = [];
  try {
    let start = '-';
    for (;;) {
      const page = await redis.xrange(key, start, '+', 'COUNT', PAGE);
      for (const [, fields] of page) {
        const entry: Record<string, string> = {};
        for (let index = 0; index + 1 < fields.length; index += 2) entry[fields[index]] = fields[index + 1];
        events.push({ event: entry.event, jobId: entry.jobId, prev: entry.prev, data: entry.data });
      }
      if (page.length < PAGE) return events;
      start = `(${page[page.length - 1][0]}`;
    }
  } finally {
    redis.disconnect();
  }
}

/** How many events per job id match. */
export function countPerJob(events: readonly LaneEvent[], matches: (event: LaneEvent) => boolean) {
  const counts = new Map<string, number>();
  for (const event of events) {
    if (matches(event)) counts.set(event.jobId, (counts.get(event.jobId) ?? 0) + 1);
  }
  return counts;
}

/**
 * A compute consumer writes one progress event with percent 0 and the thread or child that took the
 * job, the moment its executor starts the handler: one per run of the task.
 */
export function isExecutionStart(event: LaneEvent): boolean {
  if (event.event !== 'progress' || !event.data) return false;
  const progress = JSON.parse(event.data) as JobProgress;
  return progress.percent === 0 && progress.execution !== undefined;
}

/** Every job must have left at least one matching event; otherwise the stream was trimmed. */
export function assertCoversJobs(
  counts: ReadonlyMap<string, number>,
  ids: readonly string[],
  what: string,
): void {
  const missing = ids.filter((id) => !counts.has(id));
  if (missing.length > 0) {
    throw new Error(
      `${missing.length} of ${ids.length} jobs left no ${what} in the lane's event stream (trimmed?), e.g. ${missing[0]}`,
    );
  }
}
