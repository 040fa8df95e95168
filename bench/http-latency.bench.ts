import autocannon from 'autocannon';
import { cpuMillis } from './support/process-cpu';

export interface SubmitLatency {
  /** Requests per second the api answered with as many connections as it could take. */
  peakPerSecond: number;
  /** The fixed rate of the second run: half the peak. */
  ratePerSecond: number;
  /** Latency at that rate, in ms (autocannon corrects for coordinated omission). */
  p50: number;
  p99: number;
  /** The api process's CPU per request during the half-rate run (all its threads), when its pid is known. */
  apiCpuMicrosPerRequest?: number;
}

/** Enough connections to saturate one api process on a small machine, and to hold half its peak. */
const CONNECTIONS = 32;

async function post(url: string, body: string, seconds: number, overallRate?: number) {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: CONNECTIONS,
    duration: seconds,
    overallRate,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(
      `POST ${url}: ${result.non2xx} answers other than 2xx and ${result.errors} errors out of ${result.requests.total}: raise the api's limits`,
    );
  }
  return result;
}

/**
 * `POST /v1/jobs` with autocannon: first as fast as the api answers (the peak), then at a fixed half of that
 * rate, where a user's p99 is read. The job goes to a lane nobody consumes, so only the api and Redis work.
 */
export async function submitLatency(
  apiUrl: string,
  seconds: number,
  apiPid?: number,
): Promise<SubmitLatency> {
  const url = `${apiUrl}/v1/jobs`;
  const body = JSON.stringify({ task: 'cpu.primes', payload: { limit: 100 } });
  await post(url, body, 1); // warm-up: JIT, connections, Redis scripts loaded
  const peak = await post(url, body, seconds);
  const ratePerSecond = Math.round(peak.requests.average / 2);
  const cpuBefore = apiPid === undefined ? 0 : cpuMillis(apiPid);
  const half = await post(url, body, seconds * 2, ratePerSecond);
  const apiCpuMicrosPerRequest =
    apiPid === undefined ? undefined : ((cpuMillis(apiPid) - cpuBefore) * 1000) / half.requests.total;
  return {
    apiCpuMicrosPerRequest,
    peakPerSecond: peak.requests.average,
    ratePerSecond,
    p50: half.latency.p50,
    p99: half.latency.p99,
  };
}
