/**
 * `npm run demo` with its spans sent to a REAL Jaeger and JAEGER_UI_URL pointing at it: every trace link
 * it prints opens (the UI answers) and resolves through Jaeger's query API to that job's whole trace.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@switchyard/local-stack';
import { pollUntil } from '@switchyard/polling';
import { repoRoot } from '../deploy/support/repo-paths';
import { startJaeger, type JaegerServer } from './support/jaeger-server';
import { kindOf, parentOf, renderTree, tag } from './support/jaeger-trace';

function runDemo(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'dist', 'apps', 'stack', 'src', 'main.js'), '--demo'],
    {
      env: { ...process.env, ...env },
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

describe('the demo prints trace links that open in a real Jaeger', () => {
  let jaeger: JaegerServer;
  before(async () => {
    jaeger = await startJaeger();
  });
  after(async () => {
    await jaeger?.stop();
  });

  it('every printed link resolves to the job trace through the query API', async () => {
    const { code, output } = await runDemo({
      PORT: String(await freePort()),
      OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttpUrl,
      OTEL_METRICS_EXPORTER: 'none',
      JAEGER_UI_URL: jaeger.queryUrl,
    });
    assert.equal(code, 0, output);
    const links = [...output.matchAll(/^\s+[\w.]+: (http\S+\/trace\/[0-9a-f]{32})$/gm)].map(
      (match) => match[1],
    );
    assert.ok(links.length > 0, `the demo printed trace links:\n${output}`);
    for (const link of links) {
      assert.ok(link.startsWith(`${jaeger.queryUrl}/trace/`), link);
      assert.equal((await fetch(link)).status, 200, `the UI answers ${link}`);
      const traceId = new URL(link).pathname.split('/').pop()!;
      // Each process exports its own spans on its own schedule: wait for the api's root and the
      // consumer's completed execute span alike, not only for the first to arrive.
      const trace = await pollUntil(
        async () => {
          const found = await jaeger.trace(traceId);
          return (
            found?.spans.some((span) => tag(span, 'switchyard.outcome') === 'completed') &&
            found.spans.some((span) => parentOf(span) === undefined) &&
            found
          );
        },
        {
          timeoutMs: 20_000,
          intervalMs: 200,
          what: `trace ${traceId} with its root and execute span in Jaeger`,
        },
      );
      // The demo submits in batches: each job's trace starts at its producer span.
      assert.deepEqual(
        trace.spans.filter((span) => parentOf(span) === undefined).map(kindOf),
        ['producer'],
        'one root, the job being enqueued',
      );
      assert.ok(
        trace.spans.some((span) => kindOf(span) === 'consumer'),
        'and the attempt that ran it',
      );
      process.stdout.write(`\n${link} resolves to:\n${renderTree(trace).replace(/^/gm, '  ')}\n`);
    }
  });
});
