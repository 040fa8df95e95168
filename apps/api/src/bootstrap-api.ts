import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { loadApiKeys, type ApiKeyRing } from '@switchyard/auth';
import { ConfigError, loadConfigOrExit, type SwitchyardConfig } from '@switchyard/config';
import { NestPinoLogger, setHttpRoute } from '@switchyard/telemetry';
import { ApiModule } from './api.module';
import { installQueueDashboard } from './dashboard/queue-dashboard';
import { createApiServices } from './api-services';
import { buildApiDocument } from './openapi/api-document';
import { ProblemDetailsFilter } from './problems/problem-details.filter';
import { answerMethodNotAllowed } from './problems/method-not-allowed';
import { ProblemError } from './problems/problem-error';
import { adminServer } from './security/admin-server';
import { installAuthentication } from './security/authenticate.hook';
import { hardenedServerFactory } from './security/http-server';
import { clientErrorHandler, frameworkErrors } from './security/malformed-requests';
import { answerOversizedBodies } from './security/oversized-bodies';
import { installRateLimit } from './security/rate-limit';
import { installSecurityHeaders } from './security/security-headers';
import { ScopeGuard } from './security/require-scope';

const BODY_LIMIT_BYTES = 1_048_576;

/**
 * The keys AUTH=keys checks requests against; undefined for AUTH=none.
 * @throws ConfigError (an ApiKeysError for a bad entry or file) when there are none to check against.
 */
function startupKeys(config: SwitchyardConfig): ApiKeyRing | undefined {
  if (config.AUTH === 'none') return undefined;
  const keys = loadApiKeys(config);
  if (keys.size === 0) {
    throw new ConfigError(
      'no API keys: set API_KEYS or API_KEYS_FILE (create a key with `switchyard keys create --tenant <t> --scopes jobs:write+jobs:read`), or AUTH=none for local use only',
    );
  }
  return keys;
}

export async function bootstrapApi(): Promise<NestFastifyApplication> {
  // Loaded once, here: every service below gets this config.
  const { config, keys } = loadConfigOrExit('switchyard-api', (loaded) => ({
    config: loaded,
    keys: startupKeys(loaded),
  }));
  const services = createApiServices(config);
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    serverFactory: hardenedServerFactory(config.HTTP_REQUEST_TIMEOUT_MS),
    // Ids and names only in logs: Fastify's own request logging stays off (pino logs come from Nest).
    logger: false,
    frameworkErrors,
    clientErrorHandler,
  });
  const fastify = adapter.getInstance();
  answerMethodNotAllowed(fastify);
  answerOversizedBodies(fastify);
  // The HTTP server span is named by route template (`GET /v1/jobs/:id`), not by method alone.
  fastify.addHook('onRequest', (request, _reply, done) => {
    setHttpRoute(request.routeOptions.url);
    done();
  });
  fastify.addHook('preValidation', async (request) => {
    const type = request.headers['content-type'] ?? '';
    if (request.method === 'POST' && request.body !== undefined && !/^application\/json\b/i.test(type)) {
      throw new ProblemError(
        415,
        'Unsupported media type',
        'send the body as JSON with the header content-type: application/json',
      );
    }
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.register(services), adapter, {
    logger: new NestPinoLogger('switchyard-api'),
  });
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalGuards(new ScopeGuard(app.get(Reflector)));
  app.enableShutdownHooks();
  if (!keys) {
    new Logger('Auth').warn(
      'AUTH=none: the api accepts requests without a key; every caller is tenant "anonymous" with every scope. Never expose it.',
    );
  }
  installSecurityHeaders(fastify);
  if (config.CORS_ORIGINS.length > 0) app.enableCors({ origin: config.CORS_ORIGINS });
  // After the security headers (so a 401 carries them too) and before the rate limit, which counts by key.
  installAuthentication(fastify, keys);
  await installRateLimit(app, config.RATE_LIMIT, services.redis, config.QUEUE_PREFIX);
  // After the hooks above, so the dashboard's routes get authentication (admin scope) and rate limits.
  await installQueueDashboard(app, services);
  const document = buildApiDocument(app, { catalog: services.catalog, limits: config });
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  if (config.ADMIN_PORT !== undefined) {
    const admin = adminServer(document);
    await admin.listen(config.ADMIN_PORT, config.HOST);
    fastify.addHook('onClose', async () => admin.close());
  }
  await app.listen(config.PORT, config.HOST);
  return app;
}
