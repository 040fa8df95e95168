import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ConfigError, loadConfig } from '@switchyard/config';
import { ProblemError } from '@switchyard/contracts';
import { NestPinoLogger, setHttpRoute } from '@switchyard/telemetry';
import { ApiModule } from './api.module';
import { ProblemDetailsFilter } from './problem-details.filter';

const BODY_LIMIT_BYTES = 1_048_576;

export async function bootstrapApi(): Promise<NestFastifyApplication> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`switchyard-api: ${error.message}`);
    process.exit(78); // EX_CONFIG
  }
  const adapter = new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES });
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
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Switchyard')
      .setDescription(
        'Submit jobs by task and profile; they run on the event loop, worker threads or child processes.',
      )
      .setVersion('1')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  await app.listen(config.PORT, config.HOST);
  return app;
}
