import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** How far below the JavaScript lock a process-sandbox child is cut off from the network. */
export type NetworkIsolation = 'network-namespace' | 'js-lock';

export interface ChildCommand {
  command: string;
  args: string[];
  isolation: NetworkIsolation;
}

let detected: { unshare: string; flags: string[] } | null | undefined;

function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/**
 * Whether this host lets us put a child in its own empty network namespace (util-linux `unshare`),
 * as root or through an unprivileged user namespace. Probed once per process: the answer does not
 * change while it runs, and the probe costs a fork.
 */
export function networkNamespace(): { unshare: string; flags: string[] } | null {
  if (detected !== undefined) return detected;
  detected = null;
  const unshare = process.platform === 'linux' ? findOnPath('unshare') : null;
  if (unshare) {
    const candidates =
      process.getuid?.() === 0 ? [['--net'], ['--net', '--map-root-user']] : [['--net', '--map-root-user']];
    for (const flags of candidates) {
      if (spawnSync(unshare, [...flags, 'true'], { stdio: 'ignore', timeout: 5_000 }).status === 0) {
        detected = { unshare, flags };
        break;
      }
    }
  }
  if (!detected) {
    process.stderr.write(
      'WARNING: no network namespace for agent processes (needs Linux, util-linux unshare and root or ' +
        'unprivileged user namespaces); only the JavaScript network lock applies\n',
    );
  }
  return detected;
}

/**
 * The command that runs `node <nodeArgs>` in a fresh network namespace when the host allows it
 * (only a loopback that is down: no socket reaches the host or beyond, whatever API opens it),
 * else plain node. unshare execs node in place, so the child's pid is node's and SIGKILL reaches it.
 */
export function isolatedNodeCommand(nodeArgs: string[]): ChildCommand {
  const ns = networkNamespace();
  if (!ns) return { command: process.execPath, args: nodeArgs, isolation: 'js-lock' };
  return {
    command: ns.unshare,
    args: [...ns.flags, '--', process.execPath, ...nodeArgs],
    isolation: 'network-namespace',
  };
}
