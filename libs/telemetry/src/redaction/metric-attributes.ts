import { createAllowListAttributesProcessor, type ViewOptions } from '@opentelemetry/sdk-metrics';

/**
 * The only metric attributes (Prometheus labels) any series may carry: names from the catalog and
 * the configuration, closed sets of states, and the HTTP route template. A label's every value is
 * a new series, so a value a client sent (a Host header, a path) would also be unbounded
 * cardinality. Any other attribute an instrumentation adds is dropped from every series.
 */
const METRIC_ATTRIBUTES = [
  // switchyard-metrics.ts
  'switchyard.task',
  'switchyard.lane',
  'switchyard.profile',
  'switchyard.execution.model',
  'switchyard.outcome',
  'switchyard.job.state',
  // process-metrics.ts and the runtime-node instrumentation
  'cpu.mode',
  'nodejs.eventloop.state',
  'v8js.heap.space.name',
  'v8js.gc.type',
  'v8js.resource.type',
  // the HTTP instrumentation's request duration
  'http.request.method',
  'http.response.status_code',
  'http.route',
  'url.scheme',
  'network.protocol.name',
  'network.protocol.version',
  'error.type',
];

/** One view over every instrument: the attributes above and no other. */
export const METRIC_ATTRIBUTES_VIEW: ViewOptions = {
  instrumentName: '*',
  attributesProcessors: [createAllowListAttributesProcessor(METRIC_ATTRIBUTES)],
};
