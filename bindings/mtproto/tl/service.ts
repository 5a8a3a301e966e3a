// MTProto service messages (spec §7): typed encoding and decoding of every service constructor.
// decodeService recognizes a message body by its leading constructor id and returns undefined for
// any other id, so the session layer hands such bodies to the application untouched. The result of
// rpc_result and the bodies inside msg_container / msg_copy stay serialized: the caller decodes
// them in turn (with decodeService first: an rpc_result may hold rpc_error or gzip_packed).
//
// Decoding is strict: the body must be consumed exactly, embedded objects must be whole 32-bit
// words, and every count is capped before anything is allocated (MAX_* in service-ids.ts). Any
// violation is a TlError and nothing is returned. The encoder refuses (RangeError) what the
// decoder would refuse, so whatever encodeService writes decodeService reads back unchanged.

import { bytes as checkBytes } from '../../errors.js';
import { TlError } from '../errors.js';
import { TlReader } from './reader.js';
import { ID, MAX_CONTAINER_MESSAGES, MAX_FUTURE_SALTS, MAX_MSG_IDS } from './service-ids.js';
import type { FutureSalt, MessageEntry, ServiceMessage, ServiceName, ServiceOf } from './service-types.js';
import { TlWriter } from './writer.js';

export { ID, MAX_CONTAINER_MESSAGES, MAX_FUTURE_SALTS, MAX_MSG_IDS } from './service-ids.js';
export type { FutureSalt, MessageEntry, ServiceMessage, ServiceName, ServiceOf } from './service-types.js';

/** Reads and writes the fields after the constructor id; `F` is a message without its `_`. */
interface Codec<F> {
  read(r: TlReader): F;
  write(w: TlWriter, m: F): void;
}

type Codecs = { [K in ServiceName]: Codec<Omit<ServiceOf<K>, '_'>> };

/** A serialized TL object is at least its constructor id and always whole 32-bit words. */
const isObjectLength = (n: number): boolean => n >= 4 && n % 4 === 0;

function readObjectRest(r: TlReader, what: string): Uint8Array {
  const n = r.remaining;
  if (!isObjectLength(n)) throw new TlError(`tl: ${what} of ${n} bytes is not a serialized object`);
  return r.raw(n);
}

function writeObject(w: TlWriter, body: Uint8Array, what: string): void {
  const n = checkBytes(body, 'encodeService', what).length;
  if (!isObjectLength(n)) throw new RangeError(`encodeService: ${what} of ${n} bytes is not a serialized object`);
  w.raw(body);
}

/** `message msg_id:long seqno:int bytes:int body:Object` (bare, spec §7.1); `bytes` must fit what is left. */
function readEntry(r: TlReader): MessageEntry {
  const msg_id = r.long();
  const seqno = r.int();
  const n = r.int();
  if (!isObjectLength(n) || n > r.remaining) throw new TlError(`tl: message body of ${n} bytes does not fit (${r.remaining} left)`);
  return { msg_id, seqno, body: r.raw(n) };
}

function writeEntry(w: TlWriter, e: MessageEntry): void {
  w.long(e.msg_id).int(e.seqno).int(checkBytes(e.body, 'encodeService', 'body').length);
  writeObject(w, e.body, 'message body');
}

/** A bare vector (lowercase `vector<t>`: a count, no 0x1cb5c415), capped at `limit` items of at least `itemBytes`. */
function readBare<T>(r: TlReader, limit: number, itemBytes: number, item: (r: TlReader) => T): T[] {
  const count = r.int();
  if (count < 0 || count > limit) throw new TlError(`tl: bare vector length ${count} outside [0, ${limit}]`);
  if (count * itemBytes > r.remaining) throw new TlError(`tl: bare vector of ${count} items cannot fit in ${r.remaining} bytes`);
  return Array.from({ length: count }, () => item(r));
}

function checkCount(items: readonly unknown[], limit: number, what: string): void {
  if (!Array.isArray(items)) throw new TypeError(`encodeService: ${what} must be an array`);
  if (items.length > limit) throw new RangeError(`encodeService: ${items.length} ${what}, at most ${limit} allowed`);
}

const readIds = (r: TlReader): bigint[] => r.vector((v) => v.long(), MAX_MSG_IDS);

function writeIds(w: TlWriter, ids: readonly bigint[]): void {
  checkCount(ids, MAX_MSG_IDS, 'msg_ids');
  w.vector(ids, (v, id) => v.long(id));
}

const ids: Codec<{ msg_ids: bigint[] }> = {
  read: (r) => ({ msg_ids: readIds(r) }),
  write: (w, m) => writeIds(w, m.msg_ids),
};

