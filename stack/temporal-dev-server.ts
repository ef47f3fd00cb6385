import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../schemas/constants.js';
import { resolveTemporalBinary } from './temporal-binary.js';
import { devServerDynamicConfigArgs } from './temporal-server-tuning.js';
import { waitForPort } from './net.js';
import { ownProcess } from './owned-process.js';

export interface TemporalDevServerOptions {
  port: number;
  uiPort?: number;
  /** SQLite file for durable state; in-memory when omitted. */
  dbFile?: string;
  headless?: boolean;
  /** Server output goes here rather than to our terminal. */
  logFile: string;
}

export interface RunningTemporal {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `temporal server start-dev` with our search attributes registered, and waits for it to serve. */
export async function startTemporalDevServer(opts: TemporalDevServerOptions): Promise<RunningTemporal> {
  const binary = resolveTemporalBinary('cli');
  mkdirSync(path.dirname(opts.logFile), { recursive: true });
  if (opts.dbFile) mkdirSync(path.dirname(opts.dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--log-level',
    'warn',
    ...devServerDynamicConfigArgs(),
  ];
  if (opts.dbFile) {
    // WAL with synchronous=NORMAL: no fsync per history write. Survives a crash of the server process;
    // an OS crash or power cut may lose the last moments, acceptable for the local dev stack.
    args.push(
      '--db-filename',
      opts.dbFile,
      '--sqlite-pragma',
      'journal_mode=wal',
      '--sqlite-pragma',
      'synchronous=normal',
    );
  }
  if (opts.headless || opts.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(opts.uiPort));
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES))
    args.push('--search-attribute', `${name}=${type}`);

  const log = openSync(opts.logFile, 'a');
  const child = spawn(binary, args, { stdio: ['ignore', log, log] });
  const owned = ownProcess(child);
  try {
    await Promise.race([
      waitForPort('127.0.0.1', opts.port, 60_000, 'Temporal dev server'),
      owned.exit.then(() => {
        throw new Error(`Temporal dev server exited at start; see ${opts.logFile}`);
      }),
    ]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    address: `127.0.0.1:${opts.port}`,
    uiUrl: opts.uiPort !== undefined && !opts.headless ? `http://127.0.0.1:${opts.uiPort}` : undefined,
    process: child,
    stop: () => owned.stop(),
  };
}
