import type { CalibrationArtefacts } from '../agents/index.js';
import type { SandboxKind } from '../schemas/agent-run.js';
import { createInlineRunner } from './inline.js';
import type { SandboxRunner } from './runner.js';

export type SandboxFactory = (kind: SandboxKind | 'default') => SandboxRunner;

export interface SandboxFactoryOptions {
  defaultKind: SandboxKind;
  artefacts: CalibrationArtefacts | null;
  /** Builders for the isolated kinds; a kind without one is refused with a clear message. */
  builders?: Partial<Record<Exclude<SandboxKind, 'inline'>, () => SandboxRunner>>;
}

/** Creates each kind of runner on first use and keeps it (process pools and E2B clients are costly to build). */
export function createSandboxFactory(opts: SandboxFactoryOptions): SandboxFactory & { closeAll(): Promise<void> } {
  const runners = new Map<SandboxKind, SandboxRunner>();
  const factory = (requested: SandboxKind | 'default'): SandboxRunner => {
    const kind = requested === 'default' ? opts.defaultKind : requested;
    const existing = runners.get(kind);
    if (existing) return existing;
    let runner: SandboxRunner;
    if (kind === 'inline') runner = createInlineRunner(opts.artefacts);
    else {
      const build = opts.builders?.[kind];
      if (!build) throw new Error(`sandbox kind "${kind}" is not available on this worker`);
      runner = build();
    }
    runners.set(kind, runner);
    return runner;
  };
  return Object.assign(factory, {
    async closeAll() {
      await Promise.all([...runners.values()].map((r) => r.close()));
      runners.clear();
    },
  });
}
