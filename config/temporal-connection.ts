import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import type { Env } from './env.js';

/**
 * What `Connection.connect` (@temporalio/client) and `NativeConnection.connect` (@temporalio/worker) both
 * take to reach a server: its address, TLS (with the system's CAs when `{}`), and an API key.
 */
export interface TemporalConnectOptions {
  address: string;
  tls?: {
    serverNameOverride?: string;
    serverRootCACertificate?: Buffer;
    clientCertPair?: { crt: Buffer; key: Buffer };
  };
  apiKey?: string;
}

type TemporalSettings = Pick<
  Env,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CERT_PATH'
  | 'TEMPORAL_TLS_KEY_PATH'
  | 'TEMPORAL_TLS_CA_PATH'
  | 'TEMPORAL_TLS_SERVER_NAME'
  | 'TEMPORAL_API_KEY'
>;

/** A TLS or API-key setting is wrong (a missing file, a certificate without its key...). */
export class TemporalSettingsError extends Error {
  override name = 'TemporalSettingsError';
}

/** The server could not be reached with the settings in force; the message says which were used. */
export class TemporalConnectionError extends Error {
  override name = 'TemporalConnectionError';
}

/** The redacted view: which settings are in force, never the key or the files' contents. */
export interface TemporalConnectionView {
  address: string;
  tls: false | { serverName?: string; caFile?: string; clientCertFile?: string; clientKeyFile?: string };
  apiKey?: '[redacted]';
}

const PEM_BEGIN = {
  certificate: /-----BEGIN CERTIFICATE-----/,
  'private key': /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
};

/** Reads a PEM file named by a setting; the error names the setting, never the content. */
function readPem(setting: string, file: string, what: 'certificate' | 'private key'): Buffer {
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch (err) {
    throw new TemporalSettingsError(`${setting}=${file} cannot be read: ${(err as Error).message}`);
  }
  if (!PEM_BEGIN[what].test(content.toString('latin1')))
    throw new TemporalSettingsError(`${setting}=${file} does not hold a PEM ${what}`);
  return content;
}

/**
 * How this process reaches Temporal, built once from the settings (files read here, so a missing or
 * unreadable one fails at start-up with the setting's name). The API key and the client key live in
 * private fields: JSON.stringify and util.inspect show the redacted view, and only `connectOptions()`
 * hands them to the SDK.
 */
export class TemporalConnection {
  readonly address: string;
  readonly #tls: TemporalConnectOptions['tls'] | undefined;
  readonly #apiKey: string | undefined;
  readonly #view: TemporalConnectionView;

  /** Built by temporalConnection(env), which validates the settings and reads the files. */
  constructor(
    address: string,
    tls: TemporalConnectOptions['tls'] | undefined,
    apiKey: string | undefined,
    view: TemporalConnectionView,
  ) {
    this.address = address;
    this.#tls = tls;
    this.#apiKey = apiKey;
    this.#view = view;
  }

  /** An external cluster's security is in force: nothing here may stand in for it with a local dev server. */
  get secured(): boolean {
    return this.#tls !== undefined || this.#apiKey !== undefined;
  }

