import type { RuntimeStatsSnapshot } from '@switchyard/telemetry';

/** What a consumer serves on `GET /stats` for the time since the last `?reset=1` (its runtime part). */
export type ConsumerStats = RuntimeStatsSnapshot;

/** One consumer replica whose `/stats` the lab reads. */
export interface ConsumerEndpoint {
  service: string;
  replica: number;
  statsUrl: string;
}

/** Reads a consumer's `/stats`; `reset` starts a new measurement window. Undefined when unreachable. */
export async function readConsumerStats(url: string, reset = false): Promise<ConsumerStats | undefined> {
  try {
    const response = await fetch(reset ? `${url}?reset=1` : url, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) return undefined;
    return (await response.json()) as ConsumerStats;
  } catch {
    return undefined;
  }
}
