// MTProto 2.0 (issue 10, "Benchmarks"): the message layer (encrypt + decrypt) against the same
// layer built here on @mtcute/wasm and on node:crypto; auth-key creations/s; and, outside the
// `benchmark` harness, RPC round trips/s of a real MtprotoServer and 50 MtprotoClients over
// loopback (mtprotoLoopback, called by run.mjs the way cold start is).
//
// The loopback clients run in worker threads started from this same file (see the end of it): the
// server keeps the main thread to itself, as a server would with its clients on other machines.
import { createCipheriv, createDecipheriv, createHash, generateKeyPairSync, getRandomValues } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as mtcute from '@mtcute/wasm';
import { engineInfo, init, wasmProvider } from 'wirecrypt';
import * as mt from '../../dist/mtproto.js';

mtcute.initSync(readFileSync(new URL(mtcute.getWasmUrl())));

const P = wasmProvider;
const data = (n, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 7 + (i >> 9)) & 0xff);

// ---- the message layer ----------------------------------------------------------------------------

const AUTH_KEY = data(256, 11);
const SALT = 0x1122334455667788n;
const SESSION_ID = -0x0123456789abcdefn;
const MSG_ID = 0x65a1b2c3d4e5f600n; // a client msg_id: divisible by 4 (spec §4.1)
const SEQ_NO = 1;

/** auth_key_id = SHA-1(auth_key)[12:20] (spec §2.2). */
const AUTH_KEY_ID = new Uint8Array(createHash('sha1').update(AUTH_KEY).digest()).slice(12, 20);

/**
 * wirecrypt's padding policy (bindings/mtproto/crypto/padding.ts, TDLib's size buckets), repeated
 * here so the peers encrypt plaintexts of exactly the same length (setup checks the packet lengths).
 */
function paddingLength(bodyLength) {
  const minimum = (32 + bodyLength + 12 + 15) & ~15;
  for (const size of [64, 128, 192, 256, 384, 512, 768, 1024, 1280]) if (minimum <= size) return size - 32 - bodyLength;
  return 1280 + Math.ceil((minimum - 1280) / 448) * 448 - 32 - bodyLength;
}

/**
 * The MTProto 2.0 message layer on two primitives, for the peers (spec §2, §3):
 *   sha256(a, b) → SHA-256(a ‖ b);  igeEncrypt / igeDecrypt(key32, iv32, data) → a new array.
 * encrypt(body): header ‖ body ‖ random padding; msg_key = SHA-256(auth_key[88:120] ‖ plaintext)[8:24];
 * aes_key / aes_iv from two SHA-256 of msg_key with slices of the key (x = 0: client → server);
 * IGE. decrypt(packet): auth_key_id checked, the same KDF, IGE decrypt, msg_key recomputed and
 * compared, then the length / padding bounds, session_id and msg_id parity, as wirecrypt checks
 * them (in one flag, like wirecrypt, though not written for constant time). Returns the body.
 */
