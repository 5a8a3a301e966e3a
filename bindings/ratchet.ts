// The symmetric chain ratchet of Wesh (and Signal's sending/receiving chains), many steps per wasm call:
//   PRK = HKDF-Extract(salt, chainKey); OKM = HKDF-Expand(PRK, info, 64)
//   nextChainKey = OKM[0..32]; messageKey = OKM[32..64]
// ratchetChain advances one chain; ratchetChains advances many, four at a time in lockstep on the SIMD
// build (multi-buffer SHA-256) when their info lengths match. Steps run in batches sized to the I/O
// window, each batch one wasm call. Everything staged in wasm memory is wiped before returning.

import { integer, ownBytes } from './errors.js';
import { secretDigest } from './hash.js';
import { hkdfExpand, hkdfExtract } from './hkdf.js';
import type { Engine } from './wasm/engine.js';
import { engine } from './wasm/select.js';
import { align16, stage, unstage } from './wasm/staging.js';

const KEY_LEN = 32;
const ROW = 20;
/** Upper bound on steps per call: 2^20 steps return 32 MiB of message keys per chain. */
export const RATCHET_MAX_STEPS = 1 << 20;
/**
 * Info longer than this takes its steps one by one through hkdfExtract/hkdfExpand (streamed), so
 * that four lanes' inputs and work area always fit the I/O window. Salts of any length are fine: one
 * longer than the SHA-256 block is replaced by its hash, as HMAC itself does (RFC 2104 §2).
 */
const LANE_MAX_INFO = 1024;
const HMAC_BLOCK = 64;

export interface RatchetResult {
  /** The chain key after the last step (a copy of the input when steps is 0). */
  chainKey: Uint8Array;
  /** messageKeys[i] is the key of step i + 1; 32-byte views of one fresh buffer. */
  messageKeys: Uint8Array[];
}

export interface RatchetChainInput {
  chainKey: Uint8Array;
  salt: Uint8Array;
  info: Uint8Array;
}

interface Chain extends RatchetChainInput {
  keys: Uint8Array;
  /** Steps already taken outside the lanes (a first step from a chain key that is not 32 bytes). */
  done: number;
}

/** Takes steps one by one with hkdfExtract/hkdfExpand until `c.done` reaches `upTo`. */
function stepSingly(c: Chain, upTo: number): void {
  for (; c.done < upTo; c.done++) {
    const prk = hkdfExtract(c.salt, c.chainKey);
    const okm = hkdfExpand(prk, c.info, 64);
    prk.fill(0);
    c.chainKey.fill(0);
    c.chainKey = okm.subarray(0, KEY_LEN);
    c.keys.set(okm.subarray(KEY_LEN), c.done * KEY_LEN);
  }
}

/**
 * The wasm word-domain ratchet needs a 32-byte chain key (any other length takes its first step
 * here) and an info of at most LANE_MAX_INFO bytes (a longer one takes every step here).
 */
function normalise(c: Chain, steps: number): void {
  if (c.info.length > LANE_MAX_INFO) stepSingly(c, steps);
  else if (c.chainKey.length !== KEY_LEN) stepSingly(c, Math.min(1, steps));
}

