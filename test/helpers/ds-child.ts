// Child processes for the delivery-service scenarios (test/mls/ds-scenarios.test.ts):
//   startServiceProcess  a second DeliveryService process on a shared Redis (the sources bundled,
//                        helpers/ds-bundle.ts); it prints its URL and runs until its stdin ends
//   runRestoredMember    a member restored from group.save() in a new process: the built dist/
//                        (dist/mls.js: loadGroup, and DeliveryClient when the package exports it;
//                        until then the client bundled from the sources) catches up, sends a
//                        message, commits an update, prints what it saw as one JSON line
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dsBundle } from './ds-bundle.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST_MLS = join(ROOT, 'dist/mls.js');

const SERVICE = `
const job = JSON.parse(process.argv[1]);
const ds = require(job.bundle);
(async () => {
  const store = new ds.RedisDeliveryStore({ redis: job.redis, prefix: job.prefix });
  const service = new ds.DeliveryService({ store });
  const { url } = await service.listen();
  console.log(JSON.stringify({ url, pid: process.pid }));
  process.stdin.on('end', async () => { await service.close(); await store.close(); process.exit(0); }).resume();
})().catch((e) => { console.error(e); process.exit(1); });
`;

export interface ServiceProcess {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startServiceProcess(redis: string, prefix: string): Promise<ServiceProcess> {
  const bundle = await dsBundle('node');
  const child: ChildProcess = spawn(process.execPath, ['-e', SERVICE, JSON.stringify({ bundle, redis, prefix })], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const { url } = await new Promise<{ url: string }>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').once('data', (line: string) => resolve(JSON.parse(line) as { url: string }));
    child.once('exit', (code) => reject(new Error(`the second service process exited (${code})`)));
  });
  return {
    url,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.stdin!.end();
    }),
  };
}

const RESTORED = `
const job = JSON.parse(process.argv[1]);
const { pathToFileURL } = require('node:url');
const { WebSocket } = require(require.resolve('ws', { paths: [job.root] }));
(async () => {
  const mls = await import(pathToFileURL(job.dist).href);
  const ds = typeof mls.DeliveryClient === 'function' ? mls : require(job.clientBundle);
  const group = mls.loadGroup(Buffer.from(job.saved, 'base64'));
  const received = [];
  const client = new ds.DeliveryClient({ url: job.url, WebSocket });
  const channel = client.attach(group, {
    cursor: job.cursor, live: false,
    onMessage: (r) => { if (r.kind === 'application') received.push(Buffer.from(r.plaintext).toString()); else received.push(r.kind + '@' + r.epoch); },
  });
  await channel.catchUp();
  const caughtUp = { epoch: String(group.epoch), authenticator: Buffer.from(group.epochAuthenticator).toString('hex') };
  const sent = await channel.send(new TextEncoder().encode('hello from a new process'));
  const committed = await channel.commit({ update: true });
  client.close();
  console.log(JSON.stringify({
    clientFrom: ds === mls ? 'dist' : 'bundle', received, caughtUp, sent: sent.seq, commit: committed.seq,
    epoch: String(group.epoch), authenticator: Buffer.from(group.epochAuthenticator).toString('hex'),
  }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

export interface RestoredRun {
  readonly clientFrom: 'dist' | 'bundle';
  readonly received: string[];
  readonly caughtUp: { epoch: string; authenticator: string };
  readonly sent: number;
  readonly commit: number;
  readonly epoch: string;
  readonly authenticator: string;
}

export async function runRestoredMember(job: { url: string; saved: Uint8Array; cursor: number }): Promise<RestoredRun> {
  const clientBundle = await dsBundle('client');
  const arg = JSON.stringify({ url: job.url, saved: Buffer.from(job.saved).toString('base64'), cursor: job.cursor, dist: DIST_MLS, clientBundle, root: ROOT });
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', RESTORED, arg], { cwd: ROOT, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`the restored member failed: ${err.message}\n${stdout}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as RestoredRun);
    });
  });
}
