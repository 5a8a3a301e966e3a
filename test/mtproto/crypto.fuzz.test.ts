// Fuzzing the MTProto 2.0 message layer with fast-check, on both providers, with the conventions of
// test/diff/property.ts: a fixed seed and exact run counts in `npm test`, time-bounded runs under
// `npm run fuzz` (FUZZ_SECONDS). Properties:
//   - decryptMessage (and decryptMessageV1) on arbitrary bytes only ever throws the one error;
//   - on a valid packet damaged by random mutations it throws the one error, unless the mutations
//     left the packet's blocks intact (no change, or a tail under 16 bytes), when it returns the
//     original message;
//   - encrypt → decrypt is the identity for generated messages, both directions, random or exact
//     padding, and the other direction rejects.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/index.js';
import { AuthKey } from '../../bindings/mtproto/crypto/auth-key.js';
import { type PlaintextMessage, decryptMessage, decryptMessageWithQuickAck, encryptMessageWithQuickAck } from '../../bindings/mtproto/crypto/message.js';
import { decryptMessageV1 } from '../../bindings/mtproto/crypto/message-v1.js';
import { MAX_PADDING, MIN_PADDING } from '../../bindings/mtproto/crypto/padding.js';
import { MtprotoError } from '../../bindings/mtproto/errors.js';
import { BUILDS } from '../helpers/builds.js';
import { forEachProvider } from '../helpers/providers.js';
import { bytesOfLength, bytesUpTo } from '../diff/generators.js';
import { FUZZ_SEED, fuzzing, runParameters } from '../diff/property.js';

type From = 'client' | 'server';

/** Runs per property and provider in `npm test` (3 provider suites: about 9000 inputs in all). */
const RUNS = { junk: 1200, mutated: 1200, roundTrip: 600 } as const;
const SHARE = Object.keys(RUNS).length * (BUILDS.length + 1);

function check(property: fc.IProperty<any>, runs: number): void {
  const details = fc.check(property, fuzzing ? runParameters(SHARE) : { seed: FUZZ_SEED, numRuns: runs });
  if (details.failed) expect.fail(`${fc.defaultReportMessage(details) ?? 'property failed'}\n${String(details.errorInstance)}`);
  if (fuzzing) {
    expect(details.numRuns).toBeGreaterThan(0);
    return;
  }
  expect(details.interrupted, 'interrupted').toBe(false);
  expect(details.numRuns, 'runs').toBe(runs);
}

/** 'ok', 'rejected' (the one error, exactly), or what else was thrown. */
function outcome(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof MtprotoError && e.code === 'message-rejected' && e.message === 'message rejected') return 'rejected';
    return `threw ${(e as Error)?.name}: ${(e as Error)?.message}`;
  }
}

const sameMessage = (a: PlaintextMessage, b: PlaintextMessage) =>
  a.salt === b.salt && a.sessionId === b.sessionId && a.msgId === b.msgId && a.seqNo === b.seqNo && Buffer.compare(a.body, b.body) === 0;

// ---- generators -------------------------------------------------------------------------------

const from = fc.constantFrom<From>('client', 'server');
const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
/** Body lengths: multiples of 4, biased to the padding buckets' edges (TDLib sizes minus 44..32). */
const bodyLength = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 64 }).map((n) => 4 * n), weight: 3 },
  { arbitrary: fc.constantFrom(20, 32, 84, 96, 148, 212, 340, 468, 724, 980, 1236, 1248, 1684, 1696, 2132), weight: 2 },
  { arbitrary: fc.integer({ min: 0, max: 4096 }).map((n) => 4 * n), weight: 1 },
);

const messageFor = (sender: From) =>
  fc.record({ salt: int64, sessionId: int64, msgId: int64, seqNo: fc.integer({ min: 0, max: 0x7fffffff }), body: bodyLength.chain(bytesOfLength) })
    .map((m): PlaintextMessage => {
      // the sender's parity (spec §4.1): client ≡ 0 mod 4; server ≡ 1 or 3 mod 4
      const msgId = sender === 'client' ? m.msgId & ~3n : (m.msgId & ~2n) | 1n | (m.msgId & 2n);
      return { ...m, msgId };
    });

/** 'random', or exact padding bytes of a valid length for the body (12..1024, completing a block). */
const paddingFor = (n: number) =>
  fc.oneof(
    fc.constant<'random'>('random'),
    fc.nat().chain((k) => {
      const minimal = MIN_PADDING + ((16 - ((32 + n + MIN_PADDING) % 16)) % 16);
      const blocks = Math.floor((MAX_PADDING - minimal) / 16) + 1;
      return bytesOfLength(minimal + 16 * (k % blocks));
    }),
  );

const sealed = fc.record({ key: bytesOfLength(256), from }).chain(({ key, from: sender }) =>
  messageFor(sender).chain((message) => paddingFor(message.body.length).map((padding) => ({ key, from: sender, message, padding }))));

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; to: number }
  | { kind: 'append'; bytes: Uint8Array }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'swapBlocks'; a: number; b: number }
  | { kind: 'zeroRange'; at: number; count: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), to: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: bytesUpTo(40) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: bytesUpTo(40) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('swapBlocks' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('zeroRange' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 64 }) }),
);

/** A plain Uint8Array (not a Buffer, whose slice and fill behave differently). */
const join = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

