/** One field-level mistake: where and what, so a client can fix them all at once. */
export interface FieldError {
  /** Dotted path into the request (`payload.limit`), or `(body)` for the request as a whole. */
  path: string;
  message: string;
  /** The item of a batch the mistake is in. */
  index?: number;
}

/** RFC 9457 problem details, as every 4xx/5xx body. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}
