/** The part of autocannon 9's API the HTTP latency bench uses (the package ships no types). */
declare module 'autocannon' {
  interface AutocannonOptions {
    url: string;
    method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
    headers?: Record<string, string>;
    body?: string;
    /** Concurrent connections. @defaultValue 10 */
    connections?: number;
    /** Seconds to run. @defaultValue 10 */
    duration?: number;
    /** Requests per second across all connections; unset: as fast as the server answers. */
    overallRate?: number;
  }
  interface Histogram {
    average: number;
    p50: number;
    p90: number;
    p99: number;
    max: number;
  }
  interface AutocannonResult {
    /** Per second. */
    requests: Histogram & { total: number };
    /** Milliseconds, corrected for coordinated omission when a rate is set. */
    latency: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
  }
  function autocannon(options: AutocannonOptions): Promise<AutocannonResult>;
  export = autocannon;
}
