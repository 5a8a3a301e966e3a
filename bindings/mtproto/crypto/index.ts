// MTProto message crypto (spec §2, §3, §6.2, §8.5): what the session layer and the server use.
export { AUTH_KEY_LENGTH, AuthKey } from './auth-key.js';
export {
  type AesKeyIv, type Sender, handshakeKeyIv, messageKeyIv, messageKeyIvV1, msgKey, msgKeyLarge,
} from './kdf.js';
export {
  type DecryptOptions, type DecryptedMessage, type EncryptOptions, type PlaintextMessage,
  decryptMessage, decryptMessageWithQuickAck, encryptMessage, encryptMessageWithQuickAck, sealPlaintext,
} from './message.js';
export { type EncryptV1Options, type MessageV1, decryptMessageV1, encryptMessageV1 } from './message-v1.js';
export {
  MSG_ID_MAX_AGE, MSG_ID_MAX_AHEAD, MSG_ID_WINDOW_SIZE, MsgIdWindow, type ReceivedStatus, isMsgIdInTimeWindow, msgIdTime,
} from './msg-id.js';
export { HEADER_LENGTH, MAX_PADDING, MIN_PADDING, isValidPaddingLength, paddingLength } from './padding.js';
export { quickAckFromMsgKeyLarge, quickAckToken } from './quick-ack.js';
