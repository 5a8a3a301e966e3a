// TL encoding of exactly the handshake's constructors (§5.1, ids cross-checked with TDLib's
// mtproto_api.tl). Decoders read from a TlReader so a caller can learn where an object ends (the
// encrypted inner objects are followed by padding); decodeClientMessage / decodeServerMessage
// read one whole plain-message body and refuse trailing bytes.

import { TlError } from '../errors.js';
import { TlReader } from '../tl/reader.js';
import { TlWriter } from '../tl/writer.js';

export const ID = {
  req_pq: 0x60469778,
  req_pq_multi: 0xbe7e8ef1,
  resPQ: 0x05162463,
  p_q_inner_data: 0x83c95aec,
  p_q_inner_data_dc: 0xa9f55f95,
  p_q_inner_data_temp: 0x3c6a84d4,
  p_q_inner_data_temp_dc: 0x56fddf88,
  req_DH_params: 0xd712e4be,
  server_DH_params_ok: 0xd0e8075c,
  server_DH_params_fail: 0x79cb045d,
  server_DH_inner_data: 0xb5890dba,
  client_DH_inner_data: 0x6643b654,
  set_client_DH_params: 0xf5045f1f,
  dh_gen_ok: 0x3bcbf734,
  dh_gen_retry: 0x46dc1fb9,
  dh_gen_fail: 0xa69dae02,
} as const;

/** The most fingerprints a resPQ may list before we stop reading (Telegram sends a handful). */
const MAX_FINGERPRINTS = 64;

const hexId = (id: number) => `0x${id.toString(16).padStart(8, '0')}`;

// ---- client → server ---------------------------------------------------------------------------

/** req_pq_multi#be7e8ef1 (or the legacy req_pq#60469778) nonce:int128 */
export interface ReqPq {
  readonly _: 'req_pq_multi' | 'req_pq';
  readonly nonce: Uint8Array;
}

/** req_DH_params#d712e4be nonce server_nonce p:string q:string public_key_fingerprint:long encrypted_data:string */
export interface ReqDhParams {
  readonly _: 'req_DH_params';
  readonly nonce: Uint8Array;
  readonly serverNonce: Uint8Array;
  readonly p: Uint8Array;
  readonly q: Uint8Array;
  readonly fingerprint: bigint;
  readonly encryptedData: Uint8Array;
}

/** set_client_DH_params#f5045f1f nonce server_nonce encrypted_data:string */
export interface SetClientDhParams {
  readonly _: 'set_client_DH_params';
  readonly nonce: Uint8Array;
  readonly serverNonce: Uint8Array;
  readonly encryptedData: Uint8Array;
}

export type ClientMessage = ReqPq | ReqDhParams | SetClientDhParams;

// ---- server → client ---------------------------------------------------------------------------

/** resPQ#05162463 nonce server_nonce pq:string server_public_key_fingerprints:Vector<long> */
export interface ResPq {
  readonly _: 'resPQ';
  readonly nonce: Uint8Array;
  readonly serverNonce: Uint8Array;
  readonly pq: Uint8Array;
  readonly fingerprints: readonly bigint[];
}

/** server_DH_params_ok#d0e8075c nonce server_nonce encrypted_answer:string */
export interface ServerDhParamsOk {
  readonly _: 'server_DH_params_ok';
  readonly nonce: Uint8Array;
  readonly serverNonce: Uint8Array;
  readonly encryptedAnswer: Uint8Array;
}

/** server_DH_params_fail#79cb045d nonce server_nonce new_nonce_hash:int128 (legacy; recognized only) */
export interface ServerDhParamsFail {
  readonly _: 'server_DH_params_fail';
  readonly nonce: Uint8Array;
  readonly serverNonce: Uint8Array;
  readonly newNonceHash: Uint8Array;
}

/** dh_gen_ok#3bcbf734 / dh_gen_retry#46dc1fb9 / dh_gen_fail#a69dae02 nonce server_nonce new_nonce_hashN:int128 */
export interface DhGenAnswer {
  readonly _: 'dh_gen_ok' | 'dh_gen_retry' | 'dh_gen_fail';
  readonly nonce: Uint8Array;
  readonly serverNonce: Uint8Array;
  readonly newNonceHash: Uint8Array;
}

export type ServerMessage = ResPq | ServerDhParamsOk | ServerDhParamsFail | DhGenAnswer;

// ---- encrypted inner objects -------------------------------------------------------------------

/**
 * p_q_inner_data (legacy, no dc), p_q_inner_data_dc, p_q_inner_data_temp (legacy) and
 * p_q_inner_data_temp_dc: pq p q nonce server_nonce new_nonce:int256 [dc:int] [expires_in:int]
 */
