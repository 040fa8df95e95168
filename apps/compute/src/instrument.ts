import { startTelemetry } from '@switchyard/telemetry';

startTelemetry({ serviceName: 'switchyard-compute', redisCommandSpans: false });
