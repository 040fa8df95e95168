import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { docker } from './docker-cli';

export const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
export const dockerfilePath = path.join(repoRoot, 'docker', 'Dockerfile');

/** The two builders of a Docker engine; both must build docker/Dockerfile with no registry reachable. */
export type Builder = 'classic' | 'buildkit';

/** The base image scripts/test-image.mjs chose (node:22-bookworm-slim or its stand-in). */
export function nodeBaseImage(): string {
  const image = process.env.NODE_IMAGE;
  if (!image) throw new Error('NODE_IMAGE is unset: run the image tests with `npm run test:image`');
  return image;
}

/** The Redis image scripts/test-image.mjs chose (redis:7.4.2-bookworm or its stand-in). */
export function redisImage(): string {
  const image = process.env.REDIS_IMAGE;
  if (!image) throw new Error('REDIS_IMAGE is unset: run the image tests with `npm run test:image`');
  return image;
}

export function imageTag(builder: Builder): string {
  return `switchyard:image-test-${builder}`;
}

export const revision = execFileSync('git', ['rev-parse', 'HEAD'], {
  cwd: repoRoot,
  encoding: 'utf8',
}).trim();

/**
 * Builds the image from the repository root with the real Dockerfile. Docker's layer cache makes a second
 * build of the same sources take seconds, so every test file may call this for the image it runs.
 */
export async function buildSwitchyardImage(builder: Builder): Promise<string> {
  const tag = imageTag(builder);
  await docker(
    [
      'build',
      '--file',
      dockerfilePath,
      '--tag',
      tag,
      '--build-arg',
      `NODE_IMAGE=${nodeBaseImage()}`,
      '--build-arg',
      `REVISION=${revision}`,
      repoRoot,
    ],
    { env: { DOCKER_BUILDKIT: builder === 'buildkit' ? '1' : '0' } },
  );
  return tag;
}

export async function imageSizeBytes(tag: string): Promise<number> {
  return Number(await docker(['image', 'inspect', '--format', '{{.Size}}', tag]));
}
