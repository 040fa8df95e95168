import type { ProblemDetails } from '@switchyard/contracts';

/**
 * An HTTP answer other than success, with the status, title and fix to report. Only the api makes these:
 * the libs throw domain errors, which `domain-problems.ts` turns into one.
 */
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
