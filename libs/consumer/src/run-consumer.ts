import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig, type SwitchyardConfig } from '@switchyard/config';
import { NestPinoLogger } from '@switchyard/telemetry';
import type { ConsumerSpec } from './consumer-spec';
import { ConsumerModule } from './consumer.module';

/** Entry point shared by io-consumer and compute: validate config, init Nest, then consume. */
export async function runConsumer(spec: ConsumerSpec): Promise<void> {
  let config: SwitchyardConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`switchyard-${spec.service}: ${error.message}`);
    process.exit(78); // EX_CONFIG
  }
  const app = await NestFactory.createApplicationContext(ConsumerModule.register(spec, config), {
    logger: new NestPinoLogger(`switchyard-${spec.service}`),
  });
  app.enableShutdownHooks();
}
