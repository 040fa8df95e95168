import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Debian's docker client when installed: it matches Debian's dockerd (API 1.41) and drives the daemon's
 * own BuildKit with DOCKER_BUILDKIT=1, where a newer client would want a buildx plugin it may not have.
 * Looked up on each call, since the test may install docker.io after this module loads.
 */
export function dockerBinary(): string {
  return existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
}

export interface CommandOptions {
  /** Extra environment for the command. */
  env?: Record<string, string>;
  /** Written to the command's standard input. */
  input?: string | Buffer;
  /** Working directory. @defaultValue the current one */
  cwd?: string;
}

export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    // The tail is what says why a build or a `docker run` failed.
    super(`\`${command}\` exited ${exitCode}:\n${output.split('\n').slice(-40).join('\n')}`);
  }
}

/** Runs a command to its end and returns its standard output; stderr joins it in the error on failure. */
export function run(binary: string, args: string[], options: CommandOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const both: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => (stdout.push(chunk), both.push(chunk)));
    child.stderr.on('data', (chunk: Buffer) => both.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(stdout).toString('utf8'));
      else
        reject(new CommandError(`${binary} ${args.join(' ')}`, code, Buffer.concat(both).toString('utf8')));
    });
    child.stdin.end(options.input);
  });
}

/** `docker …`, output trimmed. */
export async function docker(args: string[], options: CommandOptions = {}): Promise<string> {
  return (await run(dockerBinary(), args, options)).trim();
}

/** True when `docker image inspect` finds the reference locally. */
export async function imageExists(reference: string): Promise<boolean> {
  return docker(['image', 'inspect', '--format', '{{.Id}}', reference]).then(
    () => true,
    () => false,
  );
}
