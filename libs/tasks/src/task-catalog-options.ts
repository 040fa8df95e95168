/** What a task catalog is built from: the few settings that change which tasks exist and what they accept. */
export interface TaskCatalogOptions {
  /**
   * Host names `io.http` may call, exact and lower-case (`HTTP_ALLOWED_HOSTS`).
   * @defaultValue [] (no host: `io.http` refuses every URL)
   */
  httpAllowedHosts: readonly string[];
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
