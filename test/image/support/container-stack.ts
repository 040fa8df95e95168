import { randomBytes } from 'node:crypto';
import { docker } from './docker-cli';

// The apps run as a user would run them in production: read-only root filesystem (a tmpfs /tmp only),
// uid 1000, every capability dropped, no privilege escalation, each on a private Docker network with
// Redis. Every name carries the run's id, and stop() removes what start made even after a failure.

export interface AppContainer {
  name: string;
  /** The app's HTTP port inside the container (api PORT, consumers HEALTH_PORT). */
  port: number;
  /** http://127.0.0.1:<published port> */
  baseUrl: string;
}

export interface AppSpec {
  /** Suffix of the container's name, e.g. `compute-threads`. */
  role: string;
  /** Entry point under dist/, e.g. `dist/apps/compute/src/main.js`. */
  main: string;
  port: number;
  env?: Record<string, string>;
}

/** `docker run` flags that lock a container down the way the chart's securityContext does. */
export const LOCKED_DOWN = [
  '--read-only',
  '--tmpfs',
  '/tmp',
  '--user',
  '1000:1000',
  '--cap-drop',
  'ALL',
  '--security-opt',
  'no-new-privileges',
];

export class ContainerStack {
  readonly id = `switchyard-it-${randomBytes(4).toString('hex')}`;
  readonly network = this.id;
  readonly redisUrl = `redis://${this.id}-redis:6379`;
  private readonly containers: string[] = [];

  constructor(
    private readonly image: string,
    private readonly redisImage: string,
    /** Environment every app gets. */
    private readonly commonEnv: Record<string, string>,
  ) {}

  async startRedis(): Promise<void> {
    await docker(['network', 'create', this.network]);
    const name = `${this.id}-redis`;
    this.containers.push(name);
    // No password on this private network, so protected mode (which refuses remote clients then) goes off.
    await docker([
      'run',
      '--detach',
      '--name',
      name,
      '--network',
      this.network,
      this.redisImage,
      'redis-server',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
      '--protected-mode',
      'no',
    ]);
  }

  async startApp({ role, main, port, env = {} }: AppSpec): Promise<AppContainer> {
    const name = `${this.id}-${role}`;
    this.containers.push(name);
    const environment = Object.entries({ ...this.commonEnv, REDIS_URL: this.redisUrl, ...env }).flatMap(
      ([key, value]) => ['--env', `${key}=${value}`],
    );
    await docker([
      'run',
      '--detach',
      '--name',
      name,
      '--network',
      this.network,
      ...LOCKED_DOWN,
      ...environment,
      '--publish',
      `127.0.0.1::${port}`,
      this.image,
      main,
    ]);
    return { name, port, baseUrl: await this.publishedUrl(name, port) };
  }

  /** The loopback URL Docker published the container's port on (a free port it chose). */
  async publishedUrl(name: string, port: number): Promise<string> {
    const published = await docker(['port', name, `${port}/tcp`]);
    const address = published.split('\n').find((line) => line.startsWith('127.0.0.1:'));
    if (!address) throw new Error(`${name}: port ${port} is not published on 127.0.0.1 (${published})`);
    return `http://${address}`;
  }

  async logs(name: string): Promise<string> {
    return docker(['logs', '--tail', '60', name]).catch((error: Error) => error.message);
  }

  async stop(): Promise<void> {
    if (this.containers.length > 0)
      await docker(['rm', '--force', '--volumes', ...this.containers]).catch(() => '');
    await docker(['network', 'rm', this.network]).catch(() => '');
  }
}

/** A container's state as `docker inspect` reports it. */
export async function containerState(
  name: string,
): Promise<{ Running: boolean; ExitCode: number; StartedAt: string; FinishedAt: string }> {
  return JSON.parse(await docker(['inspect', '--format', '{{json .State}}', name])) as {
    Running: boolean;
    ExitCode: number;
    StartedAt: string;
    FinishedAt: string;
  };
}

/** Fields of /proc/1/status inside a running container (Uid, CapEff…): what PID 1 really runs with. */
export async function pid1Status(name: string): Promise<Record<string, string>> {
  const status = await docker(['exec', name, 'cat', '/proc/1/status']);
  return Object.fromEntries(
    status.split('\n').map((line) => {
      const [key, ...rest] = line.split(':');
      return [key, rest.join(':').trim()];
    }),
  );
}
