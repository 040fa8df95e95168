import type { Attributes } from '@opentelemetry/api';
import type { IAttributesProcessor, ViewOptions } from '@opentelemetry/sdk-metrics';

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

/**
 * The SDK's allow-list processor, minus its copy when nothing is to be dropped: it runs on every
 * measurement, and Switchyard's own (several per job) carry only allowed labels, in objects
 * `SwitchyardMetrics` builds once per label set.
 */
class MetricAttributesAllowlist implements IAttributesProcessor {
  readonly #allowed: ReadonlySet<string> = new Set(METRIC_ATTRIBUTES);

  process(incoming: Attributes): Attributes {
    for (const key in incoming) {
      if (!this.#allowed.has(key)) return this.#filtered(incoming);
    }
    return incoming;
  }

  #filtered(incoming: Attributes): Attributes {
    const kept: Attributes = {};
    for (const key in incoming) {
      if (this.#allowed.has(key)) kept[key] = incoming[key];
    }
    return kept;
  }
}

/** One view over every instrument: the attributes above and no other. */
export const METRIC_ATTRIBUTES_VIEW: ViewOptions = {
  instrumentName: '*',
  attributesProcessors: [new MetricAttributesAllowlist()],
};
