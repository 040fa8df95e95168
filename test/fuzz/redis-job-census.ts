import { Redis } from 'ioredis';

/** One BullMQ job hash found in Redis. */
export interface StoredJob {
  id: string;
  key: string;
  name: string;
  /** BullMQ's stored options (priority, delay…), to tell what an unexpected job was. */
  opts: string;
}

const SCAN_BATCH = 1_000;

/**
 * Every BullMQ job hash under a stack's prefix, whatever the key layout (hash tags included): a hash
 * with `name`, `data` and `timestamp` fields is a job, and its id is the key's last segment. Jobs are
 * kept for the whole run (retention is raised), so this is every job ever enqueued.
 */
export async function storedJobs(redisUrl: string, prefix: string): Promise<StoredJob[]> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const jobs: StoredJob[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', SCAN_BATCH);
      cursor = next;
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.hmget(key, 'name', 'data', 'timestamp', 'opts');
      const fields = (await pipeline.exec()) ?? [];
      for (const [index, [error, values]] of fields.entries()) {
        const [name, data, timestamp, opts] = (values ?? []) as (string | null)[];
        if (error || name === null || data === null || timestamp === null) continue;
        const key = keys[index];
        jobs.push({ id: key.slice(key.lastIndexOf(':') + 1), key, name, opts: opts ?? '' });
      }
    } while (cursor !== '0');
    return jobs;
  } finally {
    redis.disconnect();
  }
}
