import { spawn } from 'node:child_process';

export interface FixtureRun<Result> {
  /** The fixture's `{"fixture":"result", …}` line. */
  result: Result;
  /** Every other stdout line that parsed as JSON: the fixture's log lines. */
  logLines: Record<string, unknown>[];
  stderr: string;
}

/**
 * Runs a compiled fixture script in its own Node process with `env` added to a clean copy of
 * this one's (OTEL_* variables removed, so only the test decides them), and returns its result line.
 * @throws when the fixture exits non-zero or prints no result line, with its stderr.
 */
export async function runNodeFixture<Result>(
  script: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<FixtureRun<Result>> {
  const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')));
  const child = spawn(process.execPath, [script], {
    env: { ...baseEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const lines = stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const resultLine = lines.find((line) => line.fixture === 'result');
  if (code !== 0 || !resultLine) {
    throw new Error(
      `fixture ${script} exited with ${code} and ${resultLine ? 'a' : 'no'} result line; stderr:\n${stderr}`,
    );
  }
  return { result: resultLine as Result, logLines: lines.filter((line) => line !== resultLine), stderr };
}
