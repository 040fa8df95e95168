import type { StackServiceSpec } from '@switchyard/local-stack';

/** The lanes the demo adds so that one run shows every execution model side by side. */
export const DEMO_CPU_LANES = {
  'worker-threads': 'cpu',
  processes: 'cpu-processes',
  inline: 'cpu-inline',
} as const;

/** `npm start`: one of each app, on the usual ports. */
export function defaultServices(): StackServiceSpec[] {
  return [
    { name: 'api', app: 'api', port: Number(process.env.PORT ?? 3000) },
    { name: 'io-consumer', app: 'io-consumer', port: 3001 },
    { name: 'compute', app: 'compute', port: 3002 },
  ];
}

/** `npm run demo`: api, io-consumer and one compute per execution model, on free ports. */
export function demoServices(): StackServiceSpec[] {
  return [
    { name: 'api', app: 'api' },
    { name: 'io-consumer', app: 'io-consumer' },
    ...Object.entries(DEMO_CPU_LANES).map(([model, lane]) => ({
      name: `compute-${model}`,
      app: 'compute' as const,
      env: { LANE: lane, EXECUTION_MODEL: model },
    })),
  ];
}
