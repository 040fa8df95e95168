import { SwitchyardClient } from '@switchyard/client';
import { startDelayServer, startLocalStack, type LocalStack } from '@switchyard/local-stack';
import { defaultServices, demoServices } from './demo-stack';
import { formatSummary, summarize } from './demo-summary';
import { demoFindings, runDemoWorkload } from './demo-workload';

function progressLine(): (finished: number, total: number) => void {
  let lastPrinted = 0;
  return (finished, total) => {
    if (process.stdout.isTTY) {
      process.stdout.write(`\r  ${finished}/${total} jobs finished`);
      if (finished === total) process.stdout.write('\n');
    } else if (Date.now() - lastPrinted > 2_000 || finished === total) {
      lastPrinted = Date.now();
      console.log(`  ${finished}/${total} jobs finished`);
    }
  };
}

/**
 * With an OTLP endpoint set, jobs link to their trace in the Jaeger UI; unless told otherwise,
 * that UI is the one `docker/compose.yaml` (or a local `jaeger`) serves.
 */
function traceLinkEnv(): Record<string, string> {
  const { OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, JAEGER_UI_URL } = process.env;
  if (JAEGER_UI_URL || !(OTEL_EXPORTER_OTLP_ENDPOINT || OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)) return {};
  return { JAEGER_UI_URL: 'http://localhost:16686' };
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

/**
 * The demo's io.http jobs call its delay server on loopback: that one host:port, with loopback opened by
 * HTTP_ALLOWED_CIDRS. `npm start` keeps whatever HTTP_ALLOWED_HOSTS / HTTP_ALLOWED_CIDRS the caller set.
 */
function delayServerAllowlist(delayServer?: { url: string }): Record<string, string> {
  if (!delayServer) return {};
  return { HTTP_ALLOWED_HOSTS: new URL(delayServer.url).host, HTTP_ALLOWED_CIDRS: '127.0.0.1/32' };
}

/** `npm start` (until Ctrl-C) and `npm run demo` (workload, summary, exit). @returns the exit code. */
export async function runStack({ demo }: { demo: boolean }): Promise<number> {
  const delayServer = demo ? await startDelayServer() : undefined;
  console.log(
    demo
      ? 'Starting api, io-consumer and compute ×3 (worker-threads, processes, inline)…'
      : 'Starting api, io-consumer and compute…',
  );
  let stack: LocalStack | undefined;
  const stopping = untilSignal();
  try {
    stack = await startLocalStack({
      services: demo ? demoServices() : defaultServices(),
      prefix: demo ? undefined : (process.env.QUEUE_PREFIX ?? 'switchyard'),
      env: { ...delayServerAllowlist(delayServer), ...traceLinkEnv() },
      logDir: demo ? undefined : 'inherit',
    });
    console.log(`Redis ${stack.redisUrl} · prefix ${stack.prefix} · lanes ${stack.lanes.join(', ')}`);
    for (const service of stack.services)
      console.log(`  ${service.name} pid ${service.pid} at ${service.baseUrl}`);
    if (!demo) {
      console.log(`API at ${stack.apiUrl} (OpenAPI docs at ${stack.apiUrl}/docs). Ctrl-C stops everything.`);
      console.log(`\n${await stopping} received: stopping…`);
      return 0;
    }
    const client = new SwitchyardClient(stack.apiUrl);
    console.log(
      'Submitting, one phase at a time: 200 io.sleep, 50 io.http, 6 cpu.primes per execution model…',
    );
    const views = await Promise.race([
      runDemoWorkload(client, { delayServerUrl: delayServer?.url ?? '', onProgress: progressLine() }),
      stopping.then((signal) => Promise.reject(new Error(`${signal} received: demo stopped`))),
    ]);
    console.log(`\n${formatSummary(summarize(views))}\n`);
    for (const finding of demoFindings(views)) console.log(`• ${finding}`);
    const traced = views.filter((view) => view.links.trace).slice(0, 3);
    if (traced.length > 0)
      console.log(`\nTraces:\n${traced.map((view) => `  ${view.task}: ${view.links.trace}`).join('\n')}`);
    const failed = views.filter((view) => view.state !== 'completed');
    if (failed.length > 0)
      console.log(`\n${failed.length} job(s) did not complete, e.g. ${JSON.stringify(failed[0].error)}`);
    return failed.length > 0 ? 1 : 0;
  } finally {
    await stack?.stop();
    await delayServer?.close();
  }
}
