import type { ChildProcess } from 'node:child_process';

export interface OwnedProcess {
  /** True once the child has exited, for whatever reason. */
  readonly exited: boolean;
  /** Resolves when the child exits. */
  readonly exit: Promise<void>;
  /** SIGTERM, then SIGKILL if it has not gone within the grace period. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * A server process this process started and owns: it is killed if we exit first (an uncaught error,
 * process.exit), so it never outlives us holding its port.
 */
export function ownProcess(child: ChildProcess): OwnedProcess {
  let exited = false;
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      process.removeListener('exit', killOnExit);
      resolve();
    }),
  );
  return {
    get exited() {
      return exited;
    },
    exit,
    async stop(graceMs = 5_000) {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}
