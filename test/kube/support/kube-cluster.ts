/**
 * A real Kubernetes control plane's API half on loopback: etcd and kube-apiserver (built from the Go
 * module proxy by scripts/test-infra.mjs), a throwaway self-signed serving certificate, a static admin
 * token and a service-account signing key, all in a temp dir. No controller-manager, no scheduler, no
 * kubelet: objects are stored, validated, defaulted and admitted for real, but no pod ever runs and no
 * Deployment status changes unless a test writes it.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@switchyard/local-stack';
import { infraTool, InfraProcess } from '../../jaeger/support/infra-binary';

export interface KubeCluster {
  /** https://127.0.0.1:<port> */
  server: string;
  /** The server's version, as it reports it (`/version`). */
  version: string;
  /** A kubeconfig whose current context is the cluster's admin (the static token, group system:masters). */
  kubeconfigPath: string;
  dir: string;
  /** Runs kubectl against the cluster; throws with its stderr unless it exits 0. */
  kubectl(args: readonly string[], input?: string): string;
  stop(): Promise<void>;
}

/** Why the real cluster cannot run here, or undefined when both binaries are built. */
export async function kubeClusterUnavailable(): Promise<string | undefined> {
  const reasons: string[] = [];
  for (const name of ['etcd', 'kube-apiserver'] as const) {
    const tool = await infraTool(name);
    if (!('path' in tool)) reasons.push(tool.reason);
  }
  return reasons.length > 0 ? reasons.join('\n') : undefined;
}

async function binary(name: 'etcd' | 'kube-apiserver'): Promise<string> {
  const tool = await infraTool(name);
  if (!('path' in tool)) throw new Error(tool.reason);
  return tool.path;
}

function openssl(args: readonly string[], cwd: string): void {
  const result = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr || result.error}`);
}

/** A self-signed certificate for 127.0.0.1/localhost (also the CA the kubeconfig trusts) and the SA key pair. */
function writeCredentials(dir: string): { token: string } {
  openssl(
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
      ...['-keyout', 'serving.key', '-out', 'serving.crt', '-subj', '/CN=kube-apiserver'],
      ...['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    ],
    dir,
  );
  openssl(['genrsa', '-out', 'sa.key', '2048'], dir);
  openssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  const token = randomBytes(24).toString('hex');
  // token,user,uid,"group1,group2": system:masters passes every RBAC check, as a cluster admin does.
  writeFileSync(path.join(dir, 'tokens.csv'), `${token},switchyard-test-admin,1,"system:masters"\n`);
  return { token };
}

function kubeconfig(server: string, caFile: string, token: string): string {
  const ca = readFileSync(caFile).toString('base64');
  return `apiVersion: v1
kind: Config
clusters:
  - name: test
    cluster:
      server: ${server}
      certificate-authority-data: ${ca}
users:
  - name: admin
    user:
      token: ${token}
contexts:
  - name: test
    context:
      cluster: test
      user: admin
current-context: test
`;
}

export async function startKubeCluster(kubectlPath: string): Promise<KubeCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-kube-'));
  const { token } = writeCredentials(dir);
  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const etcd = InfraProcess.start(
    'etcd',
    await binary('etcd'),
    [
      ...['--name', 'test', '--data-dir', path.join(dir, 'etcd')],
      ...['--listen-client-urls', etcdUrl, '--advertise-client-urls', etcdUrl],
      ...['--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl],
      ...['--initial-cluster', `test=${peerUrl}`, '--log-level', 'warn'],
    ],
    path.join(dir, 'etcd.log'),
  );
  const stopped: InfraProcess[] = [etcd];
  const stop = async () => {
    for (const server of [...stopped].reverse()) await server.stop();
    // etcd preallocates a 64 MB write-ahead log; the logs beside it stay for a failure's post-mortem.
    rmSync(path.join(dir, 'etcd'), { recursive: true, force: true });
  };
  try {
    await etcd.waitUntil(async () => (await fetch(`${etcdUrl}/health`)).ok, 30_000);
    const apiserver = InfraProcess.start(
      'kube-apiserver',
      await binary('kube-apiserver'),
      [
        `--etcd-servers=${etcdUrl}`,
        ...['--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`],
        `--tls-cert-file=${path.join(dir, 'serving.crt')}`,
        `--tls-private-key-file=${path.join(dir, 'serving.key')}`,
        `--cert-dir=${path.join(dir, 'certs')}`,
        `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
        '--authorization-mode=RBAC',
        `--service-account-key-file=${path.join(dir, 'sa.pub')}`,
        `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
        '--service-account-issuer=https://kubernetes.default.svc',
        '--service-cluster-ip-range=10.96.0.0/16',
      ],
      path.join(dir, 'kube-apiserver.log'),
    );
    stopped.push(apiserver);
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfigPath = path.join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfig(server, path.join(dir, 'serving.crt'), token));
    const kubectl = (args: readonly string[], input?: string) => {
      const result = spawnSync(kubectlPath, ['--kubeconfig', kubeconfigPath, ...args], {
        encoding: 'utf8',
        input,
        maxBuffer: 64 * 1024 * 1024,
      });
      if (result.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed:\n${result.stderr}`);
      return result.stdout;
    };
    // /readyz: etcd reached, every post-start hook (RBAC bootstrap roles, the default namespace) done.
    await apiserver.waitUntil(async () => {
      const result = spawnSync(kubectlPath, ['--kubeconfig', kubeconfigPath, 'get', '--raw', '/readyz'], {
        encoding: 'utf8',
      });
      return result.status === 0 && result.stdout.trim() === 'ok';
    }, 120_000);
    const { gitVersion } = JSON.parse(kubectl(['get', '--raw', '/version'])) as { gitVersion: string };
    return { server, version: gitVersion, kubeconfigPath, dir, kubectl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