export interface PqInnerData {
  readonly _: 'p_q_inner_data' | 'p_q_inner_data_dc' | 'p_q_inner_data_temp' | 'p_q_inner_data_temp_dc';
  readonly pq: Uint8Array;
  readonly p: Uint8Array;
  readonly q: Uint8Array;
  readonly nonce: Uint8Array;
  readonly serverNonce: Uint8Array;
  readonly newNonce: Uint8Array;
  /** Present for the _dc forms. */
  readonly dc?: number;
  /** Present for the _temp forms, in seconds. */
  readonly expiresIn?: number;
}

/** server_DH_inner_data#b5890dba nonce server_nonce g:int dh_prime:string g_a:string server_time:int */
export interface ServerDhInnerData {
  readonly nonce: Uint8Array;
  readonly serverNonce: Uint8Array;
  readonly g: number;
  readonly dhPrime: Uint8Array;
  readonly gA: Uint8Array;
  readonly serverTime: number;
}

/** client_DH_inner_data#6643b654 nonce server_nonce retry_id:long g_b:string */
export interface ClientDhInnerData {
  readonly nonce: Uint8Array;
  readonly serverNonce: Uint8Array;
  readonly retryId: bigint;
  readonly gB: Uint8Array;
}

// ---- encoders ----------------------------------------------------------------------------------

export function encodeReqPq(m: Omit<ReqPq, '_'> & { _?: ReqPq['_'] }): Uint8Array {
  return new TlWriter().int(m._ === 'req_pq' ? ID.req_pq : ID.req_pq_multi).int128(m.nonce).finish();
}

export function encodeResPq(m: Omit<ResPq, '_'>): Uint8Array {
  return new TlWriter()
    .int(ID.resPQ).int128(m.nonce).int128(m.serverNonce).bytes(m.pq)
    .vector(m.fingerprints, (w, f) => w.long(f))
    .finish();
}

export function encodePqInnerData(m: PqInnerData): Uint8Array {
  const w = new TlWriter().int(ID[m._]).bytes(m.pq).bytes(m.p).bytes(m.q).int128(m.nonce).int128(m.serverNonce).int256(m.newNonce);
  const hasDc = m._ === 'p_q_inner_data_dc' || m._ === 'p_q_inner_data_temp_dc';
  const isTemp = m._ === 'p_q_inner_data_temp' || m._ === 'p_q_inner_data_temp_dc';
  if (hasDc) {
    if (m.dc === undefined) throw new TypeError(`encodePqInnerData: ${m._} needs dc`);
    w.int(m.dc);
  }
  if (isTemp) {
    if (m.expiresIn === undefined) throw new TypeError(`encodePqInnerData: ${m._} needs expiresIn`);
    w.int(m.expiresIn);
  }
  return w.finish();
}

export function encodeReqDhParams(m: Omit<ReqDhParams, '_'>): Uint8Array {
  return new TlWriter()
    .int(ID.req_DH_params).int128(m.nonce).int128(m.serverNonce).bytes(m.p).bytes(m.q).long(m.fingerprint).bytes(m.encryptedData)
    .finish();
}

export function encodeServerDhParamsOk(m: Omit<ServerDhParamsOk, '_'>): Uint8Array {
  return new TlWriter().int(ID.server_DH_params_ok).int128(m.nonce).int128(m.serverNonce).bytes(m.encryptedAnswer).finish();
}

export function encodeServerDhParamsFail(m: Omit<ServerDhParamsFail, '_'>): Uint8Array {
  return new TlWriter().int(ID.server_DH_params_fail).int128(m.nonce).int128(m.serverNonce).int128(m.newNonceHash).finish();
}

export function encodeServerDhInnerData(m: ServerDhInnerData): Uint8Array {
  return new TlWriter()
    .int(ID.server_DH_inner_data).int128(m.nonce).int128(m.serverNonce).int(m.g).bytes(m.dhPrime).bytes(m.gA).int(m.serverTime)
    .finish();
}

export function encodeClientDhInnerData(m: ClientDhInnerData): Uint8Array {
  return new TlWriter().int(ID.client_DH_inner_data).int128(m.nonce).int128(m.serverNonce).long(m.retryId).bytes(m.gB).finish();
}

export function encodeSetClientDhParams(m: Omit<SetClientDhParams, '_'>): Uint8Array {
  return new TlWriter().int(ID.set_client_DH_params).int128(m.nonce).int128(m.serverNonce).bytes(m.encryptedData).finish();
}

