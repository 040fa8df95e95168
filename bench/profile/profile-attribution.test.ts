/**
 * The profile reader's attribution, on small profiles built by hand: `node --test
 * dist/bench/profile/profile-attribution.test.js` (kept beside the bench, which `npm test` does not run).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { packageOf } from './job-stages';
import {
  callersOf,
  selfTimes,
  summarizeCpuProfile,
  summarizeHeapProfile,
  type CpuProfile,
} from './profile-attribution';

const NM = '/app/node_modules';
const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0 });

/**
 * root → processTimers (node) → moveToFinished (bullmq) → sendCommand (ioredis) → writeBuffer (native);
 * root → (garbage collector); root → (idle). Samples of 1 ms each: 3 in writeBuffer, 1 in
 * moveToFinished, 1 in GC, 5 idle.
 */
const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 6, 7] },
    { id: 2, callFrame: frame('processTimers', 'node:internal/timers'), children: [3] },
    {
      id: 3,
      callFrame: frame('moveToFinished', `file://${NM}/bullmq/dist/cjs/classes/worker.js`),
      children: [4],
    },
    { id: 4, callFrame: frame('sendCommand', `${NM}/ioredis/built/Redis.js`), children: [5] },
    { id: 5, callFrame: frame('writeBuffer'), children: [] },
    { id: 6, callFrame: frame('(garbage collector)'), children: [] },
    { id: 7, callFrame: frame('(idle)'), children: [] },
  ],
  samples: [5, 5, 5, 3, 6, 7, 7, 7, 7, 7],
  timeDeltas: [0, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000],
  startTime: 0,
  endTime: 10_000,
};

describe('profile attribution', () => {
  it('names packages: npm (scoped too), Switchyard libs and apps, Node modules, natives', () => {
    assert.equal(
      packageOf(frame('f', `${NM}/@opentelemetry/sdk-trace/build/x.js`)),
      '@opentelemetry/sdk-trace',
    );
    assert.equal(packageOf(frame('f', `file://${NM}/bullmq/dist/cjs/x.js`)), 'bullmq');
    assert.equal(packageOf(frame('f', '/repo/dist/libs/queue/src/lane-worker.js')), '@switchyard/queue');
    assert.equal(packageOf(frame('f', '/repo/dist/apps/api/src/main.js')), 'app:api');
    assert.equal(packageOf(frame('f', 'node:internal/timers')), 'node:internal');
    assert.equal(packageOf(frame('writev')), 'native');
    assert.equal(packageOf(frame('(garbage collector)')), '(garbage collector)');
  });

  it('charges native and Node frames to the package that called them, and leaves idle out', () => {
    const summary = summarizeCpuProfile(PROFILE, ['moveToFinished']);
    assert.equal(summary.total, 5); // 10 samples of 1 ms, 5 of them idle
    assert.equal(summary.byStage.get('Redis client: ioredis commands, RESP parse, socket I/O'), 3);
    assert.equal(summary.byStage.get('BullMQ: scripts, Job, Worker loop'), 1);
    assert.equal(summary.byStage.get('GC'), 1);
    assert.equal(summary.byPackage.get('native'), 3); // self time stays with the native frame
    assert.equal(summary.inclusive.get('moveToFinished'), 4);
    assert.deepEqual(
      summary.functions.map(({ functionName, self }) => [functionName, self]),
      [
        ['writeBuffer', 3],
        ['moveToFinished', 1],
        ['(garbage collector)', 1],
      ],
    );
  });

  it('lists the call paths into a function, nearest caller first', () => {
    const [path] = callersOf(PROFILE.nodes, selfTimes(PROFILE), 'writeBuffer', 3);
    assert.deepEqual(path, {
      path: ['sendCommand (ioredis)', 'moveToFinished (bullmq)', 'processTimers (node:internal)'],
      amount: 3,
    });
  });

  it('counts the bytes of a sampling heap profile the same way', () => {
    const summary = summarizeHeapProfile({
      head: {
        id: 1,
        callFrame: frame('(root)'),
        selfSize: 0,
        children: [
          {
            id: 2,
            callFrame: frame('LOG', `${NM}/pino/lib/tools.js`),
            selfSize: 100,
            children: [{ id: 3, callFrame: frame('byteLength', 'node:buffer'), selfSize: 50, children: [] }],
          },
        ],
      },
    });
    assert.equal(summary.total, 150);
    assert.equal(summary.byStage.get('logging (pino)'), 150);
  });
});
