import 'reflect-metadata';
import helmet from '@fastify/helmet';
import { Logger } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ApiKeysError, loadApiKeys, type ApiKeyRing } from '@switchyard/auth';
import { ConfigError, loadConfig, type SwitchyardConfig } from '@switchyard/config';
import { ProblemError } from '@switchyard/contracts';
import { NestPinoLogger, setHttpRoute } from '@switchyard/telemetry';
import type { Redis } from 'ioredis';
import { ApiModule } from './api.module';
import { REDIS } from './api.tokens';
import { ProblemDetailsFilter } from './problem-details.filter';
import { adminServer } from './security/admin-server';
import { installAuthentication } from './security/authenticate.hook';
import { hardenedServerFactory } from './security/http-server';
import { clientErrorHandler, frameworkErrors } from './security/malformed-requests';
import { installRateLimit } from './security/rate-limit';
import { ScopeGuard } from './security/require-scope';

const BODY_LIMIT_BYTES = 1_048_576;

/** Config and keys, or exit 78 (EX_CONFIG) naming what to fix: the api never runs open by accident. */
function loadStartupSettings(): { config: SwitchyardConfig; keys?: ApiKeyRing } {
  try {
    const config = loadConfig();
    if (config.AUTH === 'none') return { config };
    const keys = loadApiKeys(config);
    if (keys.size === 0) {
      throw new ConfigError(
        'no API keys: set API_KEYS or API_KEYS_FILE (create a key with `switchyard keys create --tenant <t> --scopes jobs:write+jobs:read`), or AUTH=none for local use only',
      );
    }
    return { config, keys };
  } catch (error) {
    if (!(error instanceof ConfigError) && !(error instanceof ApiKeysError)) throw error;
    console.error(`switchyard-api: ${error.message}`);
    process.exit(78);
  }
}

export async function bootstrapApi(): Promise<NestFastifyApplication> {
  const { config, keys } = loadStartupSettings();
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    serverFactory: hardenedServerFactory(config.HTTP_REQUEST_TIMEOUT_MS),
    // Ids and names only in logs: Fastify's own request logging stays off (pino logs come from Nest).
    logger: false,
    frameworkErrors,
    clientErrorHandler,
  });
  const fastify = adapter.getInstance();
  // The HTTP server span is named by route template (`GET /v1/jobs/:id`), not by method alone.
  fastify.addHook('onRequest', async (request) => setHttpRoute(request.routeOptions.url));
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
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule, adapter, {
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
  await app.register(helmet, {
    // The Swagger UI at /docs runs inline scripts and styles; the API itself serves JSON only.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
  });
  if (config.CORS_ORIGINS.length > 0) app.enableCors({ origin: config.CORS_ORIGINS });
  // After helmet (so a 401 carries its headers too) and before the rate limit, which counts by key.
  installAuthentication(fastify, keys);
  await installRateLimit(app, config.RATE_LIMIT, app.get<Redis>(REDIS), config.QUEUE_PREFIX);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Switchyard')
      .setDescription(
        'Submit jobs by task and profile; they run on the event loop, worker threads or child processes.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  if (config.ADMIN_PORT !== undefined) {
    const admin = adminServer(document);
    await admin.listen(config.ADMIN_PORT, config.HOST);
    fastify.addHook('onClose', async () => admin.close());
  }
  await app.listen(config.PORT, config.HOST);
  return app;
}
