const { startSwitchyardSide } = require('./dist/bench/support/queue-sides');
const { cpuMillis } = require('./dist/bench/support/process-cpu');
const autocannon = require('autocannon');
(async () => {
  const side = await startSwitchyardSide({ subject: 'S', consumers: [{ name: 'io-consumer', app: 'io-consumer' }], job: { task: 'io.sleep', payload: { ms: 0 } }, env: { NODE_OPTIONS: '--experimental-async-context-frame --cpu-prof --cpu-prof-dir=/tmp/httpprof' } });
  const api = side.processes.find((p) => p.role === 'api').pid;
  const run = (seconds, rate) => autocannon({ url: `${side.apiUrl}/v1/jobs`, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: 'cpu.primes', payload: { limit: 100 } }), connections: 32, duration: seconds, overallRate: rate });
  await run(2);
  for (let i = 0; i < 3; i++) {
    const before = cpuMillis(api);
    const r = await run(8, 1500);
    const cpu = cpuMillis(api) - before;
    console.log(`api CPU per POST ${(cpu * 1000 / r.requests.total).toFixed(0)} µs; p50 ${r.latency.p50} p99 ${r.latency.p99} ms; ${r.requests.total} req; load ${require('os').loadavg()[0].toFixed(1)}`);
  }
  await side.stop();
})();
