// The client side of auth-key creation (§5.1, §6), sans-IO: start() gives the first message body,
// receive(body) takes each server answer and gives the next body to send, until `done` carries the
// key. Bodies are TL message data; plain-message.ts wraps them for the wire.
//
// Every check of the specification is made: nonce and server_nonce echoed in every answer, an RSA
// key chosen by fingerprint, pq factored and checked, the answer's SHA-1 (its length found by
// parsing), its nonces, dh_prime as a safe 2048-bit prime, g's generator condition, g_a and g_b in
// range with the 2^(2048−64) margins, new_nonce_hash1..3 per answer constructor, retry_id on
// dh_gen_retry and a bound on retries. The first failed check throws an MtprotoError (or a TlError
// for a malformed body) and ends the handshake: the specification says to start again from
// req_pq_multi, with a new ClientHandshake.

import { bytes as checkBytes, integer } from '../../errors.js';
import type { CryptoProvider } from '../../provider/types.js';
import { MtprotoError } from '../errors.js';
import { bigIntFromBytesBE, bigIntToBytesBE, int64FromBytesLE, modPow } from './bigint.js';
import { ctEqual } from '../../compare.js';
import { checkDhParams, checkDhPublic, generateDhKeyPair } from './dh.js';
import { factorPq } from './factor.js';
import { openWithHash, sealWithHash } from './hashed-data.js';
import { authKeyAuxHash, authKeyId, initialServerSalt, newNonceHash, newNonceHashOfFail } from './key-hashes.js';
import {
  type DhGenAnswer,
  type PqInnerData,
  type ResPq,
  type ServerDhParamsFail,
  type ServerDhParamsOk,
  decodeServerMessage,
  encodeClientDhInnerData,
  encodePqInnerData,
  encodeReqDhParams,
  encodeReqPq,
  encodeSetClientDhParams,
  readServerDhInnerData,
} from './messages.js';
import { type RsaPublicKey, parseRsaPublicKey } from './rsa.js';
import { rsaPadEncrypt } from './rsa-pad.js';
import { handshakeKeyIv } from '../crypto/kdf.js';
import { type AuthKeyResult, type Clock, type RandomSource, systemClock } from './types.js';

export interface ClientHandshakeOptions {
  /** The server keys this client trusts (parsed, or PEM: PKCS#1 or SPKI), in order of preference. */
  readonly rsaKeys: readonly (RsaPublicKey | string)[];
  /**
   * The DC id for p_q_inner_data_dc / _temp_dc (+10000 for test DCs, negative for media DCs).
   * Omitted: the legacy p_q_inner_data / p_q_inner_data_temp without a dc (as GramJS and the
   * recorded Telethon handshake send).
   */
  readonly dc?: number;
  /** Create a temporary key (§6) that the server keeps for at most expiresIn seconds. */
  readonly temp?: { readonly expiresIn: number };
  readonly now?: Clock;
  /** Random bytes for nonces, RSA_PAD, b and padding; injectable to replay recorded handshakes. */
  readonly random?: RandomSource;
  /** dh_gen_retry answers accepted before giving up (default 5). */
  readonly maxRetries?: number;
}

type State =
  | { readonly stage: 'new' }
  | { readonly stage: 'res-pq'; readonly nonce: Uint8Array }
  | { readonly stage: 'dh-params'; readonly nonce: Uint8Array; readonly serverNonce: Uint8Array; readonly newNonce: Uint8Array }
  | {
      readonly stage: 'dh-gen';
      readonly nonce: Uint8Array;
      readonly serverNonce: Uint8Array;
      readonly newNonce: Uint8Array;
      readonly key: Uint8Array;
      readonly iv: Uint8Array;
      readonly g: number;
      readonly dhPrime: bigint;
      readonly gA: bigint;
      readonly timeOffset: number;
      readonly authKey: Uint8Array;
      readonly auxHash: Uint8Array;
      readonly retries: number;
    }
  | { readonly stage: 'done' | 'failed' };

export interface ClientHandshakeStep {
  /** The next body to send, if any. */
  readonly send?: Uint8Array;
  /** The new key, once dh_gen_ok arrived and checked out. */
  readonly done?: AuthKeyResult;
}

const DEFAULT_MAX_RETRIES = 5;

function fail(code: string, message: string): never {
  throw new MtprotoError(code, message);
}

export class ClientHandshake {
  readonly #provider: CryptoProvider;
  readonly #keys: readonly RsaPublicKey[];
  readonly #dc: number | undefined;
  readonly #expiresIn: number | undefined;
  readonly #now: Clock;
  readonly #random: RandomSource;
  readonly #maxRetries: number;
  #state: State = { stage: 'new' };

