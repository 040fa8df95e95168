import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { createTaskCatalog, InvalidTaskPayloadError } from '@switchyard/tasks';
import { taskContext } from './task-test-context';

const catalog = createTaskCatalog({ httpAllowedHosts: [], diagnosticTasks: true });

async function run(task: string, payload: unknown, ctx = taskContext()): Promise<unknown> {
  return catalog.get(task).handler(catalog.parsePayload(task, payload), ctx);
}

function issuePaths(task: string, payload: unknown): string[] {
  try {
    catalog.parsePayload(task, payload);
  } catch (error) {
    if (error instanceof InvalidTaskPayloadError) return error.issues.map((issue) => issue.path);
    throw error;
  }
  assert.fail(`${task} accepted ${JSON.stringify(payload)}`);
}

/** A plain sieve, independent of the task's segmented one. */
function countPrimesNaively(limit: number): number {
  const composite = new Uint8Array(limit + 1);
  let count = 0;
  for (let n = 2; n <= limit; n++) {
    if (composite[n]) continue;
    count++;
    for (let multiple = n * 2; multiple <= limit; multiple += n) composite[multiple] = 1;
  }
  return count;
}

/** The same mulberry32 recurrence, written out again for the test. */
function referenceRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('cpu.primes', () => {
  it('counts the primes up to well-known limits', async () => {
    const known: Array<[number, number]> = [
      [0, 0],
      [1, 0],
      [2, 1],
      [10, 4],
      [100, 25],
      [1_000, 168],
      [262_144, 23_000],
      [1_000_000, 78_498],
      [10_000_000, 664_579],
    ];
    for (const [limit, count] of known)
      assert.deepEqual(await run('cpu.primes', { limit }), { limit, count });
  });

  it('agrees with a plain sieve across segment boundaries', async () => {
    for (const limit of [262_145, 262_146, 524_290, 777_777]) {
      assert.deepEqual(await run('cpu.primes', { limit }), { limit, count: countPrimesNaively(limit) });
    }
  });

  it('reports progress up to 100', async () => {
    const ctx = taskContext();
    await run('cpu.primes', { limit: 2_000_000 }, ctx);
    assert.ok(ctx.reports.length > 1);
    assert.equal(ctx.reports.at(-1), 100);
  });

  it('refuses limits beyond its bound', () => {
    assert.deepEqual(issuePaths('cpu.primes', { limit: 2_000_000_001 }), ['limit']);
    assert.deepEqual(issuePaths('cpu.primes', { limit: -1 }), ['limit']);
    assert.deepEqual(issuePaths('cpu.primes', { limit: 1.5 }), ['limit']);
  });

  it('stops between chunks once its signal is aborted, with the signal reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stop now');
    controller.abort(reason);
    await assert.rejects(run('cpu.primes', { limit: 10_000_000 }, taskContext(controller.signal)), reason);
  });
});

