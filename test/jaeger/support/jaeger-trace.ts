/**
 * A trace as Jaeger's query API returns it (`GET /api/traces/<id>`, the model its UI reads), and the
 * reads the tests make of it: a span's service, kind, tags, parent (CHILD_OF) and links (FOLLOWS_FROM).
 */

export interface JaegerTag {
  key: string;
  type: string;
  value: string | number | boolean;
}

export interface JaegerReference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: JaegerReference[];
  /** Microseconds since the epoch. */
  startTime: number;
  duration: number;
  tags: JaegerTag[];
  logs: { timestamp: number; fields: JaegerTag[] }[];
  processID: string;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: JaegerTag[] }>;
}

/** The OpenTelemetry span kind, which Jaeger keeps as the `span.kind` tag. */
export type SpanKind = 'server' | 'client' | 'producer' | 'consumer' | 'internal';

export function tag(span: JaegerSpan, key: string): string | number | boolean | undefined {
  return span.tags.find((candidate) => candidate.key === key)?.value;
}

export function kindOf(span: JaegerSpan): SpanKind {
  return (tag(span, 'span.kind') as SpanKind | undefined) ?? 'internal';
}

export function serviceOf(trace: JaegerTrace, span: JaegerSpan): string {
  return trace.processes[span.processID]?.serviceName ?? '?';
}

/** The parent span id, undefined for a root. */
export function parentOf(span: JaegerSpan): string | undefined {
  return span.references.find((reference) => reference.refType === 'CHILD_OF')?.spanID;
}

/** Span links, which Jaeger shows as FOLLOWS_FROM references (possibly into another trace). */
export function linksOf(span: JaegerSpan): JaegerReference[] {
  return span.references.filter((reference) => reference.refType === 'FOLLOWS_FROM');
}

/** Jaeger's marker of a span whose status is error. */
export function isError(span: JaegerSpan): boolean {
  return tag(span, 'error') === true || tag(span, 'otel.status_code') === 'ERROR';
}

export function childrenOf(trace: JaegerTrace, parent: JaegerSpan): JaegerSpan[] {
  return trace.spans.filter((span) => parentOf(span) === parent.spanID);
}

const TREE_TAGS = [
  'switchyard.execution.model',
  'switchyard.attempt',
  'thread.id',
  'process.pid',
  'messaging.message.id',
];

/** An ioredis client span: folded into one line of the printed tree. */
const isRedisCommand = (span: JaegerSpan) =>
  kindOf(span) === 'client' && span.tags.some((candidate) => candidate.key.startsWith('db.'));

/** The trace as an indented tree, children by start time: `name  [service, kind] key=value…`, Redis commands folded. */
export function renderTree(trace: JaegerTrace): string {
  const byStart = [...trace.spans].sort((a, b) => a.startTime - b.startTime);
  const known = new Set(byStart.map((span) => span.spanID));
  const lines: string[] = [];
  const visit = (span: JaegerSpan, depth: number) => {
    const tags = TREE_TAGS.filter((key) => tag(span, key) !== undefined).map(
      (key) => `${key}=${tag(span, key)}`,
    );
    const links = linksOf(span).map((link) => `link→${link.traceID.slice(0, 8)}…/${link.spanID}`);
    const error = isError(span) ? ' ERROR' : '';
    lines.push(
      `${'  '.repeat(depth)}${span.operationName}  [${serviceOf(trace, span)}, ${kindOf(span)}${error}] ${[...tags, ...links].join(' ')}`.trimEnd(),
    );
    const children = byStart.filter((candidate) => parentOf(candidate) === span.spanID);
    const redis = children.filter(isRedisCommand);
    if (redis.length > 0)
      lines.push(
        `${'  '.repeat(depth + 1)}(${redis.length} Redis command spans: ${[...new Set(redis.map((child) => child.operationName))].join(', ')})`,
      );
    for (const child of children.filter((candidate) => !isRedisCommand(candidate))) visit(child, depth + 1);
  };
  for (const root of byStart.filter((span) => !parentOf(span) || !known.has(parentOf(span)!))) visit(root, 0);
  return `trace ${trace.traceID}\n${lines.join('\n')}`;
}
