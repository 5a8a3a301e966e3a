// The crypto provider backed by wirecrypt's wasm engine, P-256 included (ECDH and ECDSA in wasm,
// see p256.ts), so HPKE's DHKEM(P-256) runs on it. treeKemPath runs a whole TreeKEM path in one
// wasm call (assembly/kdf/treekem_path.ts).

import type { Aead } from '../aead.js';
import { aesCtr, aesGcm, aesIge } from '../aes.js';
import { chacha20Poly1305 } from '../chacha20poly1305.js';
import { ed25519 } from '../ed25519.js';
import { secretDigest, sha1, sha256, sha256Many, sha512 } from '../hash.js';
import { hkdfExpand, hkdfExtract } from '../hkdf.js';
import { hmacSha1, hmacSha256, hmacSha512 } from '../hmac.js';
import { p256 } from '../p256.js';
import { fillRandom, randomBytes } from '../random.js';
import { x25519 } from '../x25519.js';
import { boxBeforenm } from '../box.js';
import { ratchetChain } from '../ratchet.js';
import { secretbox, secretboxOpen, secretboxSeal } from '../secretbox.js';
import { hkdfSha3_256Expand, hkdfSha3_256Extract, hmacSha3_256, sha3_256 } from '../sha3.js';
import { bytesOfLength } from '../errors.js';
import { engine } from '../wasm/select.js';
import { align16, stage, unstage } from '../wasm/staging.js';
import { WINDOW_BYTES } from '../wasm/engine.js';
import { MTPROTO_AUTH_KEY_LENGTH, composedOpen, composedSeal, mtprotoArgs, wipeCopies } from './mtproto-message.js';
import { type HpkeRecipient, type HpkeSealed, hpkeRefusedKey, hpkeSealArgs } from './types.js';
import { makeWasmMlsPrivate } from './wasm-mls.js';
import {
  type AeadName, type CryptoProvider, type DhName, type DhScheme, type HashName, type HkdfHashName,
  type SignatureName, type SignatureScheme, type RatchetSteps, type TreeKemPath, type ChainSteps, type MtprotoOpened,
  type MtprotoSealed, type MtprotoSender, known, ratchetArgs, treeKemArgs, chainRatchetArgs,
} from './types.js';

const HASHES = { 'SHA-1': sha1, 'SHA-256': sha256, 'SHA-512': sha512, 'SHA3-256': sha3_256 } as const;
const HMACS = { 'SHA-1': hmacSha1, 'SHA-256': hmacSha256, 'SHA-512': hmacSha512, 'SHA3-256': hmacSha3_256 } as const;
const HKDF_EXTRACT = { 'SHA-256': hkdfExtract, 'SHA3-256': hkdfSha3_256Extract } as const;
const HKDF_EXPAND = { 'SHA-256': hkdfExpand, 'SHA3-256': hkdfSha3_256Expand } as const;
const HKDF_NAMES = Object.keys(HKDF_EXTRACT) as HkdfHashName[];
const HASH_NAMES = Object.keys(HASHES) as HashName[];

const X25519: DhScheme = { name: 'X25519', ...x25519 };
const P256_DH: DhScheme = {
  name: 'P-256',
  secretKeyLength: p256.secretKeyLength,
  publicKeyLength: p256.publicKeyLength,
  sharedSecretLength: p256.sharedSecretLength,
  generateKeyPair: p256.generateKeyPair,
  publicKey: (sk) => p256.publicKey(sk),
  sharedSecret: (sk, pk) => p256.ecdh(sk, pk),
};
const DH: Record<DhName, DhScheme> = { X25519, 'P-256': P256_DH };

const ED25519: SignatureScheme = { name: 'Ed25519', ...ed25519 };
const P256_SIG: SignatureScheme = {
  name: 'P-256',
  publicKeyLength: p256.publicKeyLength,
  generateKeyPair: p256.generateKeyPair,
  publicKey: (sk) => p256.publicKey(sk),
  sign: (sk, m) => p256.sign(sk, m),
  verify: (pk, m, s) => p256.verify(pk, m, s),
  verifyBatch: (items) => p256.verifyBatch(items),
};
const SIGNATURES: Record<SignatureName, SignatureScheme> = { Ed25519: ED25519, 'P-256': P256_SIG };

const AEADS: Record<AeadName, (key: Uint8Array) => Aead> = {
  'AES-128-GCM': (key) => aesGcm(bytesOfLength(key, 16, 'aead', 'AES-128-GCM key')),
  'AES-256-GCM': (key) => aesGcm(bytesOfLength(key, 32, 'aead', 'AES-256-GCM key')),
  'ChaCha20-Poly1305': chacha20Poly1305,
};

