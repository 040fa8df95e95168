import type { HttpAllowedCidr, HttpAllowedHost } from './http-guard';

/**
 * What a task catalog is built from: the few settings that change which tasks exist and what they accept.
 * Plain data (it is copied into pool threads and child processes).
 */
export interface TaskCatalogOptions {
  /**
   * `host[:port]` entries `io.http` may call (`HTTP_ALLOWED_HOSTS`, parsed by the config schema).
   * @defaultValue [] (no host: `io.http` refuses every URL)
   */
  httpAllowedHosts: readonly HttpAllowedHost[];
  /**
   * Ranges `io.http` may connect to although loopback, private, link-local… (`HTTP_ALLOWED_CIDRS`).
   * @defaultValue [] (public addresses only)
   */
  httpAllowedCidrs?: readonly HttpAllowedCidr[];
  /**
   * Lower-case request header names `io.http` shows as "[redacted]", besides authorization, cookie,
   * proxy-authorization and x-api-key (`HTTP_REDACT_HEADERS`).
   * @defaultValue []
   */
  httpRedactHeaders?: readonly string[];
  /**
   * Registers `diag.crash` and `diag.spin`, used by tests and the scaling lab (`DIAGNOSTIC_TASKS`).
   * @defaultValue false
   */
  diagnosticTasks: boolean;
  /**
   * True only where `process.exit` ends a disposable worker (a pool thread or child process), never the
   * consumer itself. Without it, `diag.crash {mode: 'exit'}` refuses to run instead of killing the
   * consumer (the `event-loop` and `inline` models run handlers on the consumer's own thread).
   * @defaultValue false
   */
  allowProcessExit?: boolean;
}
