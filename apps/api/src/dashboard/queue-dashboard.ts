import { createBullBoard } from '@bull-board/api';
import type { IServerAdapter } from '@bull-board/api/typings/app';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import type { JobData } from '@switchyard/contracts';
import type { LaneQueues } from '@switchyard/queue';
import type { TaskCatalog } from '@switchyard/tasks';
import { sendProblem } from '../problems/problem-details.filter';

/** Where the dashboard is served; `/admin/*` needs a key with the admin scope (authenticate.hook.ts). */
export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * The dashboard's own Content-Security-Policy, stricter than the api-wide one (which lets the Swagger
 * UI run inline scripts): bull-board's scripts and styles are files served from its own `static/`
 * route, so scripts need only 'self'. Inline styles stay allowed (its loading screen and React's
 * `style` attributes). Its Google Fonts stylesheet is refused on purpose: an operator page makes no
 * third-party requests; the UI falls back to the system fonts.
 */
const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export interface QueueDashboardOptions {
  queues: LaneQueues;
  /** Hides secrets in each job's payload, as the job views do. */
  catalog: Pick<TaskCatalog, 'redactPayload'>;
}

/**
 * bull-board at `/admin/queues`, every lane, **read-only**. Switchyard keeps state beside BullMQ's that
 * bull-board's actions would skip: the per-tenant pending-job quota, the job index, cancellation
 * records and the cancel pub/sub that reaches running jobs. Removing, retrying, promoting or cleaning
 * jobs from the dashboard would leave those wrong (a removed job would hold its tenant's quota until
 * the sweep), so those operations stay with the REST api, which keeps them consistent. Payloads are
 * shown redacted, as in `GET /v1/jobs/:id`.
 *
 * Register it after the authentication hook. Errors (a refused key among them) are answered as problem
 * details like everywhere else: Nest installs its error handler only once the app starts, after this
 * plugin context took its parent's, so the context gets the same `sendProblem` itself.
 */
export async function installQueueDashboard(
  app: NestFastifyApplication,
  options: QueueDashboardOptions,
): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: options.queues.all().map((queue) => {
      const adapter = new BullMQAdapter(queue, {
        readOnlyMode: true,
        allowRetries: false,
        description: `lane ${queue.name}`,
      });
      adapter.setFormatter('data', (data: JobData) => ({
        ...data,
        payload: options.catalog.redactPayload(data.task, data.payload),
      }));
      return adapter;
    }),
    // @bull-board/fastify 9.10.1 brings its own copy of @bull-board/api 9.10.1 beside our 9.10.2: the
    // same interface, declared twice (a private field makes TypeScript tell them apart).
    serverAdapter: serverAdapter as unknown as IServerAdapter,
    options: { uiConfig: { boardTitle: 'Switchyard' } },
  });
  // bull-board answers errors itself (as JSON without the problem's headers); thrown on, they reach the
  // handler of the context below.
  serverAdapter.setErrorHandler((error) => {
    throw error;
  });
  await app.register(
    async (dashboard: FastifyInstance) => {
      dashboard.setErrorHandler((error, request, reply) => sendProblem(reply, error, request.url));
      dashboard.addHook('onSend', async (_request, reply, payload) => {
        reply.header('content-security-policy', DASHBOARD_CSP);
        return payload;
      });
      await dashboard.register(serverAdapter.registerPlugin());
    },
    { prefix: QUEUE_DASHBOARD_PATH },
  );
}
