import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { isolatedNodeCommand, networkNamespace } from '../../../sandboxes/netns.js';
import { createProcessRunner } from '../../../sandboxes/process.js';
import { hostileBundle } from './fixtures/hostile-bundle.js';

const run = promisify(execFile);

/** Opens a raw TCP socket without the JavaScript lock: prints "connected" or the error code. */
const connectScript = (port: number) =>
  `const s = require('node:net').connect(${port}, '127.0.0.1');` +
  `s.on('connect', () => { console.log('connected'); s.destroy(); });` +
  `s.on('error', (e) => console.log(e.code));`;

async function tryConnect(command: string, args: string[]): Promise<string> {
  const { stdout } = await run(command, args);
  return stdout.trim();
}

const skip = networkNamespace()
  ? false
  : 'no network namespace on this host (needs Linux, unshare, user namespaces)';

describe('process sandbox network namespace', { skip }, () => {
  let server: net.Server;
  let port: number;
  before(async () => {
    server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reaches a listener on the host loopback from a plain child (the control)', async () => {
    assert.equal(await tryConnect(process.execPath, ['-e', connectScript(port)]), 'connected');
  });

  it('fails to open a socket below the JavaScript lock inside the namespace', async () => {
    const cmd = isolatedNodeCommand(['-e', connectScript(port)]);
    assert.equal(cmd.isolation, 'network-namespace');
    const code = await tryConnect(cmd.command, cmd.args);
    assert.ok(['ENETUNREACH', 'ECONNREFUSED'].includes(code), `expected no route, got ${code}`);
  });

  it('is the isolation the process runner uses for its children', async () => {
    const runner = createProcessRunner({ bundle: hostileBundle(), artefacts: null, poolSize: 1 });
    await runner.close();
    assert.equal(runner.isolation, 'network-namespace');
  });
});
