export { TaskCatalog, type TaskDescription } from './task-catalog';
export type { TaskCatalogOptions } from './task-catalog-options';
export {
  createTaskCatalog,
  catalogOptionsFrom,
  catalogOptionsFromEnv,
  taskCatalogFromEnv,
  type CatalogSettings,
} from './create-task-catalog';
export { InvalidTaskPayloadError, TaskRegistrationError, type PayloadIssue } from './errors';
export {
  ALWAYS_REDACTED_HEADERS,
  AddressPolicy,
  IO_HTTP_UNREACHABLE_MESSAGE,
  IoHttpUnreachableError,
  REDACTED,
  httpUrlRefusal,
  systemHostLookup,
  type HostLookup,
  type HttpAllowedCidr,
  type HttpAllowedHost,
  type ResolvedAddress,
} from './http-guard';
export {
  IO_HTTP_MAX_BODY_BYTES,
  createIoHttpTask,
  type IoHttpPayload,
  type IoHttpResult,
  type IoHttpTaskOptions,
} from './tasks/io-http.task';
export type { IoSleepPayload, IoSleepResult } from './tasks/io-sleep.task';
export type { CpuPrimesPayload, CpuPrimesResult } from './tasks/cpu-primes.task';
export type { CpuHashPayload, CpuHashResult } from './tasks/cpu-hash.task';
export type { CpuMandelbrotPayload, CpuMandelbrotResult } from './tasks/cpu-mandelbrot.task';
export type { CpuMatmulPayload, CpuMatmulResult } from './tasks/cpu-matmul.task';
export { DiagnosticCrashError, type DiagCrashPayload } from './tasks/diag-crash.task';
export type { DiagSpinPayload, DiagSpinResult } from './tasks/diag-spin.task';