function messageLayer({ sha256, igeEncrypt, igeDecrypt }) {
  const x = 0;
  const keyPart = AUTH_KEY.subarray(88 + x, 120 + x);
  function kdf(msgKey) {
    const a = sha256(msgKey, AUTH_KEY.subarray(x, x + 36));
    const b = sha256(AUTH_KEY.subarray(40 + x, 76 + x), msgKey);
    const key = new Uint8Array(32);
    const iv = new Uint8Array(32);
    key.set(a.subarray(0, 8), 0); key.set(b.subarray(8, 24), 8); key.set(a.subarray(24, 32), 24);
    iv.set(b.subarray(0, 8), 0); iv.set(a.subarray(8, 24), 8); iv.set(b.subarray(24, 32), 24);
    return { key, iv };
  }
  return {
    encrypt(body) {
      const n = body.length;
      const plaintext = new Uint8Array(32 + n + paddingLength(n));
      const dv = new DataView(plaintext.buffer);
      dv.setBigInt64(0, SALT, true);
      dv.setBigInt64(8, SESSION_ID, true);
      dv.setBigInt64(16, MSG_ID, true);
      dv.setInt32(24, SEQ_NO, true);
      dv.setInt32(28, n, true);
      plaintext.set(body, 32);
      getRandomValues(plaintext.subarray(32 + n));
      const msgKey = sha256(keyPart, plaintext).subarray(8, 24);
      const { key, iv } = kdf(msgKey);
      const ciphertext = igeEncrypt(key, iv, plaintext);
      const packet = new Uint8Array(24 + ciphertext.length);
      packet.set(AUTH_KEY_ID, 0);
      packet.set(msgKey, 8);
      packet.set(ciphertext, 24);
      return packet;
    },
    decrypt(packet) {
      let ok = packet.length >= 24 + 48 && (packet.length - 24) % 16 === 0;
      for (let i = 0; i < 8; i++) ok &&= packet[i] === AUTH_KEY_ID[i];
      if (!ok) throw new Error('message rejected');
      const msgKey = packet.subarray(8, 24);
      const { key, iv } = kdf(msgKey);
      const plaintext = igeDecrypt(key, iv, packet.subarray(24));
      const large = sha256(keyPart, plaintext);
      let diff = 0;
      for (let i = 0; i < 16; i++) diff |= large[8 + i] ^ msgKey[i];
      const dv = new DataView(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
      const length = dv.getInt32(28, true);
      const padding = plaintext.length - 32 - length;
      ok = diff === 0 && length >= 0 && length % 4 === 0 && padding >= 12 && padding <= 1024
        && dv.getBigInt64(8, true) === SESSION_ID && (plaintext[16] & 3) === 0;
      if (!ok) throw new Error('message rejected');
      return plaintext.slice(32, 32 + length);
    },
  };
}

const concat = (a, b) => { const out = new Uint8Array(a.length + b.length); out.set(a); out.set(b, a.length); return out; };

/** (a) @mtcute/wasm: its sha256 (one buffer, so the two parts are concatenated) and IGE. */
const mtcuteLayer = messageLayer({
  sha256: (a, b) => mtcute.sha256(concat(a, b)),
  igeEncrypt: (key, iv, d) => mtcute.ige256Encrypt(d, key, iv),
  igeDecrypt: (key, iv, d) => mtcute.ige256Decrypt(d, key, iv),
});

/**
 * (b) node:crypto. IGE encryption is one native AES-256-CBC pass between two XOR passes (the CBC
 * trick of spec §2.4): x_1 = m_1, x_2 = m_2 ⊕ iv[16:32], x_i = m_i ⊕ m_{i−2}; y = CBC(K, iv[0:16], x);
 * c_1 = y_1 ⊕ iv[16:32], c_i = y_i ⊕ m_{i−1}. IGE decryption has no such rewrite (its chain runs
 * through the block-decrypt output), so it is AES-256-ECB one block at a time: one decipher per
 * message, one update() per 16-byte block.
 */
function nodeIgeEncrypt(key, iv, m) {
  const n = m.length;
  const x = new Uint8Array(n);
  for (let i = 0; i < 16 && i < n; i++) x[i] = m[i];
  for (let i = 16; i < 32 && i < n; i++) x[i] = m[i] ^ iv[i];
  for (let i = 32; i < n; i++) x[i] = m[i] ^ m[i - 32];
  const y = createCipheriv('aes-256-cbc', key, iv.subarray(0, 16)).setAutoPadding(false).update(x);
  const c = new Uint8Array(n);
  for (let i = 0; i < 16 && i < n; i++) c[i] = y[i] ^ iv[16 + i];
  for (let i = 16; i < n; i++) c[i] = y[i] ^ m[i - 16];
  return c;
}

function nodeIgeDecrypt(key, iv, c) {
  const decipher = createDecipheriv('aes-256-ecb', key, null).setAutoPadding(false);
  const m = new Uint8Array(c.length);
  const block = new Uint8Array(16);
  let prevC = iv.subarray(0, 16); // c_{i-1}
  let prevM = iv.subarray(16, 32); // m_{i-1}
  for (let o = 0; o < c.length; o += 16) {
    for (let j = 0; j < 16; j++) block[j] = c[o + j] ^ prevM[j];
    const d = decipher.update(block);
    for (let j = 0; j < 16; j++) m[o + j] = d[j] ^ prevC[j];
    prevC = c.subarray(o, o + 16);
    prevM = m.subarray(o, o + 16);
  }
  return m;
}

const nodeLayer = messageLayer({
  sha256: (a, b) => createHash('sha256').update(a).update(b).digest(),
  igeEncrypt: nodeIgeEncrypt,
  igeDecrypt: nodeIgeDecrypt,
});

let authKey; // wirecrypt's AuthKey, made on first use (after run.mjs's init())
const wirecryptLayer = {
  encrypt: (body) => mt.encryptMessage(P, authKey, { salt: SALT, sessionId: SESSION_ID, msgId: MSG_ID, seqNo: SEQ_NO, body }, { from: 'client' }),
  decrypt: (packet) => mt.decryptMessage(P, authKey, packet, { from: 'client', sessionId: SESSION_ID }).body,
};

const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

/** One round = encrypt (client → server) + decrypt (server side); output: the decrypted body. */
function messageImpl(name, layer) {
  return {
    name,
    setup: ({ bytes }) => {
      authKey ??= new mt.AuthKey(P, AUTH_KEY);
      const body = data(bytes, 2);
      // every layer reads every other's packets (the same protocol, not just self-consistent ones)
      const ours = wirecryptLayer.encrypt(body);
      const theirs = layer.encrypt(body);
      if (theirs.length !== ours.length) throw new Error(`MTProto message ${bytes} B: ${name} packet is ${theirs.length} bytes, wirecrypt's ${ours.length}`);
      if (!same(layer.decrypt(ours), body) || !same(wirecryptLayer.decrypt(theirs), body)) throw new Error(`MTProto message ${bytes} B: ${name} and wirecrypt do not read each other's packets`);
      const round = () => layer.decrypt(layer.encrypt(body));
      if (!same(round(), body)) throw new Error(`MTProto message ${bytes} B: ${name} does not return the body`);
      return { run: round };
    },
  };
}

// ---- auth-key creation ----------------------------------------------------------------------------

let rsa; // one 2048-bit key pair per process, made on first use (it takes a moment)
function rsaPair() {
  if (rsa === undefined) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
    const privatePem = privateKey.export({ type: 'pkcs1', format: 'pem' });
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' });
    rsa = { privatePem, publicPem, private: mt.parseRsaPrivateKey(P, privatePem), public: mt.parseRsaPublicKey(P, publicPem) };
  }
  return rsa;
}

