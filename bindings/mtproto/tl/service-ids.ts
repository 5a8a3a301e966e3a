// Constructor ids and limits of MTProto's service messages (spec §7.1; core.telegram.org/mtproto/
// service_messages and service_messages_about_messages; TDLib td/generate/scheme/mtproto_api.tl).
// Every id is the CRC-32 of its TL line normalized as Telegram does (the `#id` removed, `bytes`
// written as `string`, `<` and `>` as spaces), which test/mtproto/tl.test.ts recomputes.

import { BOOL_FALSE, BOOL_TRUE } from './writer.js';

export const ID = {
  // RPC results and their cancellation (service_messages.html "Response to an RPC query").
  rpc_result: 0xf35c6d01,
  rpc_error: 0x2144ca19,
  rpc_drop_answer: 0x58e4a740,
  rpc_answer_unknown: 0x5e2ad36e,
  rpc_answer_dropped_running: 0xcd78e586,
  rpc_answer_dropped: 0xa43ad8b7,
  // Message framing.
  msg_container: 0x73f1f8dc,
  msg_copy: 0xe06046b2,
  gzip_packed: 0x3072cfa1,
  // Acknowledgements, errors about messages, sessions.
  msgs_ack: 0x62d6b459,
  bad_msg_notification: 0xa7eff811,
  bad_server_salt: 0xedab447b,
  new_session_created: 0x9ec20908,
  // Liveness and salts.
  ping: 0x7abe77ec,
  pong: 0x347773c5,
  ping_delay_disconnect: 0xf3427b8c,
  get_future_salts: 0xb921bd04,
  future_salt: 0x0949d9dc,
  future_salts: 0xae500895,
  // Status and re-send requests (service_messages_about_messages.html).
  msgs_state_req: 0xda69fb52,
  msgs_state_info: 0x04deb57d,
  msgs_all_info: 0x8cc0d131,
  msg_detailed_info: 0x276d3ec6,
  msg_new_detailed_info: 0x809db6df,
  msg_resend_req: 0x7d861a08,
  msg_resend_ans_req: 0x8610baeb, // in the documentation, not in TDLib's schema
  // Session and key lifetime.
  destroy_session: 0xe7512126,
  destroy_session_ok: 0xe22045fc,
  destroy_session_none: 0x62d350c9,
  destroy_auth_key: 0xd1435160,
  destroy_auth_key_ok: 0xf660e1d4,
  destroy_auth_key_none: 0x0a9f2259,
  destroy_auth_key_fail: 0xea109b13,
  http_wait: 0x9299359f,
  // PFS (spec §6.1): the binding method, its MTProto 1.0 inner message and its Bool answer.
  'auth.bindTempAuthKey': 0xcdd42a05,
  bind_auth_key_inner: 0x75a3f765,
  boolTrue: BOOL_TRUE,
  boolFalse: BOOL_FALSE,
} as const;

/** Messages in one msg_container (spec §7.1, §11; the server answers more with transport error −429). */
export const MAX_CONTAINER_MESSAGES = 1024;

/** Ids in one msgs_ack, msgs_state_req, msg_resend_req or msgs_all_info (spec §7.2, §11). */
export const MAX_MSG_IDS = 8192;

/** Salts in one future_salts: get_future_salts asks for 1..64 (spec §7.1). */
export const MAX_FUTURE_SALTS = 64;
