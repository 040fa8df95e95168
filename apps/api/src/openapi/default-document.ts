import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { loadConfig } from '@switchyard/config';
import { catalogOptionsFrom, createTaskCatalog } from '@switchyard/tasks';
import { ApiModule } from '../api.module';
import type { ApiServices } from '../api-services';
import { buildApiDocument } from './api-document';

/**
 * The document an api with the default configuration serves, built without Redis: Nest's preview mode
 * reads the modules and controllers without instantiating any provider, so only the config and the
 * catalog (which the document is made of) are real; the other services are never built or called.
 * `npm run openapi:write` writes it to docs/openapi.json.
 */
export async function defaultApiDocument(): Promise<OpenAPIObject> {
  const config = loadConfig({});
  const catalog = createTaskCatalog(catalogOptionsFrom(config));
  const services = { config, catalog } as ApiServices;
  const app = await NestFactory.create(ApiModule.register(services), new FastifyAdapter(), {
    preview: true,
    logger: false,
  });
  try {
    return buildApiDocument(app, { catalog, limits: config });
  } finally {
    await app.close();
  }
}
