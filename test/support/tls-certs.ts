import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** True when the `openssl` command can be run (the TLS tests skip themselves otherwise). */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface PemPair {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
}

export interface TestCerts {
  /** The throwaway root CA that signed both certificates below. */
  ca: PemPair;
  /** The server's certificate, valid for SERVER_NAME only (so a client must send it as SNI). */
  server: PemPair;
  /** A client certificate for mTLS, CN=CLIENT_NAME. */
  client: PemPair;
}

export const SERVER_NAME = 'temporal.test';
export const CLIENT_NAME = 'race-engine-worker';

const openssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
const NEW_EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function pair(dir: string, name: string): PemPair {
  const certFile = path.join(dir, `${name}.pem`);
  const keyFile = path.join(dir, `${name}.key`);
  return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

/** A leaf certificate signed by the CA in dir, with the given X.509 v3 extensions. */
function leaf(dir: string, name: string, commonName: string, extensions: string[]): PemPair {
  writeFileSync(path.join(dir, `${name}.ext`), `${extensions.join('\n')}\n`);
  openssl(dir, [
    'req',
    ...NEW_EC_KEY,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${commonName}`,
  ]);
  // Leaf serials must differ from the CA's (1) and from each other, or verifiers may confuse them.
  const serial = String(2 + ['server', 'client'].indexOf(name));
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-set_serial',
    serial,
    '-days',
    '1',
    '-out',
    `${name}.pem`,
    '-extfile',
    `${name}.ext`,
  ]);
  return pair(dir, name);
}

/** Generates a CA, a server certificate and a client certificate in dir (a fresh temp folder). */
export function generateTestCerts(dir: string): TestCerts {
  openssl(dir, [
    'req',
    '-x509',
    ...NEW_EC_KEY,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-set_serial',
    '1',
    '-subj',
    '/CN=race-engine-test-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return {
    ca: pair(dir, 'ca'),
    server: leaf(dir, 'server', SERVER_NAME, [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=DNS:${SERVER_NAME}`,
    ]),
    client: leaf(dir, 'client', CLIENT_NAME, [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=clientAuth',
    ]),
  };
}