/**
 * One wasm call for the whole chain: `start` and the output areas are staged in the I/O window
 * (TREEKEM_MAX_PATH steps of P-256 need 33 KiB of its 64), and the window is wiped before returning.
 */
function treeKemPath(kem: DhName, start: Uint8Array, length: number): TreeKemPath {
  const args = treeKemArgs(kem, start, length);
  const n = args.length;
  const pkLen = args.kem === 'X25519' ? 32 : 65;
  const e = engine();
  const s = stage(e, [args.start], n * (64 + pkLen) + 32);
  args.start.fill(0);
  try {
    const pathAt = s.out, skAt = pathAt + 32 * n, pkAt = skAt + 32 * n, nextAt = pkAt + pkLen * n;
    if (e.abi.treekem_path(args.kem === 'X25519' ? 0 : 1, s.at[0], n, pathAt, skAt, pkAt, nextAt) !== 1) {
      // RFC 9180's DeriveKeyPairError: 256 P-256 candidates out of range (probability about 2^-8192)
      throw new Error('treeKemPath: no valid P-256 candidate in 256 tries');
    }
    const pathSecrets: Uint8Array[] = [], secretKeys: Uint8Array[] = [], publicKeys: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      pathSecrets.push(e.read(pathAt + 32 * i, 32));
      secretKeys.push(e.read(skAt + 32 * i, 32));
      publicKeys.push(e.read(pkAt + pkLen * i, pkLen));
    }
    return { pathSecrets, secretKeys, publicKeys, next: e.read(nextAt, 32) };
  } finally {
    unstage(e, s);
  }
}

/** The whole ratchet run in one wasm call; the staging window (secrets included) is wiped after. */
function secretTreeRatchet(start: Uint8Array, first: number, count: number, keyLength: number, nonceLength: number): RatchetSteps {
  const s0 = ratchetArgs(start, first, count, keyLength, nonceLength);
  const e = engine();
  const s = stage(e, [s0], count * (keyLength + nonceLength) + 32);
  s0.fill(0);
  try {
    const keysAt = s.out, noncesAt = keysAt + count * keyLength, nextAt = noncesAt + count * nonceLength;
    e.abi.mls_ratchet(s.at[0], first, count, keyLength, nonceLength, keysAt, noncesAt, nextAt);
    const keys: Uint8Array[] = [], nonces: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      keys.push(e.read(keysAt + keyLength * i, keyLength));
      nonces.push(e.read(noncesAt + nonceLength * i, nonceLength));
    }
    return { keys, nonces, next: e.read(nextAt, 32) };
  } finally {
    unstage(e, s);
  }
}

/** The engine's batched ratchet (bindings/ratchet.ts: many steps per wasm call, chain keys kept in wasm). */
function chainRatchet(chainKey: Uint8Array, salt: Uint8Array, info: Uint8Array, steps: number): ChainSteps {
  const ck = chainRatchetArgs(chainKey, salt, info, steps);
  try {
    const r = ratchetChain(ck, salt, info, steps);
    return { messageKeys: r.messageKeys, chainKey: r.chainKey };
  } finally {
    ck.fill(0);
  }
}

// ---- HPKE Base-mode Seal to many recipients (assembly/hpke/seal_many.ts) -----------------------

const HPKE_KEM_IDS: Record<DhName, number> = { 'P-256': 0x0010, X25519: 0x0020 };
const HPKE_AEAD_IDS: Record<AeadName, number> = { 'AES-128-GCM': 1, 'AES-256-GCM': 2, 'ChaCha20-Poly1305': 3 };
const HPKE_ROW = 20;
const HPKE_DERIVE_KEY_PAIR_ERROR = 0xffffffff;
const hpkeAscii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** LabeledExtract("", "info_hash", info) for an info too long to stage with a recipient: streamed by hmacSha256. */
function hpkeInfoHash(kemId: number, aeadId: number, info: Uint8Array): Uint8Array {
  const prefix = [hpkeAscii('HPKE-v1HPKE'), Uint8Array.of(kemId >> 8, kemId & 0xff, 0, 1, 0, aeadId), hpkeAscii('info_hash')];
  const ikm = new Uint8Array(prefix.reduce((n, p) => n + p.length, 0) + info.length);
  let at = 0;
  for (const p of [...prefix, info]) {
    ikm.set(p, at);
    at += p.length;
  }
  return hmacSha256(new Uint8Array(0), ikm);
}

/**
 * One wasm call per batch of recipients that fits the 64 KiB I/O window with the aad (and, in the
 * first batch, the info, hashed there; an info too long for that is hashed beforehand); a recipient
 * too large for the window alone gets a heap block of its own. The ephemeral ikm are drawn straight
 * into wasm memory. Every window or block used is wiped before returning, also when throwing.
 */