export function encodeDhGenAnswer(m: DhGenAnswer): Uint8Array {
  return new TlWriter().int(ID[m._]).int128(m.nonce).int128(m.serverNonce).int128(m.newNonceHash).finish();
}

// ---- decoders ----------------------------------------------------------------------------------

/** Reads one of the four p_q_inner_data forms (another constructor is a TlError). */
export function readPqInnerData(r: TlReader): PqInnerData {
  const id = r.uint();
  const kind = (['p_q_inner_data', 'p_q_inner_data_dc', 'p_q_inner_data_temp', 'p_q_inner_data_temp_dc'] as const).find((k) => ID[k] === id);
  if (kind === undefined) throw new TlError(`tl: expected p_q_inner_data, got constructor ${hexId(id)}`);
  const base = { _: kind, pq: r.bytes(), p: r.bytes(), q: r.bytes(), nonce: r.int128(), serverNonce: r.int128(), newNonce: r.int256() };
  const dc = kind === 'p_q_inner_data_dc' || kind === 'p_q_inner_data_temp_dc' ? r.int() : undefined;
  const expiresIn = kind === 'p_q_inner_data_temp' || kind === 'p_q_inner_data_temp_dc' ? r.int() : undefined;
  return { ...base, ...(dc !== undefined && { dc }), ...(expiresIn !== undefined && { expiresIn }) };
}

export function readServerDhInnerData(r: TlReader): ServerDhInnerData {
  const id = r.uint();
  if (id !== ID.server_DH_inner_data) throw new TlError(`tl: expected server_DH_inner_data, got constructor ${hexId(id)}`);
  return { nonce: r.int128(), serverNonce: r.int128(), g: r.int(), dhPrime: r.bytes(), gA: r.bytes(), serverTime: r.int() };
}

export function readClientDhInnerData(r: TlReader): ClientDhInnerData {
  const id = r.uint();
  if (id !== ID.client_DH_inner_data) throw new TlError(`tl: expected client_DH_inner_data, got constructor ${hexId(id)}`);
  return { nonce: r.int128(), serverNonce: r.int128(), retryId: r.long(), gB: r.bytes() };
}

/** A whole client → server handshake body (req_pq_multi, req_pq, req_DH_params, set_client_DH_params). */
export function decodeClientMessage(body: Uint8Array): ClientMessage {
  const r = new TlReader(body);
  const id = r.uint();
  let m: ClientMessage;
  switch (id) {
    case ID.req_pq_multi:
    case ID.req_pq:
      m = { _: id === ID.req_pq ? 'req_pq' : 'req_pq_multi', nonce: r.int128() };
      break;
    case ID.req_DH_params:
      m = { _: 'req_DH_params', nonce: r.int128(), serverNonce: r.int128(), p: r.bytes(), q: r.bytes(), fingerprint: r.long(), encryptedData: r.bytes() };
      break;
    case ID.set_client_DH_params:
      m = { _: 'set_client_DH_params', nonce: r.int128(), serverNonce: r.int128(), encryptedData: r.bytes() };
      break;
    default:
      throw new TlError(`tl: not a client handshake message: constructor ${hexId(id)}`);
  }
  r.end();
  return m;
}

/** A whole server → client handshake body (resPQ, server_DH_params_ok/fail, dh_gen_ok/retry/fail). */
export function decodeServerMessage(body: Uint8Array): ServerMessage {
  const r = new TlReader(body);
  const id = r.uint();
  let m: ServerMessage;
  switch (id) {
    case ID.resPQ:
      m = { _: 'resPQ', nonce: r.int128(), serverNonce: r.int128(), pq: r.bytes(), fingerprints: r.vector((v) => v.long(), MAX_FINGERPRINTS) };
      break;
    case ID.server_DH_params_ok:
      m = { _: 'server_DH_params_ok', nonce: r.int128(), serverNonce: r.int128(), encryptedAnswer: r.bytes() };
      break;
    case ID.server_DH_params_fail:
      m = { _: 'server_DH_params_fail', nonce: r.int128(), serverNonce: r.int128(), newNonceHash: r.int128() };
      break;
    case ID.dh_gen_ok:
    case ID.dh_gen_retry:
    case ID.dh_gen_fail: {
      const kind = id === ID.dh_gen_ok ? 'dh_gen_ok' : id === ID.dh_gen_retry ? 'dh_gen_retry' : 'dh_gen_fail';
      m = { _: kind, nonce: r.int128(), serverNonce: r.int128(), newNonceHash: r.int128() };
      break;
    }
    default:
      throw new TlError(`tl: not a server handshake message: constructor ${hexId(id)}`);
  }
  r.end();
  return m;
}
