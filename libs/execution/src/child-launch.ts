import { spawnSync } from 'node:child_process';

/** How ChildProcessPool forks a child: the program to run and the arguments before the entry. */
export interface ChildLaunch {
  execPath: string;
  execArgv: string[];
}

let pdeathsigWorks: boolean | undefined;

/** Whether util-linux's `setpriv --pdeathsig` runs here (Linux with util-linux ≥ 2.33). Asked once. */
function setprivPdeathsigWorks(): boolean {
  pdeathsigWorks ??=
    process.platform === 'linux' &&
    spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true'], { stdio: 'ignore', timeout: 5_000 })
      .status === 0;
  return pdeathsigWorks;
}

/**
 * Starts children so that they die with this process, even when it is SIGKILLed and even while a child
 * is busy in a synchronous loop that will never look at its IPC channel.
 *
 * Linux can do this in the kernel: prctl(PR_SET_PDEATHSIG) makes the parent's death send the child a
 * signal. Node has no binding for prctl, but util-linux's `setpriv --pdeathsig KILL` sets it and then
 * execs node in the same process (the flag survives execve; the pid is node's), so the pool forks
 * `setpriv … -- node <args>` instead of node. It is in every Debian/Ubuntu image (util-linux is
 * essential), the project's runtime image included. Where it is missing (macOS, a bare Alpine), the
 * child falls back to noticing for itself (see process-task.child.ts): at once when idle, at its next
 * progress report when busy; a runaway that reports nothing then lives until its task ends.
 */
export function childLaunch(extraExecArgv: readonly string[]): ChildLaunch {
  const nodeArgs = [...process.execArgv, ...extraExecArgv];
  if (!setprivPdeathsigWorks()) return { execPath: process.execPath, execArgv: nodeArgs };
  return { execPath: 'setpriv', execArgv: ['--pdeathsig', 'KILL', '--', process.execPath, ...nodeArgs] };
}
