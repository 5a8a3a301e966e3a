// A Redis server for the tests of the shared stores (issue 10: "tested against a real redis-server").
// redisUrl() answers, in order: $REDIS_URL (CI starts redis-server and sets it; if it does not answer
// the tests fail), a server already on redis://127.0.0.1:6379, or a redis-server this helper starts
// on a free loopback port without persistence and stops when the process exits. When none of these
// works the tests fail with a message saying what was tried: a store test never skips.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

const DEFAULT_URL = 'redis://127.0.0.1:6379';

let found: Promise<string> | undefined;
let server: ChildProcess | undefined;
let prefixes = 0;

/** The URL of a Redis server that answers PING (found or started once per process). */
export function redisUrl(): Promise<string> {
  found ??= findRedis();
  return found;
}

/** A prefix no other test (in this or another process) uses: tests never see each other's keys. */
export function uniquePrefix(label: string): string {
  return `wirecrypt-test:${label}:${process.pid}:${Date.now().toString(36)}:${prefixes++}:`;
}

/** Deletes every key under `prefix` (SCAN, so a busy server is not blocked); resolves how many went. */
export async function deleteByPrefix(redis: Redis, prefix: string): Promise<number> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length > 0) deleted += await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  return deleted;
}

/** Stops the redis-server this helper started, if any (it also stops when this process ends). */
export function stopRedis(): void {
  server?.kill();
  server = undefined;
  found = undefined;
}

/** Resolves undefined if `url` answers PING, else why not. */
async function ping(url: string, timeoutMs: number): Promise<string | undefined> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => {}); // the failure is reported by connect() / ping()
  try {
    await client.connect();
    const answer = await client.ping();
    return answer === 'PONG' ? undefined : `PING answered ${answer}`;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    client.disconnect();
  }
}

async function findRedis(): Promise<string> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) {
    const why = await ping(fromEnv, 5000);
    if (why) throw new Error(`REDIS_URL=${fromEnv} does not answer PING (${why}); start redis-server or fix REDIS_URL`);
    return fromEnv;
  }
  const whyDefault = await ping(DEFAULT_URL, 1000);
  if (!whyDefault) return DEFAULT_URL;
  const whySpawned = await startRedis();
  if (typeof whySpawned === 'object') return whySpawned.url;
  throw new Error(
    'No Redis server for the store tests: REDIS_URL is not set, ' +
      `${DEFAULT_URL} does not answer (${whyDefault}), and starting redis-server failed (${whySpawned}). ` +
      'Install the Debian package redis-server (as .ci/run does) or set REDIS_URL.',
  );
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve, reject) => s.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise((resolve) => s.close(resolve));
  return port;
}

// The process that owns redis-server: it starts it, and kills it on SIGTERM (stopRedis) or when its
// stdin reaches EOF, which happens however the test process ends (even SIGKILL, where no 'exit'
// handler would run). It reports a failure to start on stderr.
const WATCHDOG = `
const r = require('node:child_process').spawn('redis-server', process.argv.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
r.on('error', (e) => { process.stderr.write(e.message); process.exit(1); });
r.on('exit', (code, signal) => { process.stderr.write('redis-server exited (' + (signal || code) + ')'); process.exit(1); });
const stop = () => { r.kill(); process.exit(0); };
process.on('SIGTERM', stop);
process.stdin.on('end', stop).resume();
`;

/** Starts redis-server on a free port; resolves its URL, or why it could not. */
async function startRedis(): Promise<{ url: string } | string> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn(process.execPath, ['-e', WATCHDOG, '--', ...args], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  let exited: string | undefined;
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  child.on('error', (e) => { exited = e.message; });
  child.on('exit', () => { exited ??= stderr || 'the redis-server watchdog exited'; });
  // Neither the watchdog nor its pipes keep this process alive.
  child.unref();
  (child.stdin as unknown as { unref(): void }).unref();
  (child.stderr as unknown as { unref(): void }).unref();
  server = child;
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 5000;
  let why: string | undefined = 'not started';
  while (Date.now() < deadline && exited === undefined) {
    why = await ping(url, 500);
    if (!why) return { url };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill();
  return exited ?? `no PING answer on ${url} within 5 s (${why})`;
}
