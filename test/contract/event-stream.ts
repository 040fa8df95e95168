/** One Server-Sent Event as a client receives it (fields per the HTML standard's event stream format). */
export interface StreamEvent {
  id?: string;
  event?: string;
  /** The `data:` lines joined by line feeds. */
  data: string;
}

/**
 * The events of a whole `text/event-stream` body: blocks split by a blank line, comment lines (`:`)
 * ignored, a block without `data` not dispatched (as EventSource does).
 */
export function parseEventStream(text: string): StreamEvent[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\n/)
    .flatMap((block) => {
      const fields = block
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith(':'))
        .map((line) => {
          const colon = line.indexOf(':');
          const name = colon === -1 ? line : line.slice(0, colon);
          const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
          return [name, value] as const;
        });
      const data = fields.filter(([name]) => name === 'data').map(([, value]) => value);
      if (data.length === 0) return [];
      const last = (name: string) => fields.filter(([field]) => field === name).at(-1)?.[1];
      return [{ id: last('id'), event: last('event'), data: data.join('\n') }];
    });
}
