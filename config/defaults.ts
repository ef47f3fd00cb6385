/**
 * Every default the engine runs with, in one place. config/env.ts parses the environment over these;
 * commands, the worker and the race options take their defaults from the parsed settings, never from a
 * literal of their own. Plain data with no Node imports, so shared schemas (and so workflows) may read it.
 * Paths are relative to the project root (config/env.ts resolves them).
 */
export const DEFAULTS = Object.freeze({
  temporalAddress: '127.0.0.1:7233',
  temporalUiPort: 8233,
  embeddedPgPort: 54329,
  dataDir: 'data',
  modelsDir: 'models',
  /** The Kaggle HK data beside the repository (read-only, never committed). */
  hkDataDir: '../shared/data/hkracing',
  e2bTemplate: 'base',
  /** What a race runs with when its options leave them unset: synthesis quorum and pricing. */
  race: Object.freeze({ quorum: 10, kellyFraction: 0.25, minEdge: 0.05 }),
  bookPolicy: 'kelly-quarter',
  workerMaxConcurrentActivities: 64,
  webPort: 3000,
  webHost: '127.0.0.1',
  webRateLimit: 120,
  logLevel: 'info',
  /** Metrics endpoints answer only this machine unless METRICS_HOST says otherwise (the image sets 0.0.0.0). */
  metricsHost: '127.0.0.1',
} as const);

export type RaceDefaults = { quorum: number; kellyFraction: number; minEdge: number };
