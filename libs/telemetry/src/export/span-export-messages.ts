/** What the main thread sends the span-export thread: an encoded batch to send, or the last word. */
export type SpanExportRequest =
  { kind: 'export'; id: number; body: Uint8Array; spanCount: number } | { kind: 'shutdown'; id: number };

/** The thread's answer to one request: no error once the collector accepted it. */
export interface SpanExportReply {
  id: number;
  error?: string;
}