const none: Codec<Record<never, never>> = { read: () => ({}), write: () => {} };

const readSalt = (r: TlReader): FutureSalt => ({ valid_since: r.int(), valid_until: r.int(), salt: r.long() });
const writeSalt = (w: TlWriter, s: FutureSalt): void => void w.int(s.valid_since).int(s.valid_until).long(s.salt);

/** A session id, `long` field alone (destroy_session and its answers). */
const session: Codec<{ session_id: bigint }> = {
  read: (r) => ({ session_id: r.long() }),
  write: (w, m) => void w.long(m.session_id),
};

// Field order is the order of the TL line (spec §7.1); object literals evaluate in source order.
const CODECS: Codecs = {
  rpc_result: {
    read: (r) => ({ req_msg_id: r.long(), result: readObjectRest(r, 'rpc_result result') }),
    write: (w, m) => writeObject(w.long(m.req_msg_id), m.result, 'result'),
  },
  rpc_error: {
    read: (r) => ({ error_code: r.int(), error_message: r.string() }),
    write: (w, m) => void w.int(m.error_code).string(m.error_message),
  },
  rpc_drop_answer: { read: (r) => ({ req_msg_id: r.long() }), write: (w, m) => void w.long(m.req_msg_id) },
  rpc_answer_unknown: none,
  rpc_answer_dropped_running: none,
  rpc_answer_dropped: {
    read: (r) => ({ msg_id: r.long(), seq_no: r.int(), bytes: r.int() }),
    write: (w, m) => void w.long(m.msg_id).int(m.seq_no).int(m.bytes),
  },
  msg_container: {
    read: (r) => {
      // 20 bytes is the smallest entry: msg_id, seqno, bytes and a 4-byte body.
      const messages = readBare(r, MAX_CONTAINER_MESSAGES, 20, readEntry);
      for (const e of messages) if (constructorId(e.body) === ID.msg_container) throw new TlError('tl: nested msg_container');
      return { messages };
    },
    write: (w, m) => {
      checkCount(m.messages, MAX_CONTAINER_MESSAGES, 'container messages');
      for (const e of m.messages) if (isObjectLength(e.body?.length) && constructorId(e.body) === ID.msg_container) throw new RangeError('encodeService: nested msg_container');
      w.int(m.messages.length);
      for (const e of m.messages) writeEntry(w, e);
    },
  },
  msg_copy: { read: (r) => ({ orig_message: readEntry(r) }), write: (w, m) => writeEntry(w, m.orig_message) },
  gzip_packed: { read: (r) => ({ packed_data: r.bytes() }), write: (w, m) => void w.bytes(m.packed_data) },
  msgs_ack: ids,
  bad_msg_notification: {
    read: (r) => ({ bad_msg_id: r.long(), bad_msg_seqno: r.int(), error_code: r.int() }),
    write: (w, m) => void w.long(m.bad_msg_id).int(m.bad_msg_seqno).int(m.error_code),
  },
  bad_server_salt: {
    read: (r) => ({ bad_msg_id: r.long(), bad_msg_seqno: r.int(), error_code: r.int(), new_server_salt: r.long() }),
    write: (w, m) => void w.long(m.bad_msg_id).int(m.bad_msg_seqno).int(m.error_code).long(m.new_server_salt),
  },
  new_session_created: {
    read: (r) => ({ first_msg_id: r.long(), unique_id: r.long(), server_salt: r.long() }),
    write: (w, m) => void w.long(m.first_msg_id).long(m.unique_id).long(m.server_salt),
  },
  ping: { read: (r) => ({ ping_id: r.long() }), write: (w, m) => void w.long(m.ping_id) },
  pong: { read: (r) => ({ msg_id: r.long(), ping_id: r.long() }), write: (w, m) => void w.long(m.msg_id).long(m.ping_id) },
  ping_delay_disconnect: {
    read: (r) => ({ ping_id: r.long(), disconnect_delay: r.int() }),
    write: (w, m) => void w.long(m.ping_id).int(m.disconnect_delay),
  },
  get_future_salts: { read: (r) => ({ num: r.int() }), write: (w, m) => void w.int(m.num) },
  future_salt: { read: readSalt, write: writeSalt },
  future_salts: {
    // `salts:vector<future_salt>`: a bare vector of bare 16-byte items.
    read: (r) => ({ req_msg_id: r.long(), now: r.int(), salts: readBare(r, MAX_FUTURE_SALTS, 16, readSalt) }),
    write: (w, m) => {
      checkCount(m.salts, MAX_FUTURE_SALTS, 'future salts');
      w.long(m.req_msg_id).int(m.now).int(m.salts.length);
      for (const s of m.salts) writeSalt(w, s);
    },
  },
  msgs_state_req: ids,
  msgs_state_info: {
    read: (r) => ({ req_msg_id: r.long(), info: r.bytes() }),
    write: (w, m) => void w.long(m.req_msg_id).bytes(m.info),
  },
  msgs_all_info: {
    read: (r) => {
      const m = { msg_ids: readIds(r), info: r.bytes() };
      if (m.info.length !== m.msg_ids.length) throw new TlError(`tl: msgs_all_info has ${m.info.length} statuses for ${m.msg_ids.length} ids`);
      return m;
    },
    write: (w, m) => {
      if (checkBytes(m.info, 'encodeService', 'info').length !== m.msg_ids?.length) throw new RangeError('encodeService: msgs_all_info needs one status byte per id');
      writeIds(w, m.msg_ids);
      w.bytes(m.info);
    },
  },
  msg_detailed_info: {
    read: (r) => ({ msg_id: r.long(), answer_msg_id: r.long(), bytes: r.int(), status: r.int() }),
    write: (w, m) => void w.long(m.msg_id).long(m.answer_msg_id).int(m.bytes).int(m.status),
  },
  msg_new_detailed_info: {
    read: (r) => ({ answer_msg_id: r.long(), bytes: r.int(), status: r.int() }),
    write: (w, m) => void w.long(m.answer_msg_id).int(m.bytes).int(m.status),
  },
  msg_resend_req: ids,
  msg_resend_ans_req: ids,
  destroy_session: session,
  destroy_session_ok: session,
  destroy_session_none: session,
  destroy_auth_key: none,
  destroy_auth_key_ok: none,
  destroy_auth_key_none: none,
  destroy_auth_key_fail: none,
  http_wait: {
    read: (r) => ({ max_delay: r.int(), wait_after: r.int(), max_wait: r.int() }),
    write: (w, m) => void w.int(m.max_delay).int(m.wait_after).int(m.max_wait),
  },
  'auth.bindTempAuthKey': {
    read: (r) => ({ perm_auth_key_id: r.long(), nonce: r.long(), expires_at: r.int(), encrypted_message: r.bytes() }),
    write: (w, m) => void w.long(m.perm_auth_key_id).long(m.nonce).int(m.expires_at).bytes(m.encrypted_message),
  },
  bind_auth_key_inner: {
    read: (r) => ({ nonce: r.long(), temp_auth_key_id: r.long(), perm_auth_key_id: r.long(), temp_session_id: r.long(), expires_at: r.int() }),
    write: (w, m) => void w.long(m.nonce).long(m.temp_auth_key_id).long(m.perm_auth_key_id).long(m.temp_session_id).int(m.expires_at),
  },
  boolTrue: none,
  boolFalse: none,
};