function mutate(packet: Uint8Array, m: Mutation): Uint8Array {
  const n = packet.length;
  const at = (i: number) => (n === 0 ? 0 : i % n);
  switch (m.kind) {
    case 'flip': { const p = packet.slice(); if (n) p[at(m.at)]! ^= 1 << m.bit; return p; }
    case 'set': { const p = packet.slice(); if (n) p[at(m.at)] = m.value; return p; }
    case 'truncate': return packet.slice(0, n === 0 ? 0 : m.to % n);
    case 'append': return join(packet, m.bytes);
    case 'insert': { const i = m.at % (n + 1); return join(packet.subarray(0, i), m.bytes, packet.subarray(i)); }
    case 'delete': { const i = at(m.at); return join(packet.subarray(0, i), packet.subarray(i + m.count)); }
    case 'swapBlocks': {
      // ciphertext blocks (after the 24-byte header) exchanged: IGE's chaining must not let this pass
      const blocks = Math.floor((n - 24) / 16);
      if (blocks < 2) return packet.slice();
      const a = m.a % blocks, b = m.b % blocks;
      const p = packet.slice();
      p.set(packet.subarray(24 + 16 * b, 40 + 16 * b), 24 + 16 * a);
      p.set(packet.subarray(24 + 16 * a, 40 + 16 * a), 24 + 16 * b);
      return p;
    }
    case 'zeroRange': { const p = packet.slice(); p.fill(0, at(m.at), at(m.at) + m.count); return p; }
  }
}

/** Whether the mutated packet still has every original byte the decryption reads, and no more blocks. */
function intactBlocks(original: Uint8Array, mutated: Uint8Array): boolean {
  return mutated.length >= original.length && mutated.length - original.length < 16
    && Buffer.compare(mutated.subarray(0, original.length), original) === 0;
}

/**
 * Whether x = 0 and x = 8 read different key bytes somewhere (msg_key: [88+x, 120+x); KDF: [x, x+36)
 * and [40+x, 76+x)). A key whose bytes repeat with period 8 there (all 0xff, say) makes the two
 * directions the same function, and the wrong-direction check cannot apply.
 */
function directionsDiffer(key: Uint8Array): boolean {
  for (const [start, end] of [[0, 36], [40, 76], [88, 120]] as const) {
    if (Buffer.compare(key.subarray(start, end), key.subarray(start + 8, end + 8)) !== 0) return true;
  }
  return false;
}

// ---- the properties ---------------------------------------------------------------------------

forEachProvider((provider: CryptoProvider) => {
  describe('decryptMessage fuzzing', () => {
    it(`arbitrary bytes (bare or behind the right auth_key_id): only the one error (${RUNS.junk} inputs)`, () => {
      const key = new AuthKey(provider, Uint8Array.from({ length: 256 }, (_, i) => (i * 131 + 7) & 0xff));
      const id = key.id;
      const options = fc.record({ from, sessionId: fc.option(int64, { nil: undefined }), msgIdParity: fc.option(fc.boolean(), { nil: undefined }) });
      check(fc.property(bytesUpTo(2100), fc.boolean(), options, (junk, withId, opts) => {
        const packet = junk.slice();
        if (withId && packet.length >= 8) packet.set(id, 0);
        expect(outcome(() => decryptMessage(provider, key, packet, opts))).toBe('rejected');
        expect(outcome(() => decryptMessageV1(provider, key, packet, { from: opts.from }))).toBe('rejected');
      }), RUNS.junk);
      key.dispose();
    });

    it(`valid packets after 1..4 random mutations: the one error, or the original message when the blocks are intact (${RUNS.mutated} inputs)`, () => {
      check(fc.property(sealed, fc.array(mutation, { minLength: 1, maxLength: 4 }), ({ key, from: sender, message, padding }, mutations) => {
        const authKey = new AuthKey(provider, key);
        const packet = encryptMessageWithQuickAck(provider, authKey, message, { from: sender, padding }).packet;
        const bad = mutations.reduce(mutate, packet);
        let got: PlaintextMessage | undefined;
        const result = outcome(() => { got = decryptMessage(provider, authKey, bad, { from: sender, sessionId: message.sessionId }); });
        if (intactBlocks(packet, bad)) {
          expect(result).toBe('ok');
          expect(sameMessage(got!, message)).toBe(true);
        } else {
          expect(result).toBe('rejected');
        }
        authKey.dispose();
      }), RUNS.mutated);
    });

    it(`encrypt → decrypt is the identity, with matching quick-ack tokens; the other direction rejects (${RUNS.roundTrip} messages)`, () => {
      check(fc.property(sealed, ({ key, from: sender, message, padding }) => {
        const authKey = new AuthKey(provider, key);
        const { packet, quickAck } = encryptMessageWithQuickAck(provider, authKey, message, { from: sender, padding });
        const back = decryptMessageWithQuickAck(provider, authKey, packet, { from: sender });
        expect(sameMessage(back.message, message)).toBe(true);
        expect(back.quickAck).toBe(quickAck);
        if (padding !== 'random') expect(packet.length).toBe(24 + 32 + message.body.length + padding.length);
        if (directionsDiffer(key)) {
          expect(outcome(() => decryptMessage(provider, authKey, packet, { from: sender === 'client' ? 'server' : 'client', msgIdParity: false }))).toBe('rejected');
        }
        authKey.dispose();
      }), RUNS.roundTrip);
    });
  });
});