  constructor(provider: CryptoProvider, options: ClientHandshakeOptions) {
    this.#provider = provider;
    if (!Array.isArray(options?.rsaKeys) || options.rsaKeys.length === 0) throw new TypeError('ClientHandshake: rsaKeys must be a non-empty array');
    this.#keys = options.rsaKeys.map((k) => (typeof k === 'string' ? parseRsaPublicKey(provider, k) : k));
    this.#dc = options.dc === undefined ? undefined : integer(options.dc, -0x80000000, 0x7fffffff, 'ClientHandshake', 'dc');
    this.#expiresIn = options.temp === undefined ? undefined : integer(options.temp.expiresIn, 1, 0x7fffffff, 'ClientHandshake', 'temp.expiresIn');
    this.#now = options.now ?? systemClock;
    this.#random = options.random ?? ((n) => provider.randomBytes(n));
    this.#maxRetries = integer(options.maxRetries ?? DEFAULT_MAX_RETRIES, 0, 1000, 'ClientHandshake', 'maxRetries');
  }

  /** 'new', 'res-pq', 'dh-params', 'dh-gen' (waiting for that answer), 'done' or 'failed'. */
  get stage(): State['stage'] {
    return this.#state.stage;
  }

  /** The first body to send: req_pq_multi with a fresh nonce. Once per handshake. */
  start(): Uint8Array {
    if (this.#state.stage !== 'new') throw new TypeError('ClientHandshake.start: already started');
    const nonce = this.#randomBytes(16);
    this.#state = { stage: 'res-pq', nonce };
    return encodeReqPq({ nonce });
  }

  /** Takes the server's next body; throws (and the handshake is over) when a check fails. */
  receive(body: Uint8Array): ClientHandshakeStep {
    checkBytes(body, 'ClientHandshake.receive', 'body');
    const state = this.#state;
    if (state.stage === 'new') throw new TypeError('ClientHandshake.receive: call start() first');
    if (state.stage === 'done') fail('handshake-finished', 'the handshake already finished');
    if (state.stage === 'failed') fail('handshake-failed', 'the handshake is over after a failed check; start a new one');
    try {
      const message = decodeServerMessage(body);
      switch (state.stage) {
        case 'res-pq':
          if (message._ !== 'resPQ') break;
          return this.#onResPq(state, message);
        case 'dh-params':
          if (message._ === 'server_DH_params_ok') return this.#onDhParamsOk(state, message);
          if (message._ === 'server_DH_params_fail') this.#onDhParamsFail(state, message);
          break;
        case 'dh-gen':
          if (message._ === 'dh_gen_ok' || message._ === 'dh_gen_retry' || message._ === 'dh_gen_fail') return this.#onDhGen(state, message);
          break;
      }
      fail('handshake-unexpected-message', `${message._} while waiting for ${state.stage === 'res-pq' ? 'resPQ' : state.stage === 'dh-params' ? 'server_DH_params' : 'dh_gen_*'}`);
    } catch (error) {
      this.#state = { stage: 'failed' };
      throw error;
    }
  }

  #randomBytes(n: number): Uint8Array {
    const out = this.#random(n);
    if (!(out instanceof Uint8Array) || out.length !== n) throw new TypeError(`ClientHandshake: the random source returned ${out?.length} bytes for ${n}`);
    return out;
  }

