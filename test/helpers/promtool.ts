import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's `prometheus` package ships it (scripts/ensure-test-deps.mjs installs it). */
export const PROMTOOL = '/usr/bin/promtool';

/**
 * Pipes a Prometheus exposition to `promtool check metrics` (its lint: naming, units, suffixes, help
 * texts) and resolves with what it reports, or '' when it has nothing to say and exits 0.
 */
export function promtoolCheckMetrics(exposition: string): Promise<string> {
  if (!existsSync(PROMTOOL)) {
    return Promise.reject(new Error(`promtool is needed at ${PROMTOOL}: apt-get install -y prometheus`));
  }
  return new Promise((resolve, reject) => {
    const child = spawn(PROMTOOL, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve(code === 0 && output.trim() === '' ? '' : `exit ${code}: ${output}`));
    child.stdin.end(exposition);
  });
}
