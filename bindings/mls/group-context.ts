// GroupContext (RFC 9420 §8.1): what every member agrees on in an epoch, and the context of the
// key schedule's "joiner" and "epoch" steps.
//
//   struct { ProtocolVersion version = mls10; CipherSuite cipher_suite; opaque group_id<V>;
//            uint64 epoch; opaque tree_hash<V>; opaque confirmed_transcript_hash<V>;
//            Extension extensions<V>; } GroupContext;
//   struct { ExtensionType extension_type; opaque extension_data<V>; } Extension;

import type { ByteReader } from '../codec/reader.js';
import { encode, readOpaque, readVector, writeOpaque, writeVector } from '../codec/tls.js';
import type { ByteWriter } from '../codec/writer.js';
import { MlsError } from './errors.js';

export const MLS_10 = 1;

export interface Extension {
  readonly type: number;
  readonly data: Uint8Array;
}

export interface GroupContext {
  readonly cipherSuite: number;
  readonly groupId: Uint8Array;
  readonly epoch: bigint;
  readonly treeHash: Uint8Array;
  readonly confirmedTranscriptHash: Uint8Array;
  readonly extensions: readonly Extension[];
}

export function writeExtension(w: ByteWriter, e: Extension): void {
  w.u16(e.type);
  writeOpaque(w, e.data);
}

export function readExtension(r: ByteReader): Extension {
  return { type: r.u16('extension type'), data: readOpaque(r, 'extension data').slice() };
}

export function encodeGroupContext(c: GroupContext): Uint8Array {
  return encode((w) => {
    w.u16(MLS_10).u16(c.cipherSuite);
    writeOpaque(w, c.groupId);
    w.u64(c.epoch);
    writeOpaque(w, c.treeHash);
    writeOpaque(w, c.confirmedTranscriptHash);
    writeVector(w, c.extensions, writeExtension);
  });
}

/**
 * encodeGroupContext(c), kept per context object: every message of an epoch signs over the same
 * GroupContext (§6.1 FramedContentTBS), so it is encoded once per epoch rather than per message.
 * The cache entry is used only while the object's fields are the very values it was encoded from
 * (a context is immutable by type; this guards against one changed in place anyway). The bytes
 * returned are shared: read them, never modify them.
 */
export function groupContextBytes(c: GroupContext): Uint8Array {
  const hit = encodedContexts.get(c);
  if (hit !== undefined && hit.groupId === c.groupId && hit.epoch === c.epoch && hit.treeHash === c.treeHash
    && hit.confirmedTranscriptHash === c.confirmedTranscriptHash && hit.extensions === c.extensions && hit.cipherSuite === c.cipherSuite) {
    return hit.bytes;
  }
  const bytes = encodeGroupContext(c);
  encodedContexts.set(c, { ...c, bytes });
  return bytes;
}

const encodedContexts = new WeakMap<GroupContext, GroupContext & { readonly bytes: Uint8Array }>();

export function readGroupContext(r: ByteReader): GroupContext {
  const version = r.u16('version');
  if (version !== MLS_10) throw new MlsError('unsupported-version', `protocol version ${version}, expected mls10 (1)`);
  return {
    cipherSuite: r.u16('cipher suite'),
    groupId: readOpaque(r, 'group_id').slice(),
    epoch: r.u64('epoch'),
    treeHash: readOpaque(r, 'tree_hash').slice(),
    confirmedTranscriptHash: readOpaque(r, 'confirmed_transcript_hash').slice(),
    extensions: readVector(r, 'extensions', readExtension),
  };
}
