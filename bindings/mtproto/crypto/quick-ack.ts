// Quick ack (spec §8.5). TDLib (td/mtproto/Transport.cpp, calc_message_key2) takes the token from
// the msg_key computation itself: the first 4 bytes of msg_key_large read as a little-endian uint32,
// with the top bit set so it cannot be mistaken for a length. Both ends compute it with the sender's
// x, over the whole plaintext including padding. The documentation's own wording is ambiguous
// (spec §11); this follows TDLib, checked against the one computed value in mtproto2-messages.json.

import type { CryptoProvider } from '../../provider/types.js';
import type { AuthKey } from './auth-key.js';
import { msgKeyLarge, type Sender } from './kdf.js';

/** The token from a msg_key_large (32 bytes): uint32_le(msg_key_large[0:4]) | 0x80000000. */
export function quickAckFromMsgKeyLarge(large: Uint8Array): number {
  return (large[0]! | (large[1]! << 8) | (large[2]! << 16) | (large[3]! << 24) | 0x80000000) >>> 0;
}

/**
 * The quick-ack token of a message whose serialized plaintext (header, body and padding) is
 * `plaintext`, sent by `from`. encryptMessageWithQuickAck / decryptMessageWithQuickAck give the
 * same value without a second hash.
 */
export function quickAckToken(provider: CryptoProvider, authKey: AuthKey, plaintext: Uint8Array, from: Sender): number {
  const large = msgKeyLarge(provider, authKey, plaintext, from);
  const token = quickAckFromMsgKeyLarge(large);
  large.fill(0);
  return token;
}