/**
 * One complete handshake, in process (no sockets): a ServerHandshake (as MtprotoServer makes one per
 * connection) answering a ClientHandshake, req_pq_multi .. dh_gen_ok (spec §5.1). `timeServer`
 * adds up the milliseconds spent on the server's side. Returns whether both sides hold the same key.
 */
function handshake(timeServer) {
  const t0 = performance.now();
  const server = new mt.ServerHandshake(P, { rsaPrivateKey: rsa.private });
  let serverMs = performance.now() - t0;
  const client = new mt.ClientHandshake(P, { rsaKeys: [rsa.public], dc: 2 });
  let body = client.start();
  let serverKey;
  for (;;) {
    const t = performance.now();
    const answer = server.receive(body);
    serverMs += performance.now() - t;
    serverKey ??= answer.done?.authKey;
    const step = client.receive(answer.send);
    if (step.done !== undefined) {
      if (timeServer) timeServer(serverMs);
      return serverKey !== undefined && same(serverKey, step.done.authKey);
    }
    body = step.send;
  }
}

// ---- groups and targets -------------------------------------------------------------------------

const MESSAGE = 'MTProto message encrypt + decrypt';
const MTCUTE = 'same layer on @mtcute/wasm';
const NODE = 'same layer on node:crypto';

export const mtprotoGroups = [
  {
    title: MESSAGE, unit: 'MB/s',
    sizes: [{ label: '100 B', bytes: 100 }, { label: '1 KiB', bytes: 1024 }, { label: '64 KiB', bytes: 65536 }],
    notes: [
      'One round: encryptMessage (client → server: header, random padding to TDLib\'s size buckets, msg_key, KDF, AES-256-IGE) and the server\'s decryptMessage (KDF, IGE, msg_key recomputed and compared, length / padding / session_id / msg_id checks); wasm provider. MB/s counts body bytes per round: msgs/s = MB/s × 10^6 ÷ body size (1 MB/s = 10,000 msgs/s at 100 B, 977 at 1 KiB, 15.3 at 64 KiB).',
      `The peers are built in bench/groups/mtproto.mjs, same steps: "${MTCUTE}" uses its sha256 (the two parts concatenated) and ige256Encrypt/Decrypt (lookup-table AES, not constant time); "${NODE}" uses createHash('sha256'), AES-256-IGE encryption as one native AES-256-CBC pass between two XOR passes (spec §2.4) and decryption as AES-256-ECB one block per update(). Every layer reads the others' packets (checked at setup). wirecrypt also validates its arguments and wipes every key-dependent buffer (AES key schedule, aes_key / aes_iv, hashes, plaintext copies) after use; the peers do neither.`,
    ],
    impls: [
      messageImpl('wirecrypt', wirecryptLayer),
      messageImpl(MTCUTE, mtcuteLayer),
      messageImpl(NODE, nodeLayer),
    ],
  },
  {
    title: 'MTProto auth-key creation', unit: 'ops/s',
    sizes: [{ label: 'handshakes/s (server + client)', bytes: 0 }],
    notes: [
      'A complete permanent-key handshake (req_pq_multi .. dh_gen_ok; 2048-bit RSA key from node:crypto, Telegram\'s 2048-bit DH prime), ServerHandshake answering ClientHandshake in one thread, no sockets, wasm provider. The figure includes the client\'s work (pq factorisation, RSA encryption, its two 2048-bit DH exponentiations): the nonces bind every message to one handshake, so the server\'s side cannot be fed pre-computed messages. The server\'s share, timed inside the same handshakes, is reported below with the loopback RPC figures.',
    ],
    impls: [
      {
        name: 'wirecrypt',
        setup: () => {
          rsaPair();
          const output = () => {
            if (!handshake()) throw new Error('MTProto handshake: the two sides hold different keys');
            return 'same auth key on both sides';
          };
          return { run: () => handshake(), output };
        },
      },
    ],
  },
];

