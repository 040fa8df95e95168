import { HealthServer } from '@switchyard/consumer';
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from '@switchyard/telemetry';

/**
 * The operator port (`ADMIN_PORT`): `/metrics` and `/docs-json` without a key, for scrapers and tools on
 * the cluster network. Keep it off the public Service; the NetworkPolicy admits only scrapers to it.
 */
export function adminServer(document: object): HealthServer {
  return new HealthServer({
    '/metrics': async () => ({
      status: 200,
      body: await renderPrometheus(),
      contentType: PROMETHEUS_CONTENT_TYPE,
    }),
    '/docs-json': async () => ({ status: 200, body: document }),
  });
}
