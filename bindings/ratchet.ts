// The symmetric chain ratchet of Wesh (and Signal's sending/receiving chains), many steps per wasm call:
//   PRK = HKDF-Extract(salt, chainKey); OKM = HKDF-Expand(PRK, info, 64)
//   nextChainKey = OKM[0..32]; messageKey = OKM[32..64]
// Steps run in batches sized to the I/O window; every batch is one wasm call.

import { bytes, integer } from './errors.js';
import { engine } from './wasm/select.js';
import { align16, stage, unstage } from './wasm/staging.js';

const KEY_LEN = 32;
/** Upper bound on steps per call: 2^20 steps return 32 MiB of message keys. */
export const RATCHET_MAX_STEPS = 1 << 20;

export interface RatchetResult {
  /** The chain key after the last step (a copy of the input when steps is 0). */
  chainKey: Uint8Array;
  /** messageKeys[i] is the key of step i + 1; 32-byte views of one fresh buffer. */
  messageKeys: Uint8Array[];
}

/** Advances `chainKey` by `steps` steps, returning every message key and the final chain key. */
export function ratchetChain(chainKey: Uint8Array, salt: Uint8Array, info: Uint8Array, steps: number): RatchetResult {
  bytes(chainKey, 'ratchetChain', 'chainKey');
  bytes(salt, 'ratchetChain', 'salt');
  bytes(info, 'ratchetChain', 'info');
  integer(steps, 0, RATCHET_MAX_STEPS, 'ratchetChain', 'steps');
  if (steps === 0) return { chainKey: chainKey.slice(), messageKeys: [] };

  const e = engine();
  const keys = new Uint8Array(steps * KEY_LEN);
  // The chain key travels in the staged output area: [chain key (32) | message keys of one batch].
  const inputBytes = align16(chainKey.length) + align16(salt.length) + align16(info.length) + KEY_LEN;
  const perBatch = Math.max(1, Math.min(steps, Math.floor((e.windowBytes - inputBytes) / KEY_LEN)));
  const s = stage(e, [chainKey, salt, info], KEY_LEN + perBatch * KEY_LEN);
  const [ck0, saltAt, infoAt] = s.at;
  const ckOut = s.out;
  const keysOut = s.out + KEY_LEN;
  const x = e.abi;
  let done = 0;
  while (done < steps) {
    const n = Math.min(perBatch, steps - done);
    const [ck, ckLen] = done === 0 ? [ck0, chainKey.length] : [ckOut, KEY_LEN];
    x.ratchet_sha256(ck, ckLen, saltAt, salt.length, infoAt, info.length, n, keysOut, ckOut);
    keys.set(e.u8.subarray(keysOut, keysOut + n * KEY_LEN), done * KEY_LEN);
    done += n;
  }
  const finalKey = e.read(ckOut, KEY_LEN);
  unstage(e, s);
  const messageKeys: Uint8Array[] = [];
  for (let i = 0; i < steps; i++) messageKeys.push(keys.subarray(i * KEY_LEN, (i + 1) * KEY_LEN));
  return { chainKey: finalKey, messageKeys };
}
