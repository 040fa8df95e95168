/**
 * The light entry for code that runs inside a worker thread or child process
 * (`@switchyard/telemetry/worker`): it never loads the OpenTelemetry SDK, which would cost every
 * thread ~200 ms and ~25 MB. The main entry re-exports all of it.
 */
export {
  executeSpanStart,
  runInExecuteSpan,
  type ExecuteSpanOpening,
  type RunInExecuteSpanOptions,
} from './run-in-execute-span';
export {
  executeOutcomeOf,
  type ExecuteOutcome,
  type ExecuteSpanRecord,
  type ExecuteSpanStart,
} from './execute-span-record';
export { createLogger, type Logger, type LoggerOptions } from './create-logger';
export {
  describeError,
  ERRORS_WITH_SAFE_MESSAGES,
  type ErrorDescription,
} from './redaction/error-description';
