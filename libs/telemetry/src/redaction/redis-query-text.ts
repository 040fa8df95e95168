/**
 * `db.query.text` of a Redis command span: the command's name and how many arguments it had,
 * e.g. `evalsha [14 args]`, never an argument. The instrumentation's default keeps every argument
 * of `eval`/`evalsha` (BullMQ's scripts get the whole job: payload, options, an `io.http`
 * job's `authorization` header) and the first argument of the others. Key names are left out
 * too: they embed client-chosen text (`…:idempotency:<Idempotency-Key>`, ids typed into a URL),
 * and keys cannot be told from values without a table of every command.
 */
export function redisQueryText(command: string, args: readonly unknown[]): string {
  return args.length > 0 ? `${command} [${args.length} args]` : command;
}

/** What `redisQueryText` produces; the span allowlist keeps a query text only in this shape. */
export const REDIS_QUERY_TEXT = /^[A-Za-z][\w.]{0,63}( \[\d+ args\])?$/;
