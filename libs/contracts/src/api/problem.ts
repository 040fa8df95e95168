/** RFC 9457 problem details, as every 4xx/5xx body. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /** Field-level mistakes: where and what, so a client can fix them all at once. */
  errors?: { path: string; message: string; index?: number }[];
  [extension: string]: unknown;
}

/** A client mistake (or an unavailable dependency) with the status and fix to report. */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly extras: Partial<ProblemDetails> = {},
    /** Response headers that go with the problem, e.g. `Retry-After` or `WWW-Authenticate`. */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }

  toProblem(instance?: string): ProblemDetails {
    const slug = this.title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    return {
      type: `urn:switchyard:problem:${slug}`,
      title: this.title,
      status: this.status,
      detail: this.detail,
      instance,
      ...this.extras,
    };
  }
}
