import http2 from 'node:http2';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { spliceTo } from './tcp-proxy.js';
import type { TestCerts } from './tls-certs.js';

export interface TlsProxy {
  port: number;
  /** Every TLS session the proxy accepted: the SNI the client sent and its certificate's CN (mTLS). */
  readonly sessions: ReadonlyArray<{ serverName: string | undefined; clientName: string | undefined }>;
  /** Handshakes that failed (a missing or untrusted client certificate, among others). */
  readonly failedHandshakes: ReadonlyArray<string>;
  close(): Promise<void>;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/**
 * A TLS-terminating proxy in front of a plain Temporal frontend, as a load balancer before a cluster (or
 * Temporal Cloud's edge) would be: TLS with ALPN h2 outside, the bytes piped to the server's plain port,
 * which speaks h2c. With `requireClientCert`, only clients holding a certificate from the test CA get in.
 */
export async function startTlsProxy(opts: {
  target: { host: string; port: number };
  certs: TestCerts;
  requireClientCert: boolean;
}): Promise<TlsProxy> {
  const sessions: Array<{ serverName: string | undefined; clientName: string | undefined }> = [];
  const failedHandshakes: string[] = [];
  const open = new Set<net.Socket>();
  const server = tls.createServer(
    {
      key: opts.certs.server.key,
      cert: opts.certs.server.cert,
      ca: opts.certs.ca.cert,
      requestCert: opts.requireClientCert,
      rejectUnauthorized: opts.requireClientCert,
      ALPNProtocols: ['h2'],
    },
    (client) => {
      const peer = client.getPeerCertificate();
      sessions.push({
        // Set by Node on server-side sockets, missing from its type declarations.
        serverName: (client as { servername?: string | false }).servername || undefined,
        clientName: typeof peer?.subject?.CN === 'string' ? peer.subject.CN : undefined,
      });
      spliceTo(client, opts.target, open);
    },
  );
  server.on('tlsClientError', (err) => failedHandshakes.push(err.message));
  const port = await listen(server);
  return {
    port,
    sessions,
    failedHandshakes,
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface HeaderProbe {
  port: number;
  /** The request headers of every gRPC call that reached the probe (HPACK decoded by Node's http2). */
  readonly requests: ReadonlyArray<http2.IncomingHttpHeaders>;
  close(): Promise<void>;
}

/**
 * A TLS gRPC endpoint that records each call's headers and answers UNAUTHENTICATED: what a client sends
 * (the Authorization header of an API key) cannot be read from the bytes a TLS proxy pipes.
 */
export async function startHeaderProbe(certs: TestCerts): Promise<HeaderProbe> {
  const requests: http2.IncomingHttpHeaders[] = [];
  const server = http2.createSecureServer({
    key: certs.server.key,
    cert: certs.server.cert,
    ALPNProtocols: ['h2'],
  });
  const clients = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    clients.add(session);
    session.once('close', () => clients.delete(session));
  });
  server.on('stream', (stream, headers) => {
    requests.push(headers);
    stream.respond(
      {
        ':status': 200,
        'content-type': 'application/grpc',
        'grpc-status': '16',
        'grpc-message': 'header probe',
      },
      { endStream: true },
    );
  });
  const port = await listen(server);
  return {
    port,
    requests,
    async close() {
      for (const session of clients) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
