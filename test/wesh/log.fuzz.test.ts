// Decoder fuzz (a fixed-seed slice in `npm test`; at least 10^5 inputs under `npm run fuzz`, see
// test/diff/property.ts): mutations of valid entry blocks —
// bit flips, byte replacements, truncations, insertions, deletions, splices of two entries — with a
// fixed seed. decodeEntry throws only WeshLogError; whatever it accepts, @ipld/dag-cbor decodes to
// the same fields and re-encodes to the same bytes (so it is canonical); join() never throws for them.
import * as dagCbor from '@ipld/dag-cbor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, WeshLogError, decodeEntry } from '../../bindings/wesh/log/index.js';
import { forEachProvider } from '../helpers/providers.js';
import { cidOf, craft, group, openLog, text } from './log-helpers.js';
import { referenceProvider } from '../../bindings/provider/reference.js';
import { FUZZ_SEED, runFuzzProperty } from '../diff/property.js';

const SEED = FUZZ_SEED;

/** Seeds: entries with 0, 1 and 3 parents, empty and longer payloads, small and large times. */
function corpus() {
  const sk = new Uint8Array(32).fill(1);
  const a = craft(referenceProvider, sk, { time: 1, payload: new Uint8Array(0) });
  const b = craft(referenceProvider, sk, { time: 24, next: [a.cid], payload: text('hello') });
  const c = craft(referenceProvider, sk, { time: 300, next: [a.cid, b.cid], payload: new Uint8Array(300).fill(7) });
  const d = craft(referenceProvider, sk, { time: 2 ** 40, next: [a.cid, b.cid, c.cid], payload: new Uint8Array(70000).fill(1) });
  return [a, b, c, d].map((x) => x.bytes);
}

const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

const mutation = (seeds: Uint8Array[]) => fc.tuple(fc.nat(seeds.length - 1), fc.array(fc.tuple(fc.nat(5), fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }), fc.nat(seeds.length - 1))
  .map(([s, edits, other]) => {
    let b = seeds[s].slice();
    for (const [kind, at, v] of edits) {
      const i = b.length ? at % b.length : 0;
      if (kind === 0 && b.length) b[i] ^= 1 << (v & 7);
      else if (kind === 1 && b.length) b[i] = v;
      else if (kind === 2) b = b.slice(0, i);
      else if (kind === 3) b = cat(b.subarray(0, i), Uint8Array.of(v), b.subarray(i));
      else if (kind === 4 && b.length) b = cat(b.subarray(0, i), b.subarray(i + 1));
      else b = cat(b.subarray(0, i), seeds[other].subarray(i));
    }
    return b;
  });

function check(bytes: Uint8Array): 'accepted' | 'refused' {
  let e;
  try {
    e = decodeEntry(bytes, cidOf(bytes), { ...DEFAULT_LIMITS, maxPayload: 1 << 17 });
  } catch (err) {
    if (!(err instanceof WeshLogError)) throw err;
    return 'refused';
  }
  const generic = dagCbor.decode(bytes) as Record<string, unknown>;
  expect(Buffer.from(dagCbor.encode(generic)).equals(Buffer.from(bytes))).toBe(true);
  expect(generic.log).toBe(e.logId);
  expect((generic.clock as { time: number }).time).toBe(e.clock.time);
  return 'accepted';
}

describe('entry decoder', () => {
  const seeds = corpus();

  it('accepts the seeds and agrees with dag-cbor on them', () => {
    for (const s of seeds) expect(check(s)).toBe('accepted');
  });

  it('mutated encodings: only WeshLogError, and nothing non-canonical accepted', () => {
    const outcomes = { accepted: 0, refused: 0 };
    runFuzzProperty(fc.property(mutation(seeds), (b) => {
      outcomes[check(b)]++;
    }), 4000, 100_000, 2);
    expect(outcomes.refused).toBeGreaterThan(3000);
  });

  it('random bytes and short prefixes', () => {
    runFuzzProperty(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
      check(b);
    }), 1000, 100_000, 2);
    for (const s of seeds) for (let n = 0; n < Math.min(s.length, 400); n++) expect(check(s.subarray(0, n))).toBe('refused');
  });

  it('refuses the specific non-canonical forms', () => {
    const base = seeds[1];
    const codes = (b: Uint8Array) => { try { decodeEntry(b, cidOf(b), DEFAULT_LIMITS); return 'ok'; } catch (e) { return (e as WeshLogError).code; } };
    // the payload length 5 written as 0x58 0x05 (one extra byte)
    const i = Buffer.from(base).indexOf('payload') + 7;
    expect(base[i]).toBe(0x45);
    const long = new Uint8Array([...base.subarray(0, i), 0x58, 0x05, ...base.subarray(i + 1)]);
    expect(codes(long)).toBe('non-canonical');
    // an indefinite-length payload
    const indefinite = new Uint8Array([...base.subarray(0, i), 0x5f, 0x45, ...base.subarray(i + 1, i + 6), 0xff, ...base.subarray(i + 6)]);
    expect(codes(indefinite)).toBe('non-canonical');
    // oversize payload against a small limit
    expect(() => decodeEntry(seeds[2], cidOf(seeds[2]), { ...DEFAULT_LIMITS, maxPayload: 100 })).toThrow(WeshLogError);
    // an unknown extra field
    const extra = dagCbor.encode({ ...(dagCbor.decode(base) as object), zzzzzzzzzz: 1 });
    expect(codes(extra)).toBe('malformed');
    // a parent that is not a dag-cbor sha2-256 CIDv1 (raw codec)
    const c = Buffer.from(seeds[1]).indexOf(Buffer.from([0x01, 0x71, 0x12, 0x20]));
    const raw = seeds[1].slice();
    raw[c + 1] = 0x55;
    expect(codes(raw)).toBe('bad-cid');
  });
});

forEachProvider((provider) => {
  it('join() of mutated blocks never throws and stores nothing invalid', async () => {
    const g = group(provider);
    const src = await openLog(g);
    for (let i = 0; i < 3; i++) await src.append(text(`m${i}`));
    const seeds = [...src].map((e) => e.bytes);
    const log = await openLog(g);
    await log.join([src.at(0)!]);
    const inputs = fc.sample(mutation(seeds), { seed: SEED, numRuns: 500 });
    const r = await log.join(inputs);
    for (const x of r.rejected) expect(x.error).toBeInstanceOf(WeshLogError);
    // only genuine entries of src can have entered
    for (const e of log) expect(src.has(e.cid)).toBe(true);
  });
});
