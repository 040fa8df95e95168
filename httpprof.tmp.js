const { startSwitchyardSide } = require('./dist/bench/support/queue-sides');
const { submitLatency } = require('./dist/bench/http-latency.bench');
(async () => {
  const side = await startSwitchyardSide({ subject: 'S', consumers: [{ name: 'io-consumer', app: 'io-consumer' }], job: { task: 'io.sleep', payload: { ms: 0 } },
    });
  for (let i = 0; i < 2; i++) { const l = await submitLatency(side.apiUrl, 5); console.log(JSON.stringify(l)); }
  await side.stop();
})();
