import dgram from 'node:dgram';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import tls from 'node:tls';
import { NETWORK_BLOCKED_CODE } from './protocol.js';

/**
 * Network lock for the agent bundle. Node 20's permission model covers the file system, child
 * processes, workers and addons but not the network, so every JS entry point that opens a socket
 * or resolves a name is replaced by a function that throws, and made non-writable and
 * non-configurable so job code cannot put the original back.
 *
 * Covered: net.connect/createConnection/Socket#connect/createServer/Server#listen,
 * tls.connect, http(s).request/get, dgram.createSocket, dns lookups and resolvers (callback and
 * promise APIs), globalThis.fetch and WebSocket; ESM namespaces are re-synced.
 * Not covered: native bindings (process.binding is itself refused by the permission model, and
 * addons are not allowed), and anything that keeps a reference taken before the lock (only our
 * own harness code runs before it). This is defence in depth, not a network namespace: for
 * untrusted code use E2B, where the sandbox is created without internet access.
 */
export function lockNetwork(): void {
  const blocked = (what: string) =>
    function blockedNetworkCall(): never {
      const err = new Error(`network access is not allowed in the agent sandbox (${what})`) as Error & {
        code: string;
      };
      err.code = NETWORK_BLOCKED_CODE;
      throw err;
    };
  const lock = (target: object, key: string, what: string) => {
    Object.defineProperty(target, key, {
      value: blocked(what),
      writable: false,
      configurable: false,
      enumerable: true,
    });
  };
  for (const key of ['connect', 'createConnection', 'createServer']) lock(net, key, `net.${key}`);
  lock(net.Socket.prototype, 'connect', 'net.Socket#connect');
  lock(net.Server.prototype, 'listen', 'net.Server#listen');
  for (const key of ['connect', 'createServer']) lock(tls, key, `tls.${key}`);
  for (const key of ['request', 'get', 'createServer']) {
    lock(http, key, `http.${key}`);
    lock(https, key, `https.${key}`);
  }
  lock(dgram, 'createSocket', 'dgram.createSocket');
  for (const key of [
    'lookup',
    'lookupService',
    'resolve',
    'resolve4',
    'resolve6',
    'resolveAny',
    'resolveTxt',
    'resolveMx',
    'resolveSrv',
    'resolveNs',
    'resolveCname',
    'reverse',
  ]) {
    lock(dns, key, `dns.${key}`);
    lock(dns.promises, key, `dns.promises.${key}`);
  }
  lock(dns.Resolver.prototype, 'resolve', 'dns.Resolver#resolve');
  lock(dns.promises.Resolver.prototype, 'resolve', 'dns.promises.Resolver#resolve');
  lock(globalThis, 'fetch', 'fetch');
  lock(globalThis, 'WebSocket', 'WebSocket');
  syncBuiltinESMExports();
}
