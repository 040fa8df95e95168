import { parseArgs } from 'node:util';
import { runStack } from '@switchyard/demo';

const USAGE = `usage: switchyard-stack [--demo]

Runs api, io-consumer and compute as local processes (REDIS_URL, or a private redis-server when
nothing answers there) until Ctrl-C. With --demo: one compute per execution model, a mixed
workload over REST, a summary table, then a clean exit.`;

function main(): void {
  let demo = false;
  try {
    const { values } = parseArgs({
      options: { demo: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      console.log(USAGE);
      return;
    }
    demo = values.demo ?? false;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  runStack({ demo }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}

main();
