// Shared fixtures for the log tests: a group signing key, logs on a provider, and entries crafted by
// hand (to forge clocks, log ids and signatures the log itself would never produce).
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import type { CryptoProvider } from '../../bindings/index.js';
import {
  type LogCrypto, type LogStore, WeshLog, encodeUnsigned, providerLogCrypto, signedBlock, writersAccess,
} from '../../bindings/wesh/log/index.js';

export const LOG_ID = 'a1b2c3_wesh_group_messages';

export interface Group {
  provider: CryptoProvider;
  keyPair: { secretKey: Uint8Array; publicKey: Uint8Array };
  crypto: LogCrypto;
}

export function group(provider: CryptoProvider, seed = 1): Group {
  const secretKey = new Uint8Array(32).fill(seed);
  const publicKey = provider.signature('Ed25519').publicKey(secretKey);
  const keyPair = { secretKey, publicKey };
  return { provider, keyPair, crypto: providerLogCrypto(provider, keyPair) };
}

export function openLog(g: Group, options: { store?: LogStore; id?: string; fetch?: (cid: CID) => Promise<Uint8Array | undefined>; maxPending?: number; verifyOnOpen?: boolean } = {}): Promise<WeshLog> {
  return WeshLog.open({
    id: options.id ?? LOG_ID,
    crypto: g.crypto,
    access: writersAccess([g.keyPair.publicKey]),
    store: options.store,
    fetch: options.fetch,
    limits: options.maxPending ? { maxPending: options.maxPending } : undefined,
    verifyOnOpen: options.verifyOnOpen,
  });
}

export const text = (s: string) => new TextEncoder().encode(s);
export const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
export const cids = (log: WeshLog) => [...log].map((e) => e.cid.toString());

/** A block signed with `secretKey`, with any clock / log id / parents. */
export function craft(provider: CryptoProvider, secretKey: Uint8Array, f: { logId?: string; next?: Uint8Array[]; time: number; payload?: Uint8Array; key?: Uint8Array }): { cid: Uint8Array; bytes: Uint8Array } {
  const scheme = provider.signature('Ed25519');
  const key = f.key ?? scheme.publicKey(secretKey);
  const next = [...(f.next ?? [])].sort(Buffer.compare);
  const unsigned = encodeUnsigned({ key, logId: f.logId ?? LOG_ID, next, time: f.time, payload: f.payload ?? text('x') });
  const bytes = signedBlock(unsigned, scheme.sign(secretKey, unsigned));
  return { cid: cidOf(bytes), bytes };
}

export function cidOf(bytes: Uint8Array): Uint8Array {
  const d = sha256.digest(bytes) as Awaited<ReturnType<typeof sha256.digest>>;
  return CID.create(1, dagCbor.code, d).bytes;
}

/** Every block of `log`, as { cid, bytes }. */
export function blocksOf(log: WeshLog): { cid: Uint8Array; bytes: Uint8Array }[] {
  return [...log].map((e) => ({ cid: e.cidBytes, bytes: e.bytes }));
}