const t = (text, group, size, peer, min) => ({ text, group, size, peer, min });
export const mtprotoTargets = [
  t('MTProto message layer ≥ 1.5× the @mtcute/wasm-based layer at 100 B', MESSAGE, '100 B', MTCUTE, 1.5),
  t('MTProto message layer ≥ 1× the @mtcute/wasm-based layer at 1 KiB', MESSAGE, '1 KiB', MTCUTE, 1),
];

// ---- loopback RPC (outside the harness) ------------------------------------------------------------

export const LOOPBACK_TITLE = 'MTProto loopback RPC';
const CLIENTS = 50;
/** Threads the clients share: one core stays the server's (a 2-core machine: one client thread). */
const CLIENT_THREADS = Math.max(1, Math.min(4, cpus().length - 1));
const IN_FLIGHT = [1, 8];
const TARGET_RPS = 20_000;
/** echo#0eca0eca client:int lane:int seq:int = the same 16 bytes (an application query of ours). */
const ECHO = 0x0eca0eca;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The next message of `type` from a worker; rejects if the worker reports an error or is gone. */
function next(worker, type) {
  return new Promise((resolve, reject) => {
    if (worker.gone) return reject(worker.gone);
    const onMessage = (m) => {
      if (m.type === 'error') done(() => reject(new Error(`loopback clients: ${m.message}`)));
      else if (m.type === type) done(() => resolve(m));
    };
    const onGone = () => done(() => reject(worker.gone));
    const done = (fn) => { worker.off('message', onMessage); worker.off('gone', onGone); fn(); };
    worker.on('message', onMessage);
    worker.on('gone', onGone);
  });
}

/** A client thread; `gone` is set (and emitted) when it fails or exits, so no wait hangs on it. */
function clientThread(data) {
  const worker = new Worker(new URL(import.meta.url), { workerData: data });
  const gone = (error) => { worker.gone ??= error; worker.emit('gone'); };
  worker.on('error', (e) => gone(e));
  worker.on('exit', (code) => gone(new Error(`loopback clients: worker exited (code ${code})`)));
  return worker;
}

/**
 * A real MtprotoServer on 127.0.0.1 (port 0, MemoryAuthKeyStore, an echo handler) and 50
 * MtprotoClients (intermediate transport, each with its own auth key from a real handshake) in
 * CLIENT_THREADS worker threads. Each client keeps 1, then 8, echo queries in flight back to back; after a warm-up,
 * completed round trips are counted for a fixed time. Every answer is checked against its query.
 * Also reports each side's event-loop utilisation (which side is the bottleneck) and the server's
 * share of a handshake's time. Returns { title, rows, handshake, target, markdown }.
 */
