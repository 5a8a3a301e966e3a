// mmtls (issue 11, "Benchmarks"): the record layer (seal + open) against the same layer built here
// on node:crypto and on @noble/ciphers; server handshakes/s for each mode; and 0-RTT requests over
// loopback with a real MmtlsServer and MmtlsClient (short link, one HTTP POST on a fresh TCP
// connection each).
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import { wasmProvider } from 'wirecrypt';
import * as mm from '../../dist/mmtls.js';

const P = wasmProvider;
const data = (n, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 7 + (i >> 9)) & 0xff);
const KEY = data(16, 3);
const IV = data(12, 5);
const TYPE = 0x17;

// ---- the record layer ----------------------------------------------------------------------------

/** nonce = iv XOR seq (last 4 bytes, big-endian); AAD = u64 seq ‖ type ‖ f104 ‖ u16 length (spec §4.2). */
function nonceOf(seq) {
  const n = IV.slice();
  n[8] ^= seq >>> 24; n[9] ^= seq >>> 16; n[10] ^= seq >>> 8; n[11] ^= seq;
  return n;
}
function headerOf(length) {
  return Uint8Array.of(TYPE, 0xf1, 0x04, length >>> 8, length & 0xff);
}
function aadOf(seq, header) {
  const a = new Uint8Array(13);
  new DataView(a.buffer).setUint32(4, seq);
  a.set(header, 8);
  return a;
}

/** A peer's record layer from seal(nonce, aad, plaintext) → ct‖tag and open(nonce, aad, sealed) → plaintext. */
function peerLayer({ seal, open }) {
  let sendSeq = 0;
  let receiveSeq = 0;
  return {
    seal(plaintext) {
      const header = headerOf(plaintext.length + 16);
      const seq = sendSeq++;
      const sealed = seal(nonceOf(seq), aadOf(seq, header), plaintext);
      const record = new Uint8Array(5 + sealed.length);
      record.set(header);
      record.set(sealed, 5);
      return record;
    },
    open(record) {
      const seq = receiveSeq++;
      return open(nonceOf(seq), aadOf(seq, record.subarray(0, 5)), record.subarray(5));
    },
  };
}

const nodeLayer = () => peerLayer({
  seal(nonce, aad, plaintext) {
    const c = createCipheriv('aes-128-gcm', KEY, nonce).setAAD(aad);
    const out = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  },
  open(nonce, aad, sealed) {
    const d = createDecipheriv('aes-128-gcm', KEY, nonce).setAAD(aad).setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
  },
});

const nobleLayer = () => peerLayer({
  seal: (nonce, aad, plaintext) => gcm(KEY, nonce, aad).encrypt(plaintext),
  open: (nonce, aad, sealed) => gcm(KEY, nonce, aad).decrypt(sealed),
});

function wirecryptLayer() {
  const sending = new mm.RecordStream(P);
  const receiving = new mm.RecordStream(P);
  sending.setKey({ key: KEY, iv: IV });
  receiving.setKey({ key: KEY, iv: IV });
  return {
    seal: (plaintext) => sending.seal(TYPE, plaintext),
    open: (record) => receiving.open({ type: TYPE, header: record.subarray(0, 5), body: record.subarray(5) }),
  };
}

function recordImpl(name, makeLayer) {
  return {
    name,
    setup: ({ bytes }) => {
      const plaintext = data(bytes, 9);
      const layer = makeLayer();
      const roundTrip = () => layer.open(layer.seal(plaintext));
      const output = () => {
        const fresh = makeLayer();
        const record = fresh.seal(plaintext);
        if (Buffer.compare(fresh.open(record), plaintext) !== 0) throw new Error(`${name}: open(seal(x)) !== x`);
        return record;
      };
      return { run: roundTrip, output };
    },
  };
}

// ---- server handshakes ----------------------------------------------------------------------------

const keys = mm.generateServerKeys(P);
const serverTicketKeys = new mm.MemoryTicketKeys(P);

