import { CalibrationArtefactsSchema, type CalibrationArtefacts } from '../agents/index.js';
import { artefactByVersion, latestPromotedArtefact } from './calibration.js';
import type { Db } from './pool.js';

/** A calibration artefact and the version it is known by; `artefacts: null` is the identity calibration. */
export interface CalibrationRef {
  version: string;
  artefacts: CalibrationArtefacts | null;
}

export const IDENTITY_VERSION = 'identity';

export interface CalibrationStore {
  /** The artefact new races should use: the latest promoted one in the database, else the shipped file. */
  current(): Promise<CalibrationRef>;
  /** A specific version, so every activity of one race uses the artefact the race started with. */
  get(version: string): Promise<CalibrationRef>;
  /** Forget which version is current (this worker just promoted one); others notice within the refresh interval. */
  invalidate(): void;
}

/**
 * Versions are immutable, so each is parsed once and kept; only "which is current" is re-read, at most
 * every `ttlMs`, which is how a promotion reaches every worker without a restart.
 */
export function createCalibrationStore(
  db: Db,
  shipped: CalibrationArtefacts | null,
  ttlMs = 30_000,
): CalibrationStore {
  const shippedRef: CalibrationRef = { version: shipped?.version ?? IDENTITY_VERSION, artefacts: shipped };
  const byVersion = new Map<string, CalibrationRef>([[shippedRef.version, shippedRef]]);
  let current: { ref: CalibrationRef; at: number } | undefined;

  const remember = (version: string, artefact: unknown): CalibrationRef => {
    const ref = { version, artefacts: CalibrationArtefactsSchema.parse(artefact) };
    byVersion.set(version, ref);
    return ref;
  };

  return {
    async current() {
      if (current && Date.now() - current.at < ttlMs) return current.ref;
      const promoted = await latestPromotedArtefact(db);
      const ref = promoted
        ? (byVersion.get(promoted.version) ?? remember(promoted.version, promoted.artefact))
        : shippedRef;
      current = { ref, at: Date.now() };
      return ref;
    },
    async get(version) {
      const known = byVersion.get(version);
      if (known) return known;
      if (version === IDENTITY_VERSION) return { version, artefacts: null };
      const stored = await artefactByVersion(db, version);
      if (!stored) throw new Error(`calibration artefact ${version} is neither shipped nor stored`);
      return remember(stored.version, stored.artefact);
    },
    invalidate() {
      current = undefined;
    },
  };
}
