import { startTelemetry } from '@switchyard/telemetry';

startTelemetry({ serviceName: 'switchyard-io-consumer', redisCommandSpans: false });