function serverContext(replayStore) {
  return {
    provider: P, signingKey: keys.signingKey, ticketKeys: serverTicketKeys, replayStore, replayWindowSeconds: 30,
    overloaded: () => false, now: Date.now,
  };
}

/** Tickets from one real 1-RTT ECDHE handshake with a server that shares serverTicketKeys. */
async function issuedTickets() {
  const tickets = new mm.ClientTickets();
  const client = new mm.ClientConnection({ provider: P, verifyKey: keys.verifyKey, now: Date.now }, { onData() {}, onEnd() {} }, tickets);
  const server = new mm.ServerConnection(serverContext(new mm.MemoryReplayStore()), { onData() {}, onEnd() {} });
  client.start('1rtt-ecdhe');
  for (let i = 0; i < 3; i++) {
    for (const r of mm.splitRecords(client.takeOutput())) await server.receive(r);
    for (const r of mm.splitRecords(server.takeOutput())) client.receive(r);
  }
  if (client.mode !== '1rtt-ecdhe' || server.mode !== '1rtt-ecdhe') throw new Error('mmtls bench: the setup handshake failed');
  return tickets;
}

/** The client's first flight for `mode` (0-RTT: with one 100-byte request and end_of_data). */
function firstFlight(mode, tickets) {
  const c = new mm.ClientConnection({ provider: P, verifyKey: keys.verifyKey, now: Date.now }, { onData() {}, onEnd() {} }, tickets);
  c.start(mode);
  if (mode.startsWith('0rtt')) {
    c.sendApplicationData(data(100));
    c.sendEnd();
  }
  const out = mm.splitRecords(c.takeOutput());
  c.dispose();
  return out;
}

const MODES = [
  { label: '1-RTT ECDHE', mode: '1rtt-ecdhe', pool: 1 },
  { label: '1-RTT PSK', mode: '1rtt-psk', pool: 1 },
  { label: '0-RTT PSK', mode: '0rtt-psk', pool: 4096 },
  { label: '0-RTT ECDH-ECDHE', mode: '0rtt-ecdhe', pool: 256 },
];

function handshakeImpl() {
  return {
    name: 'wirecrypt',
    setup: async ({ label }) => {
      const { mode, pool } = MODES.find((m) => m.label === label);
      const tickets = await issuedTickets();
      const flights = Array.from({ length: pool }, () => firstFlight(mode, tickets));
      let i = 0;
      let replay = new mm.MemoryReplayStore();
      // One server handshake: a fresh ServerConnection takes the client's first flight and produces
      // its whole answer (0-RTT: with the response to the early request and end_of_data).
      const once = async () => {
        if (i === flights.length) {
          i = 0;
          replay = new mm.MemoryReplayStore(); // a 0-RTT hello is accepted once per register
        }
        let answered = false;
        const server = new mm.ServerConnection(serverContext(replay), { onData() {}, onEnd() { answered = true; } });
        for (const r of flights[i++]) await server.receive(r);
        if (answered) {
          server.sendApplicationData(data(100, 2));
          server.sendEnd();
        }
        const out = server.takeOutput();
        server.dispose();
        if (out.length === 0) throw new Error(`mmtls bench: no answer in ${label}`);
      };
      return { run: once, async: true, output: async () => { await once(); return label; } };
    },
  };
}

// ---- 0-RTT over loopback ------------------------------------------------------------------------

let loopback;
async function loopbackServer() {
  loopback ??= (async () => {
    const server = new mm.MmtlsServer({ signingKey: keys.signingKey, provider: P, handler: (request) => request });
    const { port } = await server.listen({ http: true });
    return { server, port };
  })();
  return loopback;
}

function loopbackImpl() {
  return {
    name: 'wirecrypt',
    setup: async () => {
      const { port } = await loopbackServer();
      const client = new mm.MmtlsClient({ host: '127.0.0.1', port, verifyKey: keys.verifyKey, http: true, provider: P });
      const body = data(100);
      await client.request(body); // 1-RTT ECDHE once: the tickets for 0-RTT
      const run = async () => {
        const answer = await client.request(body);
        if (answer.length !== body.length || client.lastHandshake.mode !== '0rtt-psk') throw new Error('mmtls bench: loopback 0-RTT failed');
      };
      return { run, async: true, output: async () => { await run(); return 'echoed'; } };
    },
  };
}

