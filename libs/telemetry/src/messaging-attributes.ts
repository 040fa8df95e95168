/**
 * The OpenTelemetry messaging attributes Switchyard's queue spans carry, checked against
 * `@opentelemetry/semantic-conventions` 1.45. The messaging ones are still incubating there; the
 * package advises copying incubating names rather than importing its `incubating` entry point, whose
 * exports may change in a minor release. `error.type`, `server.address` and `server.port` are stable.
 */
export const MessagingAttributes = {
  /** Deprecated in 1.45 for `messaging.system.name`, still what most backends key on: both are set. */
  System: 'messaging.system',
  SystemName: 'messaging.system.name',
  DestinationName: 'messaging.destination.name',
  MessageId: 'messaging.message.id',
  BatchMessageCount: 'messaging.batch.message_count',
  OperationType: 'messaging.operation.type',
  OperationName: 'messaging.operation.name',
  ServerAddress: 'server.address',
  ServerPort: 'server.port',
  ErrorType: 'error.type',
} as const;

/**
 * BullMQ is not in the conventions' list of systems; the conventions ask for the instrumentation's
 * best knowledge of the system in lower case, so it is named as its own docs and `bullmq-otel` name it.
 */
export const MESSAGING_SYSTEM = 'bullmq';

/** `messaging.operation.type` values: `create` per message of a batch, `send` to publish, `process` to consume. */
export const MessagingOperation = {
  Create: 'create',
  Send: 'send',
  Process: 'process',
} as const;

/** `error.type` when the error has no name of the `SomethingError` shape. */
export const ERROR_TYPE_OTHER = '_OTHER';

/** Where the queue's Redis is, for `server.address` and `server.port`. */
export interface MessagingServer {
  address: string;
  port: number;
}

/** The server of a `redis://` or `rediss://` URL (port 6379 when the URL has none); undefined for a bad URL. */
export function messagingServerOf(redisUrl: string): MessagingServer | undefined {
  try {
    const url = new URL(redisUrl);
    if (!url.hostname) return undefined;
    return { address: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 6379 };
  } catch {
    return undefined;
  }
}
