import fc from 'fast-check';
import type { TaskDescription } from '@switchyard/tasks';
import { BULLMQ_PRIORITY_MAX, hostileJson, hostileString, withOwnKey } from './hostile-values';

/** What near-valid bodies are built from: the api's own catalog and configuration. */
export interface FuzzTarget {
  /** GET /v1/tasks. */
  tasks: TaskDescription[];
  /** The lanes the stack configures (LANES). */
  lanes: string[];
  /** The stack's JOB_TIMEOUT_MAX_MS. */
  jobTimeoutMaxMs: number;
}

type Envelope = Record<string, unknown>;

interface FieldSchema {
  type?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  enum?: unknown[];
}

/**
 * Most accepted jobs wait an hour, so the run stresses the api rather than burning the shared cores
 * on the catalog's examples; the rest run, so keys like `completed` and `active` exist.
 */
const PARKED_DELAY_MS = 3_600_000;
const JOB_DELAY_DEFAULT_MAX_MS = 604_800_000;
const SCHEMA_DELAY_MAX_MS = 31_536_000_000;

const unknownFieldName = fc.oneof(
  fc.constantFrom('colour', '__proto__', 'constructor', 'prototype', 'jobId', 'opts', 'tenant', 'repeat'),
  fc.string(),
);

/** A valid request for `task`: its catalog example and options within every documented bound. */
function validEnvelope(target: FuzzTarget, task: TaskDescription): fc.Arbitrary<Envelope> {
  const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 2 });
  return fc
    .record({
      priority: maybe(fc.integer({ min: 1, max: BULLMQ_PRIORITY_MAX })),
      delayMs: fc.oneof(
        { weight: 4, arbitrary: fc.constant(PARKED_DELAY_MS) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      ),
      attempts: maybe(fc.integer({ min: 1, max: 3 })),
      timeoutMs: maybe(fc.integer({ min: 1_000, max: target.jobTimeoutMaxMs })),
      lane: maybe(fc.constantFrom(...target.lanes)),
      profile: maybe(fc.constantFrom('io', 'cpu')),
    })
    .map((options) => ({
      task: task.name,
      payload: structuredClone(task.example),
      ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
    }));
}

/** Each envelope field's bounds, one past them, and near misses in type or spelling. */
function envelopeEdges(target: FuzzTarget): Record<string, unknown[]> {
  const max = target.jobTimeoutMaxMs;
  const priorityMax = BULLMQ_PRIORITY_MAX;
  return {
    task: ['cpu.nope', 'CPU.PRIMES', 'cpu.primes ', 'io.sleep\u0000', ''],
    payload: [null, [], 'x', {}],
    profile: ['io', 'cpu', 'gpu', 'IO', ''],
    lane: [...target.lanes, 'gpu', 'IO', 'io ', 'cpu:x', '_switchyard', 'meta', 'io/..', 'a'.repeat(41)],
    priority: [0, 1, priorityMax, priorityMax + 1, priorityMax + 2, 2 ** 31, '1', 1.5],
    delayMs: [
      0,
      JOB_DELAY_DEFAULT_MAX_MS,
      JOB_DELAY_DEFAULT_MAX_MS + 1,
      SCHEMA_DELAY_MAX_MS,
      SCHEMA_DELAY_MAX_MS + 1,
      -1,
    ],
    attempts: [0, 1, 100, 101],
    backoff: [
      { type: 'fixed', delayMs: 0 },
      { type: 'exponential', delayMs: 3_600_000 },
      { type: 'fixed', delayMs: 3_600_001 },
      { type: 'linear', delayMs: 1 },
    ],
    timeoutMs: [0, 1, max, max + 1],
  };
}

/** Values for one envelope field: mostly its edges, else any hostile JSON. */
function envelopeFieldValue(target: FuzzTarget): Record<string, fc.Arbitrary<unknown>> {
  return Object.fromEntries(
    Object.entries(envelopeEdges(target)).map(([field, edges]) => [
      field,
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...edges) },
        { weight: 1, arbitrary: field === 'task' ? hostileString : hostileJson },
      ),
    ]),
  );
}

/** Values for one payload field, read off the task's JSON schema. */
function payloadFieldValue(field: FieldSchema | undefined): fc.Arbitrary<unknown> {
  const edges: unknown[] = [];
  if (field?.minimum !== undefined) edges.push(field.minimum - 1, field.minimum, field.minimum + 0.5);
  if (field?.maximum !== undefined) edges.push(field.maximum, field.maximum + 1);
  if (field?.maxLength !== undefined) {
    edges.push('x'.repeat(field.maxLength), 'x'.repeat(field.maxLength + 1), 'é'.repeat(field.maxLength));
  }
  if (field?.enum) edges.push(...field.enum);
  const ssrf = [
    'http://169.254.169.254/',
    'http://[::1]/',
    'http://127.1/',
    'file:///etc/passwd',
    'http://a b/',
  ];
  if (field?.type === 'string' && field.maxLength === 2048) edges.push(...ssrf);
  return edges.length > 0 ? fc.oneof(fc.constantFrom(...edges), hostileJson) : hostileJson;
}

