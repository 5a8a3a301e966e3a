// The MLS wire-format codecs (RFC 9420 §5–§12): plain readonly objects, read<Struct>/write<Struct>
// on ByteReader/ByteWriter, and decode<Struct>/encode<Struct> for whole inputs (trailing bytes
// refused). Decoding fails only with DecodeError (bounds, lengths, presence bytes) or MlsError
// (a code naming the problem); whatever decodes re-encodes byte-identically.
export * from './constants.js';
export * from './credential.js';
export * from './leaf-node.js';
export * from './ratchet-tree.js';
export * from './key-package.js';
export * from './proposal.js';
export * from './commit.js';
export * from './welcome.js';
export * from './group-info.js';
export * from './framing.js';
export * from './framing-inner.js';
export * from './mls-message.js';
export * from './extensions.js';
export { decodeAll, encodeWith, readU16List, writeU16List, readU32List, writeU32List } from './codec.js';
