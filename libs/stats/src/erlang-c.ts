/**
 * The M/M/c queue: Poisson arrivals at rate λ, c identical servers, exponential service at rate μ
 * each, first come first served, unlimited waiting room. a = λ/μ is the offered load in erlangs and
 * ρ = a/c the utilization; the queue is stable only for ρ < 1.
 */

/**
 * Erlang C: the probability that an arriving job waits (all c servers busy). Computed through the
 * Erlang B recursion B(k) = a·B(k−1) / (k + a·B(k−1)), which stays finite for hundreds of servers
 * where a^c / c! would overflow. 1 for an unstable queue (a ≥ c).
 */
export function erlangC(servers: number, offeredLoad: number): number {
  if (!Number.isInteger(servers) || servers < 1) throw new RangeError('servers must be a whole number ≥ 1');
  if (offeredLoad < 0) throw new RangeError('offeredLoad must be ≥ 0');
  if (offeredLoad >= servers) return 1;
  let erlangB = 1;
  for (let k = 1; k <= servers; k++) erlangB = (offeredLoad * erlangB) / (k + offeredLoad * erlangB);
  const utilization = offeredLoad / servers;
  return erlangB / (1 - utilization * (1 - erlangB));
}

/** Mean wait in the queue, E[W] = C / (cμ − λ), in the unit of 1/rate; Infinity when unstable. */
export function mmcMeanWait(servers: number, arrivalRate: number, serviceRate: number): number {
  const spare = servers * serviceRate - arrivalRate;
  return spare <= 0 ? Infinity : erlangC(servers, arrivalRate / serviceRate) / spare;
}

/**
 * P(T > t) for the response time T = wait + service. The wait is 0 with probability 1 − C, else
 * exponential at θ = cμ − λ; the service is exponential at μ, so T is a mixture of an exponential
 * and a hypoexponential (θ, μ).
 */
export function mmcResponseTimeTail(
  servers: number,
  arrivalRate: number,
  serviceRate: number,
  t: number,
): number {
  const theta = servers * serviceRate - arrivalRate;
  if (theta <= 0) return 1;
  const waits = erlangC(servers, arrivalRate / serviceRate);
  const service = Math.exp(-serviceRate * t);
  const waitedThenServed =
    Math.abs(theta - serviceRate) < 1e-9 * serviceRate
      ? (1 + serviceRate * t) * service
      : (theta * service - serviceRate * Math.exp(-theta * t)) / (theta - serviceRate);
  return (1 - waits) * service + waits * waitedThenServed;
}

/** The q-quantile (0–1) of the response time, by bisection on the tail; Infinity when unstable. */
export function mmcResponseTimeQuantile(
  servers: number,
  arrivalRate: number,
  serviceRate: number,
  quantile: number,
): number {
  if (servers * serviceRate <= arrivalRate) return Infinity;
  const tail = 1 - quantile;
  let high = 1 / serviceRate;
  while (mmcResponseTimeTail(servers, arrivalRate, serviceRate, high) > tail) high *= 2;
  let low = 0;
  for (let step = 0; step < 100; step++) {
    const middle = (low + high) / 2;
    if (mmcResponseTimeTail(servers, arrivalRate, serviceRate, middle) > tail) low = middle;
    else high = middle;
  }
  return high;
}

/**
 * The fewest servers whose response-time q-quantile is within `target` (same unit as 1/rate), or
 * undefined when even a server per job cannot reach it (the service alone takes longer).
 */
export function fewestServersFor(
  arrivalRate: number,
  serviceRate: number,
  target: number,
  quantile: number,
  maxServers = 10_000,
): number | undefined {
  for (
    let servers = Math.max(1, Math.floor(arrivalRate / serviceRate) + 1);
    servers <= maxServers;
    servers++
  ) {
    if (mmcResponseTimeQuantile(servers, arrivalRate, serviceRate, quantile) <= target) return servers;
    // Past a server per arriving job in one service time, more servers no longer shorten the tail much.
    if (erlangC(servers, arrivalRate / serviceRate) < 1e-9) return undefined;
  }
  return undefined;
}
