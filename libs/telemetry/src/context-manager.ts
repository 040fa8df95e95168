import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

let registered = false;

/**
 * Makes `context.with` carry the active span across awaits in a thread or child process that
 * runs no SDK, so that log lines written by a task find its execute span. The SDK registers its
 * own manager in the main thread; this one is the same class, minus the SDK's start-up cost.
 */
export function ensureContextManager(): void {
  if (registered) return;
  registered = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/**
 * Called before the SDK starts: drops a manager registered by `ensureContextManager` so the SDK
 * can register its own without a duplicate-registration error.
 */
export function releaseContextManager(): void {
  if (registered) context.disable();
  registered = true;
}
