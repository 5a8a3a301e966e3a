// auth.bindTempAuthKey (spec §6, core.telegram.org/api/pfs): the client proves it holds both keys
// by sending, encrypted with the temporary key, a bind_auth_key_inner encrypted with the permanent
// key under MTProto 1.0; the server checks that every field matches the outer message.
//
//   auth.bindTempAuthKey perm_auth_key_id:long nonce:long expires_at:int encrypted_message:bytes
//   encrypted_message = v1(perm key, msg_id = the outer message's msg_id, seq_no = 0,
//                          bind_auth_key_inner nonce temp_auth_key_id perm_auth_key_id temp_session_id expires_at)

import type { CryptoProvider } from '../../provider/types.js';
import type { AuthKey } from '../crypto/auth-key.js';
import { decryptMessageV1, encryptMessageV1 } from '../crypto/message-v1.js';
import { type ServiceOf, decodeService, encodeService } from '../tl/service.js';

/** The query body for msg_id `msgId` in session `sessionId` (both are inside the proof). */
export function bindTempAuthKeyBody(
  provider: CryptoProvider, perm: AuthKey, temp: AuthKey, nonce: bigint, expiresAt: number, msgId: bigint, sessionId: bigint,
): Uint8Array {
  const inner = encodeService({
    _: 'bind_auth_key_inner', nonce, temp_auth_key_id: temp.idLong, perm_auth_key_id: perm.idLong, temp_session_id: sessionId, expires_at: expiresAt,
  });
  const encrypted = encryptMessageV1(provider, perm, { msgId, seqNo: 0, body: inner }, { from: 'client' });
  return encodeService({ _: 'auth.bindTempAuthKey', perm_auth_key_id: perm.idLong, nonce, expires_at: expiresAt, encrypted_message: encrypted });
}

/** What the server knows about the outer message. */
export interface BindContext {
  /** msg_id of the message carrying auth.bindTempAuthKey. */
  readonly msgId: bigint;
  readonly sessionId: bigint;
  /** The key that message was encrypted with (the temporary key). */
  readonly tempAuthKeyId: bigint;
}

/**
 * Whether `request`'s proof is valid for `perm` (the permanent key named by perm_auth_key_id):
 * it decrypts under MTProto 1.0 with that key, carries the outer msg_id and seq_no 0, and its
 * bind_auth_key_inner repeats nonce, expires_at, both key ids and the session id.
 */
export function verifyBindTempAuthKey(provider: CryptoProvider, request: ServiceOf<'auth.bindTempAuthKey'>, outer: BindContext, perm: AuthKey): boolean {
  if (perm.idLong !== request.perm_auth_key_id) return false;
  let inner;
  try {
    const v1 = decryptMessageV1(provider, perm, request.encrypted_message, { from: 'client' });
    if (v1.msgId !== outer.msgId || v1.seqNo !== 0) return false;
    inner = decodeService(v1.body);
  } catch {
    return false;
  }
  return inner?._ === 'bind_auth_key_inner'
    && inner.nonce === request.nonce
    && inner.expires_at === request.expires_at
    && inner.temp_auth_key_id === outer.tempAuthKeyId
    && inner.perm_auth_key_id === request.perm_auth_key_id
    && inner.temp_session_id === outer.sessionId;
}