/** Runs `lanes` chains (sharing an info length, 32-byte chain keys) through the wasm ratchet. */
function runLanes(e: Engine, lanes: Chain[], steps: number): void {
  const x = e.abi;
  const n = lanes.length;
  const infoLen = lanes[0].info.length;
  const inputs: Uint8Array[] = [new Uint8Array(ROW * n)];
  for (const c of lanes) inputs.push(c.chainKey, c.salt, c.info);
  let inputBytes = 0;
  for (const b of inputs) inputBytes += align16(b.length);
  const workLen = align16(x.ratchet_work_len(infoLen, n));
  const remaining = steps - lanes[0].done;
  const perBatch = Math.max(1, Math.min(remaining, Math.floor((e.windowBytes - inputBytes - workLen) / (KEY_LEN * n))));
  const s = stage(e, inputs, workLen + perBatch * KEY_LEN * n);
  const table = s.at[0];
  const keysAt = (l: number) => s.out + workLen + l * perBatch * KEY_LEN;
  try {
    lanes.forEach((_, l) => {
      const row = table + l * ROW;
      e.setU32(row, s.at[1 + 3 * l]);
      e.setU32(row + 4, s.at[2 + 3 * l]);
      e.setU32(row + 8, lanes[l].salt.length);
      e.setU32(row + 12, s.at[3 + 3 * l]);
      e.setU32(row + 16, keysAt(l));
    });
    for (let done = lanes[0].done; done < steps; ) {
      const count = Math.min(perBatch, steps - done);
      x.ratchet_sha256(table, n, infoLen, count, s.out);
      lanes.forEach((c, l) => c.keys.set(e.u8.subarray(keysAt(l), keysAt(l) + count * KEY_LEN), done * KEY_LEN));
      done += count;
    }
    lanes.forEach((c, l) => {
      c.chainKey = e.read(s.at[1 + 3 * l], KEY_LEN);
    });
  } finally {
    unstage(e, s);
  }
}

function result(c: Chain, steps: number): RatchetResult {
  const messageKeys: Uint8Array[] = [];
  for (let i = 0; i < steps; i++) messageKeys.push(c.keys.subarray(i * KEY_LEN, (i + 1) * KEY_LEN));
  return { chainKey: c.chainKey.slice(), messageKeys };
}

/** A chain from private copies of the caller's inputs (each field read once). */
function chainOf(input: RatchetChainInput, steps: number, fn: string, where: string): Chain {
  const { chainKey, salt, info } = input;
  const c: Chain = {
    chainKey: ownBytes(chainKey, fn, `${where}chainKey`),
    salt: ownBytes(salt, fn, `${where}salt`),
    info: ownBytes(info, fn, `${where}info`),
    keys: new Uint8Array(steps * KEY_LEN),
    done: 0,
  };
  if (c.salt.length > HMAC_BLOCK) c.salt = secretDigest('sha256', c.salt);
  return c;
}

/** Advances `chainKey` by `steps` steps, returning every message key and the final chain key. */
export function ratchetChain(chainKey: Uint8Array, salt: Uint8Array, info: Uint8Array, steps: number): RatchetResult {
  integer(steps, 0, RATCHET_MAX_STEPS, 'ratchetChain', 'steps');
  const c = chainOf({ chainKey, salt, info }, steps, 'ratchetChain', '');
  normalise(c, steps);
  if (c.done < steps) runLanes(engine(), [c], steps);
  return result(c, steps);
}

/**
 * Advances every chain by `steps` steps; results[i] belongs to chains[i]. On the SIMD build, chains
 * whose info lengths match are advanced four at a time (one v128 SHA-256 runs all four), which is
 * where this beats calling ratchetChain in a loop.
 */
export function ratchetChains(chains: readonly RatchetChainInput[], steps: number): RatchetResult[] {
  if (!Array.isArray(chains)) throw new TypeError('ratchetChains: chains must be an array of { chainKey, salt, info }');
  integer(steps, 0, RATCHET_MAX_STEPS, 'ratchetChains', 'steps');
  const all = chains.map((input, i) => {
    if (typeof input !== 'object' || input === null) throw new TypeError(`ratchetChains: chains[${i}] must be an object`);
    return chainOf(input, steps, 'ratchetChains', `chains[${i}].`);
  });
  const e = engine();
  const maxLanes = e.abi.RATCHET_MAX_LANES.value;
  // Lanes run in lockstep over one info length, so batch chains alike in both.
  const groups = new Map<string, Chain[]>();
  for (const c of all) {
    normalise(c, steps);
    if (c.done >= steps) continue;
    const key = `${c.info.length}/${c.done}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  for (const group of groups.values()) {
    let i = 0;
    if (maxLanes > 1) for (; i + maxLanes <= group.length; i += maxLanes) runLanes(e, group.slice(i, i + maxLanes), steps);
    for (; i < group.length; i++) runLanes(e, [group[i]], steps);
  }
  return all.map((c) => result(c, steps));
}
