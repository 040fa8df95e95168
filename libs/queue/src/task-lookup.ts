import type { TaskDefinition } from '@switchyard/contracts';

/** The part of the task catalog the queue layer needs. */
export interface TaskLookup {
  has(name: string): boolean;
  get(name: string): TaskDefinition;
  names(): string[];
}