  /** For `Connection.connect` / `NativeConnection.connect` only; never log or return the result. */
  connectOptions(): TemporalConnectOptions {
    return {
      address: this.address,
      ...(this.#tls !== undefined ? { tls: this.#tls } : {}),
      ...(this.#apiKey !== undefined ? { apiKey: this.#apiKey } : {}),
    };
  }

  toJSON(): TemporalConnectionView {
    return this.#view;
  }

  [inspect.custom](): TemporalConnectionView {
    return this.#view;
  }
}

/** The settings' connection; throws TemporalSettingsError naming the setting that is wrong. */
export function temporalConnection(env: TemporalSettings): TemporalConnection {
  const {
    TEMPORAL_TLS_CERT_PATH: certFile,
    TEMPORAL_TLS_KEY_PATH: keyFile,
    TEMPORAL_TLS_CA_PATH: caFile,
    TEMPORAL_TLS_SERVER_NAME: serverName,
    TEMPORAL_API_KEY: apiKey,
  } = env;
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new TemporalSettingsError(
      certFile === undefined
        ? 'TEMPORAL_TLS_KEY_PATH is set without TEMPORAL_TLS_CERT_PATH: mTLS needs the certificate and its key'
        : 'TEMPORAL_TLS_CERT_PATH is set without TEMPORAL_TLS_KEY_PATH: mTLS needs the certificate and its key',
    );
  const tlsFiles = [
    ['TEMPORAL_TLS_CERT_PATH', certFile],
    ['TEMPORAL_TLS_CA_PATH', caFile],
    ['TEMPORAL_TLS_SERVER_NAME', serverName],
  ].filter(([, v]) => v !== undefined);
  if (env.TEMPORAL_TLS === false && tlsFiles.length > 0)
    throw new TemporalSettingsError(
      `TEMPORAL_TLS=false contradicts ${tlsFiles.map(([k]) => k).join(', ')}: unset them or turn TLS on`,
    );
  // Temporal Cloud takes an API key only over TLS, so a key turns TLS on unless TLS is switched off.
  const useTls = env.TEMPORAL_TLS ?? (tlsFiles.length > 0 || apiKey !== undefined);
  const view: TemporalConnectionView = {
    address: env.TEMPORAL_ADDRESS,
    tls: useTls
      ? {
          ...(serverName !== undefined ? { serverName } : {}),
          ...(caFile !== undefined ? { caFile } : {}),
          ...(certFile !== undefined ? { clientCertFile: certFile, clientKeyFile: keyFile } : {}),
        }
      : false,
    ...(apiKey !== undefined ? { apiKey: '[redacted]' as const } : {}),
  };
  const tls = useTls
    ? {
        ...(serverName !== undefined ? { serverNameOverride: serverName } : {}),
        ...(caFile !== undefined
          ? { serverRootCACertificate: readPem('TEMPORAL_TLS_CA_PATH', caFile, 'certificate') }
          : {}),
        ...(certFile !== undefined && keyFile !== undefined
          ? {
              clientCertPair: {
                crt: readPem('TEMPORAL_TLS_CERT_PATH', certFile, 'certificate'),
                key: readPem('TEMPORAL_TLS_KEY_PATH', keyFile, 'private key'),
              },
            }
          : {}),
      }
    : undefined;
  return new TemporalConnection(env.TEMPORAL_ADDRESS, tls, apiKey, view);
}

/** Which security a connection uses, from its options: names and presence only, never a value. */
function describeSecurity({ tls, apiKey }: TemporalConnectOptions): string {
  const parts = tls
    ? [
        'TLS',
        tls.serverNameOverride !== undefined ? `server name ${tls.serverNameOverride}` : undefined,
        tls.serverRootCACertificate ? 'server CA from TEMPORAL_TLS_CA_PATH' : "the system's CAs",
        tls.clientCertPair
          ? 'client certificate from TEMPORAL_TLS_CERT_PATH'
          : 'no client certificate (TEMPORAL_TLS_CERT_PATH/TEMPORAL_TLS_KEY_PATH unset)',
      ]
    : ['plain TCP, no TLS'];
  parts.push(apiKey !== undefined ? 'API key from TEMPORAL_API_KEY' : 'no API key');
  return parts.filter((p) => p !== undefined).join(', ');
}

/**
 * Opens a client (`Connection.connect`) or worker (`NativeConnection.connect`) connection; a failure
 * becomes a TemporalConnectionError naming the address and the security in force, since the SDK's own
 * message ("Failed to connect before the deadline") does not say a certificate was missing.
 */
export async function connectTemporal<T>(
  options: TemporalConnectOptions,
  connect: (options: TemporalConnectOptions) => Promise<T>,
): Promise<T> {
  try {
    return await connect(options);
  } catch (err) {
    throw new TemporalConnectionError(
      `Cannot connect to Temporal at ${options.address} (${describeSecurity(options)}): ${(err as Error).message}`,
      { cause: err },
    );
  }
}
