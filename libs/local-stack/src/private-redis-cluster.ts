import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { pollUntil } from '@switchyard/polling';
import { freePort } from './free-port';
import {
  endProcess,
  redisServerOnPath,
  spawnRedisServer,
  waitUntilRedisAnswers,
} from './redis-server-process';

export interface RedisClusterHandle {
  /** The masters' URLs, `redis://127.0.0.1:<port>` each (without the password), in slot order (the first holds slot 0). */
  nodeUrls: string[];
  /** `nodeUrls` joined by commas: the REDIS_URL of a service run with REDIS_MODE=cluster. */
  seeds: string;
  /** Ends one master (by its index in `nodeUrls`), as a lost node: its slots have no replica to take over. */
  stopNode(index: number): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisClusterOptions {
  /** How many masters (no replicas); redis-cli needs at least 3. @defaultValue 3 */
  masters?: number;
  /** How long the nodes may take to agree on `cluster_state:ok`. @defaultValue 20000 */
  timeoutMs?: number;
  /** Every node requires it (`requirepass`, and `masterauth` between nodes). @defaultValue none */
  password?: string;
}

/**
 * Starts a throw-away Redis Cluster of `masters` masters on free private ports of 127.0.0.1, each a
 * `redis-server --cluster-enabled yes` with its own temp dir (nothing persisted), joined by
 * `redis-cli --cluster create` (slots split evenly, in port order), and waits until every node
 * reports `cluster_state:ok`. `stop()` ends the nodes and removes their files.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const masters = options.masters ?? 3;
  const { password } = options;
  const auth = password === undefined ? [] : ['--requirepass', password, '--masterauth', password];
  if (!redisServerOnPath() || !redisServerOnPath('redis-cli')) {
    throw new Error(
      'redis-server or redis-cli is not on PATH: install the redis-server package (`npm test` does, as root on Debian)',
    );
  }
  const root = mkdtempSync(path.join(os.tmpdir(), 'switchyard-redis-cluster-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => endProcess(child, 'SIGTERM')));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    for (let index = 0; index < masters; index++) {
      const port = await freePort();
      const dir = path.join(root, String(port));
      mkdirSync(dir);
      ports.push(port);
      children.push(
        spawnRedisServer(port, dir, [
          '--save',
          '',
          '--appendonly',
          'no',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          path.join(dir, 'nodes.conf'),
          '--cluster-node-timeout',
          '5000',
          ...auth,
        ]),
      );
    }
    const nodeUrls = ports.map((port) => `redis://127.0.0.1:${port}`);
    for (const url of nodeUrls) {
      if (!(await waitUntilRedisAnswers(withPassword(url, password), 5_000)))
        throw new Error(`cluster node ${url} did not answer`);
    }
    const create = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((port) => `127.0.0.1:${port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      // REDISCLI_AUTH: the password stays out of argv.
      {
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, ...(password && { REDISCLI_AUTH: password }) },
      },
    );
    if (create.status !== 0) {
      throw new Error(
        `redis-cli --cluster create failed (${create.status}): ${create.stdout}${create.stderr}`,
      );
    }
    await Promise.all(
      nodeUrls.map((url) => waitForClusterOk(withPassword(url, password), options.timeoutMs ?? 20_000)),
    );
    const stopNode = async (index: number) => {
      const child = children[index];
      if (!child) throw new Error(`no cluster node ${index}: there are ${children.length}`);
      await endProcess(child, 'SIGKILL');
    };
    return { nodeUrls, seeds: nodeUrls.join(','), stopNode, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function withPassword(url: string, password: string | undefined): string {
  if (password === undefined) return url;
  const withAuth = new URL(url);
  withAuth.password = encodeURIComponent(password);
  return withAuth.toString();
}

async function waitForClusterOk(url: string, timeoutMs: number): Promise<void> {
  const node = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    await pollUntil(async () => (await node.cluster('INFO')).includes('cluster_state:ok'), {
      timeoutMs,
      what: `cluster_state:ok on ${url}`,
    });
  } finally {
    node.disconnect();
  }
}
