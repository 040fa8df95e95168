import type { JobView, ListJobsQuery } from '@switchyard/contracts';
import type { IndexedJob, JobIndex } from './job-index';
import type { JobPage, JobScope } from './job-reader';

/** A filtered page reads at most this many index entries per limit asked: a bounded scan, not a lane walk. */
const SCAN_FACTOR = 10;
const MAX_INDEX_READ = 1_000;

/**
 * One page of a tenant's (or a task's) jobs, newest first, from the job index. `state` and `lane` are
 * filtered after reading, over at most `SCAN_FACTOR × limit` entries: a sparse filter can return a short
 * page with a `nextCursor`, never a slow one. Entries whose job retention removed are dropped from the index.
 * @throws InvalidCursorError for a cursor the index did not hand out.
 */
export async function listIndexed(
  index: JobIndex,
  query: ListJobsQuery,
  scope: JobScope,
  viewOf: (entry: IndexedJob) => Promise<JobView | 'missing' | undefined>,
): Promise<JobPage> {
  const indexQuery = { tenant: scope.tenant, task: query.task };
  const budget = query.limit * SCAN_FACTOR;
  const jobs: JobView[] = [];
  let cursor = query.cursor;
  let examined = 0;
  for (;;) {
    const page = await index.page(indexQuery, cursor, Math.min(MAX_INDEX_READ, budget - examined));
    const wanted = page.jobs.filter((entry) => !query.lane || entry.lane === query.lane);
    const views = new Map(
      await Promise.all(wanted.map(async (entry) => [entry, await viewOf(entry)] as const)),
    );
    const missing = [...views].filter(([, view]) => view === 'missing').map(([entry]) => entry);
    if (missing.length > 0) await index.remove(indexQuery, missing);
    for (const entry of page.jobs) {
      examined++;
      const view = views.get(entry);
      if (!view || view === 'missing' || (query.state && view.state !== query.state)) continue;
      jobs.push(view);
      if (jobs.length === query.limit) return { jobs, nextCursor: index.cursorAfter(entry) };
    }
    if (!page.nextCursor) return { jobs };
    cursor = page.nextCursor;
    if (examined >= budget) return { jobs, nextCursor: cursor };
  }
}