export async function mtprotoLoopback({ quick = false, log = () => {} } = {}) {
  const warmMs = quick ? 500 : 2000;
  const measureMs = quick ? 1500 : 5000;
  const { privatePem, publicPem } = rsaPair();
  const server = new mt.MtprotoServer({
    provider: P, rsaPrivateKey: privatePem, authKeyStore: new mt.MemoryAuthKeyStore(),
    handlers: { [ECHO]: (body) => body },
  });
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  const workers = Array.from({ length: CLIENT_THREADS }, (_, i) => clientThread({
    role: 'mtproto-loopback-clients', port, publicPem, wasm: engineInfo().build,
    clients: Math.floor(CLIENTS / CLIENT_THREADS) + (i < CLIENTS % CLIENT_THREADS ? 1 : 0), first: i,
  }));
  const all = (type) => Promise.all(workers.map((w) => next(w, type)));
  const post = (message) => { for (const w of workers) w.postMessage(message); };
  const rows = [];
  let connectMs;
  try {
    const connectStart = performance.now();
    await all('ready');
    connectMs = performance.now() - connectStart;
    if (server.keysCreated !== CLIENTS) throw new Error(`loopback: ${server.keysCreated} auth keys created for ${CLIENTS} clients`);
    for (const inFlight of IN_FLIGHT) {
      post({ type: 'start', inFlight });
      await sleep(warmMs);
      const elu = performance.eventLoopUtilization();
      post({ type: 'mark' });
      await sleep(measureMs);
      const serverElu = performance.eventLoopUtilization(elu).utilization;
      const stopped = all('stopped');
      post({ type: 'stop' });
      const results = await stopped;
      const wrong = results.reduce((n, r) => n + r.wrong, 0);
      if (wrong !== 0) throw new Error(`loopback: ${wrong} answers differ from their queries`);
      const row = {
        inFlight,
        roundTripsPerSecond: results.reduce((sum, r) => sum + r.count / (r.ms / 1000), 0),
        roundTrips: results.reduce((n, r) => n + r.count, 0),
        serverElu,
        clientElu: results.reduce((sum, r) => sum + r.elu, 0) / results.length,
      };
      rows.push(row);
      log(`  ${LOOPBACK_TITLE} ${inFlight} in flight × ${CLIENTS} clients: ${Math.round(row.roundTripsPerSecond).toLocaleString('en-US')}/s (server loop ${(serverElu * 100).toFixed(0)} % busy, clients ${(row.clientElu * 100).toFixed(0)} %)`);
    }
    const closed = all('closed');
    post({ type: 'close' });
    await closed;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    await server.close();
  }

  // The server's share of a handshake: the same in-process handshakes, timing the server's calls.
  const n = quick ? 5 : 30;
  let serverMs = 0;
  const start = performance.now();
  for (let i = 0; i < n; i++) if (!handshake((ms) => { serverMs += ms; })) throw new Error('handshake: keys differ');
  const totalMs = (performance.now() - start) / n;
  serverMs /= n;
  const hs = { handshakes: n, totalMs, serverMs, serverOnlyPerSecond: 1000 / serverMs };

  const best = rows.reduce((a, b) => (b.roundTripsPerSecond > a.roundTripsPerSecond ? b : a));
  const fmt = (x) => Math.round(x).toLocaleString('en-US');
  const pct = (x) => `${(x * 100).toFixed(0)} %`;
  const markdown = [
    `| ${LOOPBACK_TITLE} (round trips/s) | ${rows.map((r) => `${r.inFlight} in flight per client`).join(' | ')} |`,
    `|---|${rows.map(() => '--:').join('|')}|`,
    `| wirecrypt MtprotoServer ← ${CLIENTS} MtprotoClients | ${rows.map((r) => `**${fmt(r.roundTripsPerSecond)}**<br><sub>server loop ${pct(r.serverElu)} busy, clients ${pct(r.clientElu)}</sub>`).join(' | ')} |`,
    '',
    `127.0.0.1, intermediate transport, wasm provider, MemoryAuthKeyStore, a handler echoing a 16-byte query; each client has its own auth key (the ${CLIENTS} handshakes and connections took ${(connectMs / 1000).toFixed(1)} s). ` +
      `The server has the main thread; the ${CLIENTS} clients share ${CLIENT_THREADS} worker thread${CLIENT_THREADS > 1 ? 's' : ''} (the machine has ${cpus().length} cores; one is left to the server). Each client issues queries back to back with a fixed number in flight; ${warmMs / 1000} s warm-up, then completed round trips counted for ${measureMs / 1000} s, every answer checked against its query. "busy": event-loop utilisation of the server's thread and of the client threads (their mean) over the measured window; near 100 % marks the bottleneck.`,
    '',
    `Auth-key creation, the server's share: of ${totalMs.toFixed(1)} ms per in-process handshake (mean of ${n}), ${hs.serverMs.toFixed(1)} ms is spent in ServerHandshake (constructor and receive()), i.e. ${hs.serverOnlyPerSecond.toFixed(0)} handshakes/s on one core for the server alone.`,
  ].join('\n');
  return {
    title: LOOPBACK_TITLE, clients: CLIENTS, warmMs, measureMs, rows, connectMs, handshake: hs, markdown,
    target: {
      text: `≥ ${fmt(TARGET_RPS)} RPC round trips/s over loopback with ${CLIENTS} clients (best of ${IN_FLIGHT.join(' and ')} in flight per client)`,
      measured: `${fmt(best.roundTripsPerSecond)}/s (${best.inFlight} in flight)`,
      met: best.roundTripsPerSecond >= TARGET_RPS,
    },
  };
}