type Mutation =
  | { kind: 'none' }
  | { kind: 'set'; field: string; value: unknown }
  | { kind: 'delete'; field: string }
  | { kind: 'set-payload'; key: string; value: unknown }
  | { kind: 'delete-payload'; key: string };

function mutation(target: FuzzTarget, task: TaskDescription, validWeight: number): fc.Arbitrary<Mutation> {
  const properties = (task.payloadSchema.properties ?? {}) as Record<string, FieldSchema>;
  const payloadKeys = Object.keys(properties);
  const fields = envelopeFieldValue(target);
  return fc.oneof(
    { weight: validWeight, arbitrary: fc.constant({ kind: 'none' as const }) },
    {
      weight: 6,
      arbitrary: fc
        .constantFrom(...Object.keys(fields))
        .chain((field) => fields[field].map((value) => ({ kind: 'set' as const, field, value }))),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(unknownFieldName, hostileJson)
        .map(([field, value]) => ({ kind: 'set' as const, field, value })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('task', 'payload').map((field): Mutation => ({ kind: 'delete', field })),
    },
    {
      weight: 6,
      arbitrary: fc
        .oneof(fc.constantFrom(...payloadKeys), unknownFieldName)
        .chain((key) =>
          payloadFieldValue(properties[key]).map((value) => ({ kind: 'set-payload' as const, key, value })),
        ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...payloadKeys).map((key): Mutation => ({ kind: 'delete-payload', key })),
    },
  );
}

function applyMutation(envelope: Envelope, change: Mutation): Envelope {
  const payload = envelope.payload as Record<string, unknown>;
  switch (change.kind) {
    case 'none':
      return envelope;
    case 'set':
      return withOwnKey(envelope, change.field, change.value);
    case 'delete':
      return Object.fromEntries(Object.entries(envelope).filter(([field]) => field !== change.field));
    case 'set-payload':
      return { ...envelope, payload: withOwnKey(payload, change.key, change.value) };
    case 'delete-payload':
      return {
        ...envelope,
        payload: Object.fromEntries(Object.entries(payload).filter(([key]) => key !== change.key)),
      };
  }
}

/** A valid job request, parked. */
function validJob(target: FuzzTarget): fc.Arbitrary<Envelope> {
  return fc
    .constantFrom(...target.tasks)
    .chain((task) => validEnvelope(target, task))
    .map((envelope) => ({ ...envelope, delayMs: PARKED_DELAY_MS }));
}

/**
 * A valid job request with one field made wrong, or (in `validWeight` of 15 + `validWeight` cases)
 * left valid.
 */
export function nearValidJob(target: FuzzTarget, validWeight = 4): fc.Arbitrary<Envelope> {
  return fc
    .constantFrom(...target.tasks)
    .chain((task) =>
      fc
        .tuple(validEnvelope(target, task), mutation(target, task, validWeight))
        .map(([envelope, change]) => applyMutation(envelope, change)),
    );
}

/** 999 to 1001 valid jobs spread over every lane, parked, and (19 times in 20) one bad item among them. */
function bigBatch(target: FuzzTarget): fc.Arbitrary<{ jobs: Envelope[] }> {
  return fc
    .record({
      size: fc.constantFrom(999, 1000, 1001),
      item: validJob(target),
      bad: fc.option(fc.record({ index: fc.nat({ max: 1000 }), job: nearValidJob(target, 0) }), { freq: 20 }),
    })
    .map(({ size, item, bad }) => {
      const jobs = Array.from({ length: size }, (_, index): Envelope => ({
        ...item,
        lane: target.lanes[index % target.lanes.length],
      }));
      if (bad) jobs[bad.index % size] = bad.job;
      return { jobs };
    });
}

/**
 * One valid parked job on every lane plus one job with an envelope field at its edge, anywhere in
 * the batch: an edge that passes validation but not BullMQ must leave no lane's jobs behind.
 */
function crossLaneBatch(target: FuzzTarget): fc.Arbitrary<{ jobs: Envelope[] }> {
  const edges = Object.entries(envelopeEdges(target)).flatMap(([field, values]) =>
    values.map((value): [string, unknown] => [field, value]),
  );
  return fc
    .record({ item: validJob(target), edge: fc.constantFrom(...edges), position: fc.nat() })
    .map(({ item, edge: [field, value], position }) => {
      const jobs: Envelope[] = target.lanes.map((lane) => ({ ...item, lane }));
      jobs.splice(position % (jobs.length + 1), 0, withOwnKey(item, field, value));
      return { jobs };
    });
}

/** Batch bodies: arbitrary shapes, small near-valid batches across lanes, and batches of ~1000. */
export function batchBody(target: FuzzTarget): fc.Arbitrary<unknown> {
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.oneof(
        hostileJson,
        fc.record({ jobs: hostileJson }),
        fc.record({ jobs: fc.array(hostileJson, { maxLength: 4 }) }),
        fc.record({ jobs: fc.array(nearValidJob(target, 60), { maxLength: 3 }), extra: hostileJson }),
      ),
    },
    {
      weight: 20,
      arbitrary: fc
        .array(nearValidJob(target, 60), { minLength: 1, maxLength: 12 })
        .map((jobs) => ({ jobs })),
    },
    { weight: 12, arbitrary: crossLaneBatch(target) },
    { weight: 1, arbitrary: bigBatch(target) },
  );
}
