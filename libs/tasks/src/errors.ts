/** One problem with a payload: where (a field path such as `headers.accept`) and what. */
export interface PayloadIssue {
  path: string;
  message: string;
}

/** A payload that does not match its task's schema; lists every bad field at once. */
export class InvalidTaskPayloadError extends Error {
  override readonly name = 'InvalidTaskPayloadError';
  constructor(
    readonly task: string,
    readonly issues: readonly PayloadIssue[],
  ) {
    super(
      `invalid payload for task "${task}": ${issues.map((issue) => `${issue.path || '(payload)'}: ${issue.message}`).join('; ')}`,
    );
  }
}

/** The catalog was built wrong (two tasks of one name, a task without a handler): refuse to start. */
export class TaskRegistrationError extends Error {
  override readonly name = 'TaskRegistrationError';
}