  #checkNonces(state: { nonce: Uint8Array; serverNonce?: Uint8Array }, m: { nonce: Uint8Array; serverNonce: Uint8Array }, what: string): void {
    if (!ctEqual(m.nonce, state.nonce)) fail('handshake-nonce-mismatch', `${what}: nonce does not match`);
    if (state.serverNonce !== undefined && !ctEqual(m.serverNonce, state.serverNonce)) fail('handshake-nonce-mismatch', `${what}: server_nonce does not match`);
  }

  // §5.1 steps 1–6: resPQ → req_DH_params.
  #onResPq(state: { nonce: Uint8Array }, m: ResPq): ClientHandshakeStep {
    this.#checkNonces(state, m, 'resPQ');
    const key = this.#keys.find((k) => m.fingerprints.includes(k.fingerprint));
    if (key === undefined) fail('rsa-unknown-fingerprint', 'the server lists no fingerprint of a key this client trusts');
    if (m.pq.length === 0 || m.pq.length > 8) fail('handshake-bad-pq', `pq of ${m.pq.length} bytes`);
    const { p, q } = factorPq(bigIntFromBytesBE(m.pq));
    const newNonce = this.#randomBytes(32);
    const pBytes = bigIntToBytesBE(p);
    const qBytes = bigIntToBytesBE(q);
    const temp = this.#expiresIn !== undefined;
    const legacy = this.#dc === undefined;
    const inner: PqInnerData = {
      _: temp ? (legacy ? 'p_q_inner_data_temp' : 'p_q_inner_data_temp_dc') : legacy ? 'p_q_inner_data' : 'p_q_inner_data_dc',
      pq: m.pq, p: pBytes, q: qBytes, nonce: m.nonce, serverNonce: m.serverNonce, newNonce,
      dc: this.#dc, expiresIn: this.#expiresIn,
    };
    const encryptedData = rsaPadEncrypt(this.#provider, key, encodePqInnerData(inner), (n) => this.#randomBytes(n));
    this.#state = { stage: 'dh-params', nonce: state.nonce, serverNonce: m.serverNonce, newNonce };
    return { send: encodeReqDhParams({ nonce: state.nonce, serverNonce: m.serverNonce, p: pBytes, q: qBytes, fingerprint: key.fingerprint, encryptedData }) };
  }

  // §5.1 steps 7–9: server_DH_params_ok → set_client_DH_params.
  #onDhParamsOk(state: Extract<State, { stage: 'dh-params' }>, m: ServerDhParamsOk): ClientHandshakeStep {
    this.#checkNonces(state, m, 'server_DH_params_ok');
    const { key, iv } = handshakeKeyIv(this.#provider, state.serverNonce, state.newNonce);
    const answer = openWithHash(this.#provider, key, iv, m.encryptedAnswer, readServerDhInnerData, 'server_DH_inner_data');
    this.#checkNonces(state, answer, 'server_DH_inner_data');
    if (answer.dhPrime.length > 256) fail('dh-bad-prime', `dh_prime of ${answer.dhPrime.length} bytes`);
    if (answer.gA.length > 256) fail('dh-bad-g-a', `g_a of ${answer.gA.length} bytes`);
    const dhPrime = bigIntFromBytesBE(answer.dhPrime);
    checkDhParams(dhPrime, answer.g, (n) => this.#provider.randomBytes(n));
    const gA = bigIntFromBytesBE(answer.gA);
    checkDhPublic(gA, dhPrime, 'dh-bad-g-a');
    const timeOffset = answer.serverTime - Math.floor(this.#now());
    const base = { nonce: state.nonce, serverNonce: state.serverNonce, newNonce: state.newNonce, key, iv, g: answer.g, dhPrime, gA, timeOffset };
    return this.#sendClientDh(base, 0n, 0);
  }

  #onDhParamsFail(state: Extract<State, { stage: 'dh-params' }>, m: ServerDhParamsFail): never {
    this.#checkNonces(state, m, 'server_DH_params_fail');
    if (!ctEqual(m.newNonceHash, newNonceHashOfFail(this.#provider, state.newNonce))) fail('handshake-bad-hash', 'server_DH_params_fail: new_nonce_hash mismatch');
    fail('handshake-dh-params-fail', 'the server answered server_DH_params_fail');
  }

  // §5.1 step 9, also after dh_gen_retry: a fresh b, g_b, auth_key; client_DH_inner_data sealed.
  #sendClientDh(
    base: Omit<Extract<State, { stage: 'dh-gen' }>, 'stage' | 'authKey' | 'auxHash' | 'retries'>,
    retryId: bigint,
    retries: number,
  ): ClientHandshakeStep {
    const { x: b, gx: gB } = generateDhKeyPair(base.dhPrime, base.g, (n) => this.#randomBytes(n));
    checkDhPublic(gB, base.dhPrime, 'dh-bad-g-b');
    const authKey = bigIntToBytesBE(modPow(base.gA, b, base.dhPrime), 256);
    const data = encodeClientDhInnerData({ nonce: base.nonce, serverNonce: base.serverNonce, retryId, gB: bigIntToBytesBE(gB, 256) });
    const encryptedData = sealWithHash(this.#provider, base.key, base.iv, data, (n) => this.#randomBytes(n));
    this.#state = { stage: 'dh-gen', ...base, authKey, auxHash: authKeyAuxHash(this.#provider, authKey), retries };
    return { send: encodeSetClientDhParams({ nonce: base.nonce, serverNonce: base.serverNonce, encryptedData }) };
  }

  // §5.1 step 10: dh_gen_ok / dh_gen_retry / dh_gen_fail, each with its own new_nonce_hashN.
  #onDhGen(state: Extract<State, { stage: 'dh-gen' }>, m: DhGenAnswer): ClientHandshakeStep {
    this.#checkNonces(state, m, m._);
    const n = m._ === 'dh_gen_ok' ? 1 : m._ === 'dh_gen_retry' ? 2 : 3;
    if (!ctEqual(m.newNonceHash, newNonceHash(this.#provider, state.newNonce, n, state.auxHash))) fail('handshake-bad-hash', `${m._}: new_nonce_hash${n} mismatch`);
    if (m._ === 'dh_gen_fail') fail('handshake-dh-gen-fail', 'the server answered dh_gen_fail');
    if (m._ === 'dh_gen_retry') {
      if (state.retries >= this.#maxRetries) fail('handshake-too-many-retries', `more than ${this.#maxRetries} dh_gen_retry answers`);
      const { stage: _s, authKey: _k, auxHash, retries, ...base } = state;
      return this.#sendClientDh(base, int64FromBytesLE(auxHash), retries + 1);
    }
    this.#state = { stage: 'done' };
    const temp = this.#expiresIn !== undefined;
    const done: AuthKeyResult = {
      authKey: state.authKey,
      authKeyId: authKeyId(this.#provider, state.authKey),
      serverSalt: initialServerSalt(state.newNonce, state.serverNonce),
      timeOffset: state.timeOffset,
      temp,
      ...(temp && { expiresAt: Math.floor(this.#now()) + state.timeOffset + this.#expiresIn!, expiresIn: this.#expiresIn }),
      ...(this.#dc !== undefined && { dc: this.#dc }),
    };
    return { done };
  }
}