// ---- groups and targets -------------------------------------------------------------------------

const RECORD = 'mmtls record seal + open';
const NODE = 'same layer on node:crypto';
const NOBLE = 'same layer on @noble/ciphers';
const HANDSHAKES = 'mmtls server handshakes';
const LOOPBACK = 'mmtls 0-RTT request over loopback';

export const mmtlsGroups = [
  {
    title: RECORD, unit: 'MB/s',
    sizes: [{ label: '64 B', bytes: 64 }, { label: '1 KiB', bytes: 1024 }, { label: '16 KiB', bytes: 16384 }],
    notes: [
      'One round: a 0x17 record sealed by one direction\'s RecordStream and opened by the other (AES-128-GCM, nonce = IV XOR seq, AAD = seq ‖ header; spec §4.2); MB/s counts plaintext bytes.',
      `The peers are built in bench/groups/mmtls.mjs with the same nonce and AAD: "${NODE}" on createCipheriv/createDecipheriv('aes-128-gcm'), "${NOBLE}" on gcm() (one instance per record, as the nonce changes). All three produce the same records (checked at setup). wirecrypt's AES is constant time (bitsliced / vperm, no tables); OpenSSL's uses AES-NI.`,
    ],
    impls: [recordImpl('wirecrypt', wirecryptLayer), recordImpl(NODE, nodeLayer), recordImpl(NOBLE, nobleLayer)],
  },
  {
    title: HANDSHAKES, unit: 'ops/s',
    sizes: MODES.map(({ label }) => ({ label, bytes: 0 })),
    notes: [
      'The server\'s side of one handshake, one thread, wasm provider, no sockets: a fresh ServerConnection takes a client\'s first flight (pre-built; 0-RTT flights carry a 100-byte request) and produces its whole answer — 1-RTT ECDHE: ServerHello with a fresh P-256 key, ECDH, ECDSA signature, two sealed tickets, Finished; 1-RTT PSK: ticket opened, two tickets, Finished; 0-RTT PSK: ticket opened, strike register claim (in memory), ServerHello, Finished, the 100-byte response and end_of_data; 0-RTT ECDH-ECDHE: the static ECDH, the claim, then the 1-RTT ECDHE flight and the response. Not counted: checking the 1-RTT client Finished (one AES-GCM open and an HMAC). Each call is awaited (the stores are asynchronous).',
    ],
    impls: [handshakeImpl()],
  },
  {
    title: LOOPBACK, unit: 'ops/s',
    sizes: [{ label: 'requests/s (one client, sequential)', bytes: 0 }],
    notes: [
      'One MmtlsClient sends 100-byte requests one after another to an MmtlsServer on 127.0.0.1 (short link: a fresh TCP connection and one HTTP POST per request, 0-RTT PSK; the server echoes). Latency = 1 ÷ requests/s. Client and server share the one thread.',
    ],
    impls: [loopbackImpl()],
  },
];

const t = (text, group, size, peer, min) => ({ text, group, size, peer, min });
export const mmtlsTargets = [
  t('mmtls record seal + open faster than the node:crypto layer at 64 B', RECORD, '64 B', NODE, 1),
  t('mmtls record seal + open faster than the node:crypto layer at 1 KiB', RECORD, '1 KiB', NODE, 1),
  { text: '≥ 5,000 0-RTT PSK server handshakes/s (one core)', group: HANDSHAKES, size: '0-RTT PSK', atLeast: 5000 },
  { text: '≥ 1,500 1-RTT ECDHE server handshakes/s (one core)', group: HANDSHAKES, size: '1-RTT ECDHE', atLeast: 1500 },
];

/** Closes the loopback server (run.mjs calls it when the groups are done). */
export async function mmtlsCleanup() {
  if (loopback) await (await loopback).server.close();
}