function hpkeSealBase(
  kem: DhName, aead: AeadName, recipients: readonly HpkeRecipient[], info: Uint8Array, aad: Uint8Array, ephemeralSeeds?: readonly Uint8Array[],
): HpkeSealed[] {
  const a = hpkeSealArgs(kem, aead, recipients, info, aad, ephemeralSeeds);
  const n = a.publicKeys.length;
  if (n === 0) return [];
  const e = engine();
  const pkLen = a.kem === 'X25519' ? 32 : 65;
  const kemId = HPKE_KEM_IDS[a.kem], aeadId = HPKE_AEAD_IDS[a.aead];
  const slot = (i: number) => HPKE_ROW + 32 + 2 * align16(pkLen) + align16(a.plaintexts[i]!.length + 16);
  const fixed = 32 + align16(a.aad.length) + 16;
  let infoHash: Uint8Array | null = fixed + align16(a.info.length) + slot(0) > e.windowBytes ? hpkeInfoHash(kemId, aeadId, a.info) : null;
  const out: HpkeSealed[] = [];
  try {
    for (let first = 0; first < n;) {
      const hashInfo = infoHash === null;
      let size = fixed + (hashInfo ? align16(a.info.length) : 0) + slot(first);
      let end = first + 1;
      while (end < n && size + slot(end) <= e.windowBytes) size += slot(end++);
      const count = end - first;
      const inWindow = size <= e.windowBytes;
      const base = inWindow ? e.window : e.alloc(size);
      try {
        const u8 = e.u8;
        const hashAt = base, aadAt = hashAt + 32;
        const infoAt = aadAt + align16(a.aad.length);
        const tableAt = infoAt + (hashInfo ? align16(a.info.length) : 0);
        const ikmAt = tableAt + align16(count * HPKE_ROW);
        u8.set(a.aad, aadAt);
        if (hashInfo) u8.set(a.info, infoAt);
        else u8.set(infoHash!, hashAt);
        if (a.seeds === null) fillRandom(u8.subarray(ikmAt, ikmAt + 32 * count));
        let p = ikmAt + 32 * count;
        const at: Array<[enc: number, buf: number]> = [];
        for (let k = 0; k < count; k++) {
          const i = first + k, row = tableAt + HPKE_ROW * k, pt = a.plaintexts[i]!;
          const pkAt = p, encAt = pkAt + align16(pkLen), bufAt = encAt + align16(pkLen);
          p = bufAt + align16(pt.length + 16);
          u8.set(a.publicKeys[i]!, pkAt);
          u8.set(pt, bufAt);
          pt.fill(0);
          if (a.seeds !== null) {
            u8.set(a.seeds[i]!, ikmAt + 32 * k);
            a.seeds[i]!.fill(0);
          }
          e.setU32(row, pkAt);
          e.setU32(row + 4, ikmAt + 32 * k);
          e.setU32(row + 8, encAt);
          e.setU32(row + 12, bufAt);
          e.setU32(row + 16, pt.length);
          at.push([encAt, bufAt]);
        }
        const status = e.abi.hpke_seal_base(kemId, aeadId, count, tableAt, infoAt, a.info.length, hashAt, hashInfo ? 1 : 0, aadAt, a.aad.length) >>> 0;
        if (status === HPKE_DERIVE_KEY_PAIR_ERROR) throw new Error('hpkeSealBase: no valid P-256 candidate in 256 tries');
        if (status !== 0) throw hpkeRefusedKey(a.kem, first + status - 1);
        if (hashInfo) infoHash = e.read(hashAt, 32);
        at.forEach(([encAt, bufAt], k) => out.push({ enc: e.read(encAt, pkLen), ciphertext: e.read(bufAt, a.plaintexts[first + k]!.length + 16) }));
      } finally {
        if (inWindow) e.wipe(base, size);
        else e.free(base, size);
      }
      first = end;
    }
    return out; // only once every batch is sealed: an error returns nothing
  } finally {
    for (const pt of a.plaintexts) pt.fill(0);
    for (const seed of a.seeds ?? []) seed.fill(0);
  }
}

// ---- MTProto 2.0 message crypto (assembly/mtproto/message.ts) --------------------------------

// Window layout: auth key ‖ msg_key ‖ msg_key_large ‖ the message, encrypted or decrypted in place.
const MT_KEY = 0, MT_MSG_KEY = MTPROTO_AUTH_KEY_LENGTH, MT_LARGE = MT_MSG_KEY + 16, MT_BUF = MT_LARGE + 32;
/** Longer messages take the composed path (their hashing and IGE dwarf the per-call costs anyway). */
const MT_ONE_CALL_MAX = WINDOW_BYTES - MT_BUF;
// secretDigest: unlike sha256(), it leaves no block of the (keyed) input in wasm memory
const WASM_PRIMITIVES = { sha256: (data: Uint8Array) => secretDigest('sha256', data), aesIge };

