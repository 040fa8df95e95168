/**
 * Which part of a job's path a profile frame belongs to: its package, and the stage that package (or, for
 * a few, the file) stands for. Change the stages here and both the "before" and the "after" are read anew.
 */
import type { CallFrame } from './profile-attribution';

const SPECIAL = new Set(['(garbage collector)', '(program)', '(idle)', '(root)']);

/**
 * Who a frame belongs to: an npm package (`bullmq`, `@opentelemetry/sdk-trace`), a Switchyard lib or app
 * (`@switchyard/queue`, `app:api`), `node:<module>` for Node's own JavaScript, `native` for a V8 or C++
 * builtin, or the special frame's own name.
 */
export function packageOf(frame: CallFrame): string {
  if (SPECIAL.has(frame.functionName) && !frame.url) return frame.functionName;
  const url = frame.url.replace(/^file:\/\//, '');
  if (!url) return 'native';
  if (url.startsWith('node:')) return url.split('/')[0];
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [first, second] = url.slice(modules + '/node_modules/'.length).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  const dist = /\/dist\/(libs|apps|bench)\/([^/]+)/.exec(url);
  if (dist)
    return dist[1] === 'libs' ? `@switchyard/${dist[2]}` : dist[1] === 'apps' ? `app:${dist[2]}` : 'bench';
  return url;
}

export interface Stage {
  name: string;
  /** Does this frame belong to the stage? `pkg` is `packageOf(frame)`. */
  matches(pkg: string, frame: CallFrame): boolean;
}

const inPackages =
  (...names: string[]) =>
  (pkg: string) =>
    names.some((name) => (name.endsWith('/') ? pkg.startsWith(name) : pkg === name));

/**
 * The stages of a job's path, as a frame's package tells them. A sample goes to the innermost frame of
 * its stack that belongs to a stage; Node's own JavaScript (`node:net`, streams, timers, promises) and
 * native builtins belong to none, so their time goes to the package that called them (a socket write
 * to ioredis, a JSON.parse to whoever parsed). Time no package called is "Node internals".
 */
export const STAGES: Stage[] = [
  { name: 'GC', matches: (pkg) => pkg === '(garbage collector)' },
  {
    name: 'logging (pino)',
    matches: (pkg, frame) =>
      inPackages('pino', 'sonic-boom', 'thread-stream', 'fast-redact', 'pino-std-serializers')(pkg) ||
      /attempt-log|nest-pino-logger|create-logger/.test(frame.url),
  },
  {
    name: 'telemetry: spans, metrics (OpenTelemetry)',
    matches: inPackages('@opentelemetry/', 'bullmq-otel', '@switchyard/telemetry', 'protobufjs'),
  },
  {
    name: 'HTTP: parse, route, validate, reply (node:http, Fastify, Nest)',
    matches: (pkg) =>
      pkg.startsWith('node:_http') ||
      inPackages(
        'fastify',
        '@fastify/',
        'find-my-way',
        'avvio',
        'light-my-request',
        'fast-json-stringify',
        'secure-json-parse',
        'fast-querystring',
        '@nestjs/',
        'rxjs',
        'app:api',
        '@switchyard/auth',
        'undici',
      )(pkg),
  },
  {
    name: 'job validation (zod, catalog, contracts)',
    matches: inPackages('zod', '@switchyard/contracts', 'canonicalize'),
  },
  {
    name: 'Switchyard queue: producer, index, quotas, lane worker',
    matches: inPackages('@switchyard/queue', '@switchyard/quotas'),
  },
  { name: 'executor and task', matches: inPackages('@switchyard/execution', '@switchyard/tasks') },
  { name: 'Switchyard, other', matches: (pkg) => pkg.startsWith('@switchyard/') || pkg.startsWith('app:') },
  { name: 'BullMQ: scripts, Job, Worker loop', matches: inPackages('bullmq', 'msgpackr', 'cron-parser') },
  {
    name: 'Redis client: ioredis commands, RESP parse, socket I/O',
    matches: inPackages(
      'ioredis',
      '@ioredis/',
      'redis-parser',
      'standard-as-callback',
      'denque',
      'cluster-key-slot',
    ),
  },
  { name: 'bench and raw scripts', matches: (pkg) => pkg === 'bench' },
  {
    name: 'other packages',
    matches: (pkg) => !pkg.startsWith('node:') && pkg !== 'native' && !SPECIAL.has(pkg),
  },
];