const BY_ID = new Map<number, ServiceName>(Object.entries(ID).map(([name, id]) => [id, name as ServiceName]));

/** The leading constructor id of a serialized object (TlError if it has fewer than 4 bytes). */
export function constructorId(body: Uint8Array): number {
  return new TlReader(checkBytes(body, 'constructorId', 'body')).uint();
}

/** Whether `id` is one of the service constructors decodeService recognizes. */
export function isServiceConstructor(id: number): boolean {
  return BY_ID.has(id);
}

/**
 * Decodes a message body (or an rpc_result's result) if it is a service constructor.
 * @returns the message, or undefined if the leading constructor id is not a service one.
 * @throws {TlError} if the body is shorter than a constructor id, or a service body is malformed,
 *   exceeds a limit, or has trailing bytes.
 */
export function decodeService(body: Uint8Array): ServiceMessage | undefined {
  const r = new TlReader(checkBytes(body, 'decodeService', 'body'));
  const name = BY_ID.get(r.uint());
  if (name === undefined) return undefined;
  const fields = (CODECS[name] as Codec<object>).read(r);
  r.end();
  return { _: name, ...fields } as ServiceMessage;
}

/**
 * Serializes a service message, constructor id first.
 * @throws {TypeError} for an unknown `_` or a field of the wrong type.
 * @throws {RangeError} for a value out of range or a count beyond the limits decodeService applies.
 */
export function encodeService(msg: ServiceMessage): Uint8Array {
  const name = (msg as { _?: unknown } | null)?._;
  if (typeof name !== 'string' || !Object.hasOwn(CODECS, name)) throw new TypeError(`encodeService: unknown service constructor ${String(name)}`);
  const w = new TlWriter().int(ID[name as ServiceName]);
  (CODECS[name as ServiceName] as Codec<object>).write(w, msg);
  return w.finish();
}
