import type { CalibrationArtefacts } from '../agents/index.js';
import type { SandboxKind } from '../schemas/agent-run.js';
import { createInlineRunner } from './inline.js';
import type { SandboxRunner } from './runner.js';

export interface ArtefactsRef {
  version: string;
  artefacts: CalibrationArtefacts | null;
}

export type SandboxFactory = (kind: SandboxKind | 'default', calibration: ArtefactsRef) => SandboxRunner;

export interface SandboxFactoryOptions {
  defaultKind: SandboxKind;
  /** Builders for the isolated kinds; a kind without one is refused with a clear message. */
  builders?: Partial<
    Record<Exclude<SandboxKind, 'inline'>, (artefacts: CalibrationArtefacts | null) => SandboxRunner>
  >;
  /** How long a runner for a superseded artefact version stays open for races still using it. */
  retireAfterMs?: number;
}

/**
 * Creates each kind of runner on first use and keeps it (process pools and E2B clients are costly to
 * build). Runners hold their calibration artefact, so they are kept per artefact version; when a new
 * version is promoted, the old runner is closed after a grace period.
 */
export function createSandboxFactory(
  opts: SandboxFactoryOptions,
): SandboxFactory & { closeAll(): Promise<void> } {
  const runners = new Map<string, { kind: SandboxKind; version: string; runner: SandboxRunner }>();
  const retireAfterMs = opts.retireAfterMs ?? 120_000;
  const factory = (requested: SandboxKind | 'default', calibration: ArtefactsRef): SandboxRunner => {
    const kind = requested === 'default' ? opts.defaultKind : requested;
    const key = `${kind}@${calibration.version}`;
    const existing = runners.get(key);
    if (existing) return existing.runner;
    let runner: SandboxRunner;
    if (kind === 'inline') runner = createInlineRunner(calibration.artefacts);
    else {
      const build = opts.builders?.[kind];
      if (!build) throw new Error(`sandbox kind "${kind}" is not available on this worker`);
      runner = build(calibration.artefacts);
    }
    for (const [oldKey, old] of runners) {
      if (old.kind !== kind) continue;
      runners.delete(oldKey);
      setTimeout(() => void old.runner.close(), retireAfterMs).unref();
    }
    runners.set(key, { kind, version: calibration.version, runner });
    return runner;
  };
  return Object.assign(factory, {
    async closeAll() {
      await Promise.all([...runners.values()].map((r) => r.runner.close()));
      runners.clear();
    },
  });
}
