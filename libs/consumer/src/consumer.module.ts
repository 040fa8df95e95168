import { Module, type DynamicModule } from '@nestjs/common';
import type { SwitchyardConfig } from '@switchyard/config';
import type { ConsumerSpec } from './consumer-spec';
import { ConsumerService } from './consumer.service';
import { CONSUMER_CONFIG, CONSUMER_SPEC } from './consumer.tokens';

/** The whole of a consumer app: no controllers, one service. */
@Module({})
export class ConsumerModule {
  static register(spec: ConsumerSpec, config: SwitchyardConfig): DynamicModule {
    return {
      module: ConsumerModule,
      providers: [
        { provide: CONSUMER_SPEC, useValue: spec },
        { provide: CONSUMER_CONFIG, useValue: config },
        ConsumerService,
      ],
    };
  }
}