/** One wasm call with the auth key, msg_key and message staged in the window, which is wiped after. */
function mtprotoCall(authKey: Uint8Array, msgKey: Uint8Array | undefined, data: Uint8Array, call: (e: ReturnType<typeof engine>, w: number) => void) {
  const e = engine();
  const w = e.window, n = data.length;
  const u8 = e.u8;
  try {
    u8.set(authKey, w + MT_KEY);
    if (msgKey !== undefined) u8.set(msgKey, w + MT_MSG_KEY);
    u8.set(data, w + MT_BUF);
    call(e, w);
    return { msgKeyLarge: e.read(w + MT_LARGE, 32), data: e.read(w + MT_BUF, n) };
  } finally {
    e.wipe(w, MT_BUF + n);
  }
}

function mtprotoSeal(authKey: Uint8Array, from: MtprotoSender, plaintext: Uint8Array): MtprotoSealed {
  const a = mtprotoArgs('mtprotoSeal', authKey, from, plaintext);
  const n = a.data.length;
  try {
    if (n > MT_ONE_CALL_MAX) return composedSeal(WASM_PRIMITIVES, a);
    const r = mtprotoCall(a.authKey, undefined, a.data, (e, w) => e.abi.mtproto_seal(w + MT_KEY, a.x, w + MT_BUF, n, w + MT_LARGE));
    return { msgKeyLarge: r.msgKeyLarge, ciphertext: r.data };
  } finally {
    wipeCopies(a, authKey, plaintext);
  }
}

function mtprotoOpen(authKey: Uint8Array, from: MtprotoSender, msgKey: Uint8Array, ciphertext: Uint8Array): MtprotoOpened {
  const a = mtprotoArgs('mtprotoOpen', authKey, from, ciphertext, msgKey);
  const n = a.data.length;
  try {
    if (n > MT_ONE_CALL_MAX) return composedOpen(WASM_PRIMITIVES, a);
    const r = mtprotoCall(a.authKey, a.msgKey, a.data, (e, w) => e.abi.mtproto_open(w + MT_KEY, a.x, w + MT_MSG_KEY, w + MT_BUF, n, w + MT_LARGE));
    return { msgKeyLarge: r.msgKeyLarge, plaintext: r.data };
  } finally {
    wipeCopies(a, authKey, ciphertext);
  }
}

const MLS_PRIVATE = makeWasmMlsPrivate({ hkdfExpand: (_, prk, info, length) => hkdfExpand(prk, info, length), aead: (name, key) => AEADS[name](key) });

export const wasmProvider: CryptoProvider = Object.freeze({
  name: 'wirecrypt-wasm',
  ...MLS_PRIVATE,
  randomBytes,
  hash: (name: HashName, data: Uint8Array) => HASHES[known(name, HASH_NAMES, 'hash', 'hash')](data),
  hmac: (name: HashName, key: Uint8Array, data: Uint8Array) => HMACS[known(name, HASH_NAMES, 'hmac', 'hash')](key, data),
  hkdfExtract: (name: HkdfHashName, salt: Uint8Array, ikm: Uint8Array) => HKDF_EXTRACT[known(name, HKDF_NAMES, 'hkdfExtract', 'hash')](salt, ikm),
  hkdfExpand: (name: HkdfHashName, prk: Uint8Array, info: Uint8Array, length: number) =>
    HKDF_EXPAND[known(name, HKDF_NAMES, 'hkdfExpand', 'hash')](prk, info, length),
  aead: (name: AeadName, key: Uint8Array) => AEADS[known(name, Object.keys(AEADS) as AeadName[], 'aead', 'AEAD')](key),
  aesIge,
  aesCtr,
  dh: (name: DhName) => DH[known(name, Object.keys(DH) as DhName[], 'dh', 'curve')],
  signature: (name: SignatureName) => SIGNATURES[known(name, Object.keys(SIGNATURES) as SignatureName[], 'signature', 'algorithm')],
  treeKemPath,
  secretTreeRatchet,
  hpkeSealBase,
  secretbox,
  secretboxSeal,
  secretboxOpen,
  boxBeforenm,
  ed25519ToX25519: Object.freeze({ secretKey: ed25519.toX25519Secret, publicKey: ed25519.toX25519Public }),
  chainRatchet,
  mtprotoSeal,
  mtprotoOpen,
  hashMany: (name: HashName, inputs: readonly Uint8Array[]) => {
    const hash = HASHES[known(name, HASH_NAMES, 'hashMany', 'hash')];
    if (!Array.isArray(inputs)) throw new TypeError('hashMany: inputs must be an array');
    return hash === sha256 ? sha256Many(inputs) : inputs.map((x) => hash(x));
  },
});