// ---- the loopback clients (worker thread) ----------------------------------------------------------

async function loopbackClients({ port, publicPem, clients: n, first, wasm }) {
  init({ wasm });
  const clients = await Promise.all(Array.from({ length: n }, () => mt.MtprotoClient.connect({
    host: '127.0.0.1', port, rsaPublicKey: publicPem, transport: 'intermediate', provider: P, reconnect: false,
  })));
  let running = false;
  let counting = false;
  let count = 0;
  let wrong = 0;
  let lanes = [];
  let t0 = 0;
  let elu;
  let failure;

  async function lane(client, c, l) {
    for (let k = 0; running; k++) {
      const query = new Uint8Array(16);
      const v = new DataView(query.buffer);
      v.setUint32(0, ECHO, true);
      v.setInt32(4, c, true);
      v.setInt32(8, l, true);
      v.setInt32(12, k, true);
      const answer = await client.invoke(query);
      if (!same(answer, query)) wrong++;
      if (counting) count++;
    }
  }

  parentPort.on('message', async (m) => {
    try {
      if (m.type === 'start') {
        running = true;
        wrong = 0;
        failure = undefined;
        // a failed query ends its lane and is reported at 'stop' (not an unhandled rejection meanwhile)
        lanes = clients.flatMap((client, c) => Array.from({ length: m.inFlight }, (_, l) => lane(client, first + c * CLIENT_THREADS, l).catch((e) => { failure ??= e; })));
      } else if (m.type === 'mark') {
        count = 0;
        counting = true;
        t0 = performance.now();
        elu = performance.eventLoopUtilization();
      } else if (m.type === 'stop') {
        const ms = performance.now() - t0;
        const done = count;
        const utilization = performance.eventLoopUtilization(elu).utilization;
        counting = false;
        running = false;
        await Promise.all(lanes);
        if (failure !== undefined) throw failure;
        parentPort.postMessage({ type: 'stopped', count: done, ms, elu: utilization, wrong });
      } else if (m.type === 'close') {
        await Promise.all(clients.map((client) => client.close()));
        parentPort.postMessage({ type: 'closed' });
      }
    } catch (error) {
      parentPort.postMessage({ type: 'error', message: String(error?.stack ?? error) });
      process.exit(1); // ends this thread: the server side sees it gone instead of waiting
    }
  });
  parentPort.postMessage({ type: 'ready' });
}

if (!isMainThread && workerData?.role === 'mtproto-loopback-clients') {
  loopbackClients(workerData).catch((error) => parentPort.postMessage({ type: 'error', message: String(error?.stack ?? error) }));
}
