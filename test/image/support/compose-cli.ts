import { docker, dockerBinary, run } from './docker-cli';

/** One Compose implementation: v1 is Debian's `docker-compose`, v2 the `docker compose` CLI plugin. */
export interface ComposeCli {
  version: 'v1' | 'v2';
  binary: string;
  prefix: string[];
}

const CANDIDATES: ComposeCli[] = [
  { version: 'v1', binary: '/usr/bin/docker-compose', prefix: [] },
  // The standalone v2 binary scripts/test-image.mjs builds when the `docker compose` plugin is missing.
  ...(process.env.COMPOSE_V2_BINARY
    ? [{ version: 'v2' as const, binary: process.env.COMPOSE_V2_BINARY, prefix: [] }]
    : []),
  { version: 'v2', binary: dockerBinary(), prefix: ['compose'] },
  { version: 'v2', binary: 'docker', prefix: ['compose'] },
];

/** The Compose CLI of `version` installed here, or undefined. */
export async function findCompose(version: ComposeCli['version']): Promise<ComposeCli | undefined> {
  for (const cli of CANDIDATES.filter((candidate) => candidate.version === version)) {
    const works = await run(cli.binary, [...cli.prefix, 'version']).then(
      () => true,
      () => false,
    );
    if (works) return cli;
  }
  return undefined;
}

/** A Compose project of docker/compose.yaml with its own name, so several runs never share containers. */
export class ComposeProject {
  constructor(
    readonly cli: ComposeCli,
    readonly project: string,
    private readonly composeFile: string,
    /** Variables the compose file interpolates (SWITCHYARD_IMAGE, …). */
    private readonly env: Record<string, string>,
  ) {}

  compose(args: string[]): Promise<string> {
    return run(
      this.cli.binary,
      [...this.cli.prefix, '--project-name', this.project, '--file', this.composeFile, ...args],
      {
        env: this.env,
      },
    );
  }

  /** The container id of a service's first replica. */
  async containerOf(service: string): Promise<string> {
    const id = (await this.compose(['ps', '--quiet', service])).trim().split('\n')[0];
    if (!id) throw new Error(`compose runs no ${service} container`);
    return id;
  }

  async logs(): Promise<string> {
    return this.compose(['logs', '--no-color', '--tail', '40']).catch((error: Error) => error.message);
  }

  async down(): Promise<void> {
    await this.compose(['down', '--volumes', '--remove-orphans', '--timeout', '30']);
  }
}

/** Runs a command in a running container. */
export function execIn(container: string, args: string[]): Promise<string> {
  return docker(['exec', container, ...args]);
}
