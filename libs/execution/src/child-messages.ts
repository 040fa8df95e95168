import type { AttemptContext } from '@switchyard/contracts';
import type { TaskCatalogOptions } from '@switchyard/tasks';
import type { RunEvent, RunReply } from './remote-run';

/** Parent → child over the IPC channel: the attempt as the lane worker built it. */
export interface ChildRunMessage {
  type: 'run';
  attempt: AttemptContext;
}

/** Child → parent: ready once the catalog is built, then events and one reply per run. */
export type ChildMessage = { type: 'ready' } | RunEvent | { type: 'reply'; reply: RunReply };

/** What the parent passes to a child, as its only argument (JSON). */
export interface ChildSettings {
  catalog: TaskCatalogOptions;
  progressIntervalMs: number;
}
