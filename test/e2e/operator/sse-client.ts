/** One Server-Sent Event as a client parses it. */
export interface ReceivedEvent {
  id?: string;
  event: string;
  data: string;
}

export interface EventStream {
  status: number;
  headers: Headers;
  /** Events so far, in order. */
  events: ReceivedEvent[];
  /** Comment lines so far (heartbeats). */
  comments: number;
  /** Everything received, as text. */
  raw(): string;
  /** Resolves when the server ended the stream (or the client aborted it). */
  ended: Promise<void>;
  /** Drops the connection, as a client that goes away does. */
  abort(): void;
}

/**
 * Opens `GET url` as an EventSource would and parses the stream as it arrives (text/event-stream:
 * blocks separated by a blank line, `field: value` lines, `:` comments).
 */
export async function openEventStream(
  url: string,
  headers: Record<string, string> = {},
): Promise<EventStream> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const events: ReceivedEvent[] = [];
  let text = '';
  let comments = 0;
  let buffer = '';
  const parse = (block: string) => {
    const event: ReceivedEvent = { event: 'message', data: '' };
    let fields = 0;
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        comments++;
        continue;
      }
      const colon = line.indexOf(':');
      const [field, value] =
        colon < 0 ? [line, ''] : [line.slice(0, colon), line.slice(colon + 1).trimStart()];
      fields++;
      if (field === 'event') event.event = value;
      else if (field === 'id') event.id = value;
      else if (field === 'data') event.data = event.data ? `${event.data}\n${value}` : value;
    }
    if (fields > 0) events.push(event);
  };
  const ended = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body) {
        const piece = decoder.decode(chunk as Uint8Array, { stream: true });
        text += piece;
        buffer += piece;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // aborted by the client
    }
  })();
  return {
    status: response.status,
    headers: response.headers,
    events,
    get comments() {
      return comments;
    },
    raw: () => text,
    ended,
    abort: () => controller.abort(),
  };
}
