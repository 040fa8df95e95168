import type { StackServiceSpec } from '@switchyard/local-stack';

/** The lanes the demo adds so that one run shows every execution model side by side. */
export const DEMO_CPU_LANES = {
  'worker-threads': 'cpu',
  processes: 'cpu-processes',
  inline: 'cpu-inline',
} as const;

/** A port variable's value; undefined when unset or 0 (a free port is picked then). */
function portFrom(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`${name} must be a port number (0–65535), got "${raw}"`);
  }
  return port === 0 ? undefined : port;
}

/**
 * `npm start`: one of each app, on the usual ports: the api on PORT (3000), the io-consumer's health
 * port on HEALTH_PORT (3001) and the compute's on the next one (HEALTH_PORT + 1, 3002), since two
 * consumers on one host cannot share a port. 0 picks free ports.
 */
export function defaultServices(env: NodeJS.ProcessEnv = process.env): StackServiceSpec[] {
  const healthPort = env.HEALTH_PORT?.trim() ? portFrom(env, 'HEALTH_PORT') : 3001;
  return [
    { name: 'api', app: 'api', port: env.PORT?.trim() ? portFrom(env, 'PORT') : 3000 },
    { name: 'io-consumer', app: 'io-consumer', port: healthPort },
    { name: 'compute', app: 'compute', port: healthPort === undefined ? undefined : healthPort + 1 },
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
