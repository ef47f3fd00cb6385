import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A local stand-in for E2B on 127.0.0.1, enough for the e2b SDK's create / write / run / kill:
 * - control plane (apiUrl): POST /v2/sandboxes, DELETE /sandboxes/:id, with X-API-KEY checked;
 * - envd (sandboxUrl): POST /files (multipart or octet-stream upload) and the Connect-RPC
 *   server stream process.Process/Start in its JSON form. Uploaded files land under a temporary
 *   directory per sandbox and commands run there with the local bash and node, so the real
 *   bundle really runs. Not a sandbox: no isolation, no lifetime, no pause, no PTY, no stdin.
 */

export type CreateBehaviour =
  { kind: 'ok' } | { kind: 'status'; status: number; message?: string; headers?: Record<string, string> };
export type CommandBehaviour = { kind: 'run' } | { kind: 'hang' };

export interface E2bStub {
  apiUrl: string;
  sandboxUrl: string;
  apiKey: string;
  /** Queue of answers to POST /v2/sandboxes; 'ok' once it is empty. */
  setCreate(behaviours: CreateBehaviour[]): void;
  setCommand(behaviour: CommandBehaviour): void;
  created: string[];
  killed: string[];
  commands: string[];
  uploads: string[];
  close(): Promise<void>;
}

const ENVD_VERSION = '0.5.7';

function envelope(flags: number, json: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(json));
  const head = Buffer.alloc(5);
  head.writeUInt8(flags, 0);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export async function startE2bStub(apiKey = 'e2b_stub_key'): Promise<E2bStub> {
  const root = mkdtempSync(path.join(tmpdir(), 'e2b-stub-'));
  let createScript: CreateBehaviour[] = [];
  let command: CommandBehaviour = { kind: 'run' };
  let seq = 0;
  const stub = {
    created: [] as string[],
    killed: [] as string[],
    commands: [] as string[],
    uploads: [] as string[],
  };
  const hanging = new Set<ServerResponse>();
  const sandboxDir = (id: string) => path.join(root, id.replace(/[^\w-]/g, '_'));

  async function control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.headers['x-api-key'] !== apiKey) return json(res, 401, { code: 401, message: 'Invalid API key' });
    if (req.method === 'POST' && url.pathname === '/v2/sandboxes') {
      const body = JSON.parse((await readBody(req)).toString('utf8')) as { templateID: string };
      const b = createScript.shift() ?? { kind: 'ok' };
      if (b.kind === 'status')
        return json(
          res,
          b.status,
          { code: b.status, message: b.message ?? `stub status ${b.status}` },
          b.headers,
        );
      const sandboxID = `stub${++seq}`;
      stub.created.push(sandboxID);
      mkdirSync(sandboxDir(sandboxID), { recursive: true });
      return json(res, 201, {
        sandboxID,
        templateID: body.templateID,
        clientID: 'stub',
        envdVersion: ENVD_VERSION,
        envdAccessToken: 'stub-token',
        domain: null,
      });
    }
    const kill = /^\/sandboxes\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'DELETE' && kill?.[1]) {
      stub.killed.push(kill[1]);
      res.writeHead(204).end();
      return;
    }
    json(res, 404, { code: 404, message: `stub: no route ${req.method} ${url.pathname}` });
  }

  async function envd(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const id = String(req.headers['e2b-sandbox-id'] ?? '');
    if (!stub.created.includes(id) || stub.killed.includes(id))
      return json(res, 502, { code: 502, message: 'sandbox not running' });
    const dir = sandboxDir(id);
    if (req.method === 'GET' && url.pathname === '/health') return void res.writeHead(204).end();
    if (req.method === 'POST' && url.pathname === '/files') {
      const body = await readBody(req);
      const contentType = String(req.headers['content-type'] ?? '');
      const files: { target: string; data: Buffer }[] = [];
      if (contentType.startsWith('multipart/form-data')) {
        const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
        for (const value of form.getAll('file')) {
          if (typeof value !== 'string')
            files.push({
              target: url.searchParams.get('path') ?? value.name,
              data: Buffer.from(await value.arrayBuffer()),
            });
        }
      } else files.push({ target: url.searchParams.get('path') ?? '', data: body });
      for (const { target, data } of files) {
        const local = path.join(dir, target);
        mkdirSync(path.dirname(local), { recursive: true });
        writeFileSync(local, data);
        stub.uploads.push(target);
      }
      return json(
        res,
        200,
        files.map(({ target }) => ({ name: path.basename(target), type: 'file', path: target })),
      );
    }
    if (req.method === 'POST' && url.pathname === '/process.Process/Start') {
      const raw = await readBody(req);
      const start = JSON.parse(raw.subarray(5).toString('utf8')) as {
        process: { args?: string[]; cwd?: string };
      };
      const cmd = start.process.args?.[2] ?? '';
      stub.commands.push(cmd);
      res.writeHead(200, { 'content-type': 'application/connect+json' });
      if (command.kind === 'hang') {
        res.write(envelope(0, { event: { start: { pid: 4242 } } }));
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      const cwd = path.join(dir, start.process.cwd ?? '/');
      const child = spawn('bash', ['-c', cmd], {
        cwd,
        env: { PATH: path.dirname(process.execPath) + ':/usr/bin:/bin' },
      });
      res.write(envelope(0, { event: { start: { pid: child.pid ?? 1 } } }));
      child.stdout.on('data', (d: Buffer) =>
        res.write(envelope(0, { event: { data: { stdout: d.toString('base64') } } })),
      );
      child.stderr.on('data', (d: Buffer) =>
        res.write(envelope(0, { event: { data: { stderr: d.toString('base64') } } })),
      );
      child.on('close', (code) => {
        res.write(
          envelope(0, {
            event: { end: { exitCode: code ?? 1, exited: true, status: `exit status ${code}` } },
          }),
        );
        res.end(envelope(2, {}));
      });
      return;
    }
    json(res, 404, { code: 404, message: `stub: no envd route ${url.pathname}` });
  }

  const handler = (api: typeof control) => (req: IncomingMessage, res: ServerResponse) => {
    api(req, res, new URL(req.url ?? '/', 'http://stub')).catch((err: unknown) =>
      json(res, 500, { code: 500, message: String(err) }),
    );
  };
  const listen = async (h: ReturnType<typeof handler>) => {
    const server = createServer(h);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  };
  const api = await listen(handler(control));
  const env = await listen(handler(envd));

  return Object.assign(stub, {
    apiUrl: api.url,
    sandboxUrl: env.url,
    apiKey,
    setCreate(b: CreateBehaviour[]) {
      createScript = [...b];
    },
    setCommand(b: CommandBehaviour) {
      command = b;
    },
    async close() {
      for (const r of hanging) r.destroy();
      api.server.closeAllConnections();
      env.server.closeAllConnections();
      await Promise.all(
        [api.server, env.server].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      );
      rmSync(root, { recursive: true, force: true });
    },
  });
}
