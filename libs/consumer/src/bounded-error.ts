/**
 * The error itself when its message and stack fit in `max` characters each, else a copy with the same
 * name and both cut: a task throwing a 1 MiB message must not fill Redis or the logs.
 */
export function boundError(error: Error, max: number): Error {
  if (error.message.length <= max && (error.stack?.length ?? 0) <= max) return error;
  const bounded = new Error(cutToLength(error.message, max));
  bounded.name = error.name;
  bounded.stack = cutToLength(error.stack ?? `${error.name}: ${error.message}`, max);
  return bounded;
}

/** `text` if it fits in `max` characters, else its start and a note of how much was cut, `max` in all. */
export function cutToLength(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = ` … [${text.length} characters, cut to ${max}]`;
  return text.slice(0, Math.max(0, max - note.length)) + note;
}