describe('cpu.hash', () => {
  it('matches SHA-256 test vectors for one round', async () => {
    assert.deepEqual(await run('cpu.hash', { input: 'abc', rounds: 1 }), {
      rounds: 1,
      digest: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    });
    assert.deepEqual(await run('cpu.hash', { input: '', rounds: 1 }), {
      rounds: 1,
      digest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
  });

  it('hashes the previous raw digest in every later round', async () => {
    let digest = createHash('sha256').update('switchyard').digest();
    for (let round = 2; round <= 50_000; round++) digest = createHash('sha256').update(digest).digest();
    assert.deepEqual(await run('cpu.hash', { input: 'switchyard', rounds: 50_000 }), {
      rounds: 50_000,
      digest: digest.toString('hex'),
    });
  });

  it('refuses rounds beyond its bound and a missing input', () => {
    assert.deepEqual(issuePaths('cpu.hash', { input: 'x', rounds: 10_000_001 }), ['rounds']);
    assert.deepEqual(issuePaths('cpu.hash', { rounds: 1 }), ['input']);
  });
});

describe('cpu.mandelbrot', () => {
  /** Iterates z² + c in complex form, apart from the task's code. */
  function referenceChecksum(width: number, height: number, maxIterations: number) {
    let checksum = 0;
    let inside = 0;
    for (let row = 0; row < height; row++) {
      for (let column = 0; column < width; column++) {
        const c = { re: -2 + (3 * (column + 0.5)) / width, im: -1.5 + (3 * (row + 0.5)) / height };
        let z = { re: 0, im: 0 };
        let n = 0;
        for (; n < maxIterations && z.re * z.re + z.im * z.im <= 4; n++) {
          z = { re: z.re * z.re - z.im * z.im + c.re, im: 2 * z.re * z.im + c.im };
        }
        checksum += n;
        if (n === maxIterations) inside++;
      }
    }
    return { checksum, inside };
  }

  it('counts the single pixel at -0.5+0i as inside the set', async () => {
    assert.deepEqual(await run('cpu.mandelbrot', { width: 1, height: 1, maxIterations: 100 }), {
      checksum: 100,
      inside: 1,
    });
  });

  it('agrees with an independent rendering', async () => {
    assert.deepEqual(
      await run('cpu.mandelbrot', { width: 120, height: 80, maxIterations: 300 }),
      referenceChecksum(120, 80, 300),
    );
  });

  it('refuses jobs over its work budget, naming the field', () => {
    assert.deepEqual(issuePaths('cpu.mandelbrot', { width: 4_096, height: 4_096, maxIterations: 10_000 }), [
      'maxIterations',
    ]);
    assert.deepEqual(issuePaths('cpu.mandelbrot', { width: 0, height: 10, maxIterations: 10 }), ['width']);
  });
});

describe('cpu.matmul', () => {
  /** Sum and trace of A·B in O(n²): sum = Σ_k colsum(A)_k · rowsum(B)_k, trace = Σ_i Σ_k A_ik B_ki. */
  function referenceChecksums(n: number, seed: number) {
    const random = referenceRandom(seed);
    const a = Array.from({ length: n * n }, () => Math.floor(random() * 10));
    const b = Array.from({ length: n * n }, () => Math.floor(random() * 10));
    let sum = 0;
    let trace = 0;
    for (let k = 0; k < n; k++) {
      let columnSumA = 0;
      let rowSumB = 0;
      for (let i = 0; i < n; i++) {
        columnSumA += a[i * n + k];
        rowSumB += b[k * n + i];
        trace += a[i * n + k] * b[k * n + i];
      }
      sum += columnSumA * rowSumB;
    }
    return { n, sum, trace };
  }

  it('multiplies 1×1 matrices', async () => {
    const random = referenceRandom(7);
    const product = Math.floor(random() * 10) * Math.floor(random() * 10);
    assert.deepEqual(await run('cpu.matmul', { n: 1, seed: 7 }), { n: 1, sum: product, trace: product });
  });

  it('agrees with checksums computed without multiplying', async () => {
    for (const [n, seed] of [
      [17, 1],
      [64, 42],
      [200, 4_294_967_295],
    ]) {
      assert.deepEqual(await run('cpu.matmul', { n, seed }), referenceChecksums(n, seed));
    }
  });

  it('is deterministic per seed and differs between seeds', async () => {
    assert.deepEqual(
      await run('cpu.matmul', { n: 50, seed: 3 }),
      await run('cpu.matmul', { n: 50, seed: 3 }),
    );
    assert.notDeepEqual(
      await run('cpu.matmul', { n: 50, seed: 3 }),
      await run('cpu.matmul', { n: 50, seed: 4 }),
    );
  });

  it('refuses sizes and seeds beyond its bounds', () => {
    assert.deepEqual(issuePaths('cpu.matmul', { n: 2_001, seed: 1 }), ['n']);
    assert.deepEqual(issuePaths('cpu.matmul', { n: 10, seed: -1 }), ['seed']);
  });
});

describe('diag.spin and diag.crash', () => {
  it('spins for the asked time with progress', async () => {
    const ctx = taskContext();
    const started = performance.now();
    const result = (await run('diag.spin', { ms: 120 }, ctx)) as { spunMs: number; iterations: number };
    assert.ok(performance.now() - started >= 120);
    assert.equal(result.spunMs, 120);
    assert.ok(result.iterations > 0);
    assert.ok(ctx.reports.length > 1);
  });

  it('refuses spins over a minute', () => {
    assert.deepEqual(issuePaths('diag.spin', { ms: 60_001 }), ['ms']);
  });

  it('throws a named error in throw mode, and refuses exit mode outside a pool worker', async () => {
    await assert.rejects(run('diag.crash', { mode: 'throw' }), {
      name: 'DiagnosticCrashError',
      message: /on purpose/,
    });
    await assert.rejects(run('diag.crash', { mode: 'exit' }), {
      name: 'DiagnosticCrashError',
      message: /refused mode 'exit'/,
    });
  });
});
