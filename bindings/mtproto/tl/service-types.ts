// The service messages as a discriminated union on `_`, the TL constructor name. Field names are
// the TL field names, so each type reads against its line in spec §7.1. Every `long` is a signed
// bigint as decoded (the encoder also takes unsigned values in range); `bytes`/`string` fields that
// hold binary data are Uint8Array, `error_message` is text.

/** One entry of a msg_container, and msg_copy's payload: `message msg_id:long seqno:int bytes:int body:Object`. */
export interface MessageEntry {
  msg_id: bigint;
  seqno: number;
  /** The serialized object; its length is the entry's `bytes` field. */
  body: Uint8Array;
}

/** `future_salt valid_since:int valid_until:int salt:long`, bare inside future_salts. */
export interface FutureSalt {
  valid_since: number;
  valid_until: number;
  salt: bigint;
}

export type ServiceMessage =
  | { _: 'rpc_result'; req_msg_id: bigint; /** The serialized result object, left to the caller. */ result: Uint8Array }
  | { _: 'rpc_error'; error_code: number; error_message: string }
  | { _: 'rpc_drop_answer'; req_msg_id: bigint }
  | { _: 'rpc_answer_unknown' }
  | { _: 'rpc_answer_dropped_running' }
  | { _: 'rpc_answer_dropped'; msg_id: bigint; seq_no: number; bytes: number }
  | { _: 'msg_container'; messages: MessageEntry[] }
  | { _: 'msg_copy'; orig_message: MessageEntry }
  | { _: 'gzip_packed'; /** Still compressed: see gzip.ts gunzipPacked. */ packed_data: Uint8Array }
  | { _: 'msgs_ack'; msg_ids: bigint[] }
  | { _: 'bad_msg_notification'; bad_msg_id: bigint; bad_msg_seqno: number; error_code: number }
  | { _: 'bad_server_salt'; bad_msg_id: bigint; bad_msg_seqno: number; error_code: number; new_server_salt: bigint }
  | { _: 'new_session_created'; first_msg_id: bigint; unique_id: bigint; server_salt: bigint }
  | { _: 'ping'; ping_id: bigint }
  | { _: 'pong'; msg_id: bigint; ping_id: bigint }
  | { _: 'ping_delay_disconnect'; ping_id: bigint; disconnect_delay: number }
  | { _: 'get_future_salts'; num: number }
  | ({ _: 'future_salt' } & FutureSalt)
  | { _: 'future_salts'; req_msg_id: bigint; now: number; salts: FutureSalt[] }
  | { _: 'msgs_state_req'; msg_ids: bigint[] }
  | { _: 'msgs_state_info'; req_msg_id: bigint; /** One status byte per requested id (spec §7.4). */ info: Uint8Array }
  | { _: 'msgs_all_info'; msg_ids: bigint[]; /** info[i] is the status of msg_ids[i]. */ info: Uint8Array }
  | { _: 'msg_detailed_info'; msg_id: bigint; answer_msg_id: bigint; bytes: number; status: number }
  | { _: 'msg_new_detailed_info'; answer_msg_id: bigint; bytes: number; status: number }
  | { _: 'msg_resend_req'; msg_ids: bigint[] }
  | { _: 'msg_resend_ans_req'; msg_ids: bigint[] }
  | { _: 'destroy_session'; session_id: bigint }
  | { _: 'destroy_session_ok'; session_id: bigint }
  | { _: 'destroy_session_none'; session_id: bigint }
  | { _: 'destroy_auth_key' }
  | { _: 'destroy_auth_key_ok' }
  | { _: 'destroy_auth_key_none' }
  | { _: 'destroy_auth_key_fail' }
  | { _: 'http_wait'; max_delay: number; wait_after: number; max_wait: number }
  | { _: 'auth.bindTempAuthKey'; perm_auth_key_id: bigint; nonce: bigint; expires_at: number; /** Spec §6.1: the MTProto 1.0 message. */ encrypted_message: Uint8Array }
  | { _: 'bind_auth_key_inner'; nonce: bigint; temp_auth_key_id: bigint; perm_auth_key_id: bigint; temp_session_id: bigint; expires_at: number }
  | { _: 'boolTrue' }
  | { _: 'boolFalse' };

export type ServiceName = ServiceMessage['_'];

/** The member of the union for one constructor: `ServiceOf<'pong'>`. */
export type ServiceOf<K extends ServiceName> = Extract<ServiceMessage, { _: K }>;
