import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '@switchyard/config';
import { NestPinoLogger } from '@switchyard/telemetry';
import type { ConsumerSpec } from './consumer-spec';
import { ConsumerModule } from './consumer.module';

/** Entry point shared by io-consumer and compute: validate config (or exit 78), init Nest, then consume. */
export async function runConsumer(spec: ConsumerSpec): Promise<void> {
  const config = loadConfigOrExit(`switchyard-${spec.service}`);
  const app = await NestFactory.createApplicationContext(ConsumerModule.register(spec, config), {
    logger: new NestPinoLogger(`switchyard-${spec.service}`),
  });
  app.enableShutdownHooks();
}
