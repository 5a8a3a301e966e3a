// The server side of auth-key creation (§5.1, §6), sans-IO: receive(body) takes each client
// message body and returns the body to answer with and, when a key is made, `done`.
//
// Checks on what the client sends: nonce and server_nonce in every message and inside the
// encrypted inner data; p and q (and pq inside) exactly as this server issued them; a known key
// fingerprint; RSA_PAD decryption with its SHA-256 check (constant-time compare), or the legacy
// SHA-1 scheme GramJS still uses (acceptLegacyRsa); the inner data's size, form and dc; the
// client_DH_inner_data SHA-1 and padding; retry_id; g_b of any length up to 256 bytes within
// (2^(2048−64), dh_prime − 2^(2048−64)). A message failing any check throws (MtprotoError or
// TlError) and leaves the state exactly as it was, so a later correct message still completes the
// handshake; the caller decides whether to answer −404 and close.
//
// Lost answers (auth_key.html, "Error handling"): a byte-identical re-sent req_pq_multi,
// req_DH_params or set_client_DH_params gets the same answer again. A new req_pq_multi starts a new
// handshake at any point (after −404 the client restarts from step 1; mtcute also creates its
// temporary key on the connection that made the permanent one).
//
// Not constant time: the RSA private exponent and the DH exponent a go through BigInt modPow
// (see bigint.ts).

import { bytes as checkBytes, integer } from '../../errors.js';
import type { CryptoProvider } from '../../provider/types.js';
import { MtprotoError, TlError } from '../errors.js';
import { TlReader } from '../tl/reader.js';
import { bigIntFromBytesBE, bigIntFromBytesLE, bigIntToBytesBE, int64FromBytesLE, modPow } from './bigint.js';
import { ctEqual } from '../../compare.js';
import { KNOWN_DH_G, KNOWN_DH_PRIME, checkDhParams, checkDhPublic, generateDhKeyPair } from './dh.js';
import { isPrime64 } from './factor.js';
import { openWithHash, sealWithHash } from './hashed-data.js';
import { authKeyAuxHash, authKeyId, initialServerSalt, newNonceHash } from './key-hashes.js';
import {
  type PqInnerData,
  type ReqDhParams,
  type ReqPq,
  type SetClientDhParams,
  decodeClientMessage,
  encodeDhGenAnswer,
  encodeResPq,
  encodeServerDhInnerData,
  encodeServerDhParamsOk,
  readClientDhInnerData,
  readPqInnerData,
} from './messages.js';
import { type RsaPrivateKey, parseRsaPrivateKey } from './rsa.js';
import { RSA_PAD_MAX_DATA, rsaDecryptRaw, rsaLegacyUnwrap, rsaPadUnwrap } from './rsa-pad.js';
import { handshakeKeyIv } from '../crypto/kdf.js';
import { type AuthKeyResult, type Clock, type RandomSource, systemClock } from './types.js';

export interface ServerHandshakeOptions {
  /** The server's key or keys (parsed, or PEM: PKCS#1 or PKCS#8); every fingerprint is listed in resPQ. */
  readonly rsaPrivateKey: RsaPrivateKey | string | readonly (RsaPrivateKey | string)[];
  /** dh_prime (big-endian bytes or a bigint) and g; default Telegram's prime with g = 3. Checked like a client would. */
  readonly dhPrime?: bigint | Uint8Array;
  readonly g?: number;
  readonly now?: Clock;
  readonly random?: RandomSource;
  /** Whether an auth_key_id is already in use; a collision is answered with dh_gen_retry (§5.1 step 8). */
  readonly isAuthKeyIdTaken?: (authKeyId: Uint8Array) => boolean;
  /** Whether to accept the dc of p_q_inner_data_dc / _temp_dc (default: any). Refused → 'handshake-wrong-dc' (answer −444). */
  readonly acceptDc?: (dc: number) => boolean;
  /** Accept the legacy RSA encryption (SHA1(data) ‖ data ‖ padding) that GramJS sends (default true). */
  readonly acceptLegacyRsa?: boolean;
  /** Collisions answered with dh_gen_retry before dh_gen_fail (default 5). */
  readonly maxRetries?: number;
}

export interface ServerHandshakeStep {
  /** The body to answer with. */
  readonly send: Uint8Array;
  /** The new key, when this answer is dh_gen_ok. */
  readonly done?: AuthKeyResult;
}

interface Issued {
  readonly nonce: Uint8Array;
  readonly serverNonce: Uint8Array;
  readonly pq: Uint8Array;
  readonly p: Uint8Array;
  readonly q: Uint8Array;
}

interface Negotiating extends Issued {
  readonly newNonce: Uint8Array;
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
  readonly a: bigint;
  readonly temp: boolean;
  readonly expiresIn?: number;
  readonly dc?: number;
  readonly retryId: bigint;
  readonly retries: number;
}

/** A request and the answer it got, for byte-identical re-sends. */
interface Answered {
  readonly request: Uint8Array;
  readonly response: Uint8Array;
}

type State =
  | { readonly stage: 'idle'; readonly answered: readonly Answered[] }
  | { readonly stage: 'res-pq'; readonly issued: Issued; readonly answered: readonly Answered[] }
  | { readonly stage: 'dh-params'; readonly session: Negotiating; readonly answered: readonly Answered[] };

const DEFAULT_MAX_RETRIES = 5;
const PQ_FACTOR_LOW = 1n << 30n;

function fail(code: string, message: string): never {
  throw new MtprotoError(code, message);
}

export class ServerHandshake {
  readonly #provider: CryptoProvider;
  readonly #keys: readonly RsaPrivateKey[];
  readonly #dhPrime: bigint;
  readonly #dhPrimeBytes: Uint8Array;
  readonly #g: number;
  readonly #now: Clock;
  readonly #random: RandomSource;
  readonly #isTaken: (authKeyId: Uint8Array) => boolean;
  readonly #acceptDc: (dc: number) => boolean;
  readonly #acceptLegacy: boolean;
  readonly #maxRetries: number;
  #state: State = { stage: 'idle', answered: [] };

  constructor(provider: CryptoProvider, options: ServerHandshakeOptions) {
    this.#provider = provider;
    const keys = Array.isArray(options?.rsaPrivateKey) ? options.rsaPrivateKey : [options?.rsaPrivateKey];
    if (keys.length === 0 || keys.some((k) => k === undefined || k === null)) throw new TypeError('ServerHandshake: rsaPrivateKey is required');
    this.#keys = keys.map((k: RsaPrivateKey | string) => (typeof k === 'string' ? parseRsaPrivateKey(provider, k) : k));
    const prime = options.dhPrime ?? KNOWN_DH_PRIME;
    this.#dhPrime = typeof prime === 'bigint' ? prime : bigIntFromBytesBE(prime);
    this.#g = options.g ?? KNOWN_DH_G;
    checkDhParams(this.#dhPrime, this.#g, (n) => provider.randomBytes(n));
    this.#dhPrimeBytes = bigIntToBytesBE(this.#dhPrime, 256);
    this.#now = options.now ?? systemClock;
    this.#random = options.random ?? ((n) => provider.randomBytes(n));
    this.#isTaken = options.isAuthKeyIdTaken ?? (() => false);
    this.#acceptDc = options.acceptDc ?? (() => true);
    this.#acceptLegacy = options.acceptLegacyRsa ?? true;
    this.#maxRetries = integer(options.maxRetries ?? DEFAULT_MAX_RETRIES, 0, 1000, 'ServerHandshake', 'maxRetries');
  }

  /** The fingerprints resPQ lists. */
  get fingerprints(): readonly bigint[] {
    return this.#keys.map((k) => k.fingerprint);
  }

  /** 'idle' (nothing in progress, or the last handshake finished), 'res-pq' or 'dh-params'. */
  get stage(): State['stage'] {
    return this.#state.stage;
  }

  /** Answers one client body. Throws without changing any state when a check fails. */
  receive(body: Uint8Array): ServerHandshakeStep {
    checkBytes(body, 'ServerHandshake.receive', 'body');
    const state = this.#state;
    const again = state.answered.find((a) => ctEqual(a.request, body));
    if (again !== undefined) return { send: again.response };
    const message = decodeClientMessage(body);
    switch (message._) {
      case 'req_pq_multi':
      case 'req_pq':
        return this.#onReqPq(body, message);
      case 'req_DH_params':
        if (state.stage !== 'res-pq') break;
        return this.#onReqDhParams(body, state.issued, message);
      case 'set_client_DH_params':
        if (state.stage !== 'dh-params') break;
        return this.#onSetClientDhParams(body, state.session, message);
    }
    fail('handshake-unexpected-message', `${message._} in stage ${state.stage}`);
  }

  #randomBytes(n: number): Uint8Array {
    const out = this.#random(n);
    if (!(out instanceof Uint8Array) || out.length !== n) throw new TypeError(`ServerHandshake: the random source returned ${out?.length} bytes for ${n}`);
    return out;
  }

  /** A random prime in [2^30, 2^31): pq stays below 2^62, like Telegram's. */
  #randomPrime(): bigint {
    for (;;) {
      const candidate = (PQ_FACTOR_LOW + (bigIntFromBytesLE(this.#randomBytes(4)) % PQ_FACTOR_LOW)) | 1n;
      if (isPrime64(candidate)) return candidate;
    }
  }

  // §5.1 steps 1–2.
  #onReqPq(request: Uint8Array, m: ReqPq): ServerHandshakeStep {
    let p = this.#randomPrime();
    let q = this.#randomPrime();
    while (p === q) q = this.#randomPrime();
    if (p > q) [p, q] = [q, p];
    const issued: Issued = {
      nonce: m.nonce,
      serverNonce: this.#randomBytes(16),
      pq: bigIntToBytesBE(p * q),
      p: bigIntToBytesBE(p),
      q: bigIntToBytesBE(q),
    };
    const response = encodeResPq({ nonce: m.nonce, serverNonce: issued.serverNonce, pq: issued.pq, fingerprints: this.fingerprints });
    this.#state = { stage: 'res-pq', issued, answered: [{ request, response }] };
    return { send: response };
  }

  #checkNonces(expected: Issued, m: { nonce: Uint8Array; serverNonce: Uint8Array }, what: string): void {
    if (!ctEqual(m.nonce, expected.nonce)) fail('handshake-nonce-mismatch', `${what}: nonce does not match`);
    if (!ctEqual(m.serverNonce, expected.serverNonce)) fail('handshake-nonce-mismatch', `${what}: server_nonce does not match`);
  }

  /** RSA_PAD (or the legacy scheme) → the parsed inner data. */
  #decryptInnerData(key: RsaPrivateKey, encrypted: Uint8Array): PqInnerData {
    const decrypted = rsaDecryptRaw(key, encrypted);
    const padded = rsaPadUnwrap(this.#provider, decrypted);
    const legacy = this.#acceptLegacy ? rsaLegacyUnwrap(this.#provider, decrypted) : null;
    decrypted.fill(0);
    const data = padded ?? legacy;
    if (data === null) fail('rsa-pad-invalid', 'encrypted_data fails the RSA_PAD check');
    const r = new TlReader(data);
    try {
      const inner = readPqInnerData(r);
      if (padded === null) r.end(); // legacy: SHA-1 covered exactly the object
      if (r.offset > RSA_PAD_MAX_DATA) fail('handshake-bad-inner-data', `inner data of ${r.offset} bytes, more than ${RSA_PAD_MAX_DATA}`);
      return inner;
    } catch (error) {
      if (error instanceof TlError) fail('handshake-bad-inner-data', `inner data does not parse: ${error.message}`);
      throw error;
    } finally {
      data.fill(0);
    }
  }

  // §5.1 steps 4–6.
  #onReqDhParams(request: Uint8Array, issued: Issued, m: ReqDhParams): ServerHandshakeStep {
    this.#checkNonces(issued, m, 'req_DH_params');
    if (!ctEqual(m.p, issued.p) || !ctEqual(m.q, issued.q)) fail('handshake-pq-mismatch', 'req_DH_params: p and q are not the factors of the pq sent');
    const key = this.#keys.find((k) => k.fingerprint === m.fingerprint);
    if (key === undefined) fail('rsa-unknown-fingerprint', `req_DH_params: unknown key fingerprint ${m.fingerprint}`);
    const inner = this.#decryptInnerData(key, m.encryptedData);
    this.#checkNonces(issued, inner, inner._);
    if (!ctEqual(inner.pq, issued.pq) || !ctEqual(inner.p, issued.p) || !ctEqual(inner.q, issued.q)) fail('handshake-pq-mismatch', `${inner._}: pq, p, q do not match`);
    if (inner.dc !== undefined && !this.#acceptDc(inner.dc)) fail('handshake-wrong-dc', `${inner._}: dc ${inner.dc} is not served here`);
    const temp = inner.expiresIn !== undefined;
    if (temp && inner.expiresIn! <= 0) fail('handshake-bad-inner-data', `${inner._}: expires_in ${inner.expiresIn} is not positive`);

    const { x: a, gx: gA } = generateDhKeyPair(this.#dhPrime, this.#g, (n) => this.#randomBytes(n));
    const { key: aesKey, iv } = handshakeKeyIv(this.#provider, issued.serverNonce, inner.newNonce);
    const answer = encodeServerDhInnerData({
      nonce: issued.nonce,
      serverNonce: issued.serverNonce,
      g: this.#g,
      dhPrime: this.#dhPrimeBytes,
      gA: bigIntToBytesBE(gA, 256),
      serverTime: Math.floor(this.#now()),
    });
    const encryptedAnswer = sealWithHash(this.#provider, aesKey, iv, answer, (n) => this.#randomBytes(n));
    const response = encodeServerDhParamsOk({ nonce: issued.nonce, serverNonce: issued.serverNonce, encryptedAnswer });
    const session: Negotiating = {
      ...issued,
      newNonce: inner.newNonce,
      key: aesKey,
      iv,
      a,
      temp,
      ...(temp && { expiresIn: inner.expiresIn }),
      ...(inner.dc !== undefined && { dc: inner.dc }),
      retryId: 0n,
      retries: 0,
    };
    this.#state = { stage: 'dh-params', session, answered: [{ request, response }] };
    return { send: response };
  }

  // §5.1 steps 7–10.
  #onSetClientDhParams(request: Uint8Array, s: Negotiating, m: SetClientDhParams): ServerHandshakeStep {
    this.#checkNonces(s, m, 'set_client_DH_params');
    const data = openWithHash(this.#provider, s.key, s.iv, m.encryptedData, readClientDhInnerData, 'client_DH_inner_data');
    this.#checkNonces(s, data, 'client_DH_inner_data');
    if (data.retryId !== s.retryId) fail('handshake-bad-retry-id', `client_DH_inner_data: retry_id ${data.retryId}, expected ${s.retryId}`);
    if (data.gB.length > 256) fail('dh-bad-g-b', `g_b of ${data.gB.length} bytes`);
    const gB = bigIntFromBytesBE(data.gB);
    checkDhPublic(gB, this.#dhPrime, 'dh-bad-g-b');
    const authKey = bigIntToBytesBE(modPow(gB, s.a, this.#dhPrime), 256);
    const id = authKeyId(this.#provider, authKey);
    const auxHash = authKeyAuxHash(this.#provider, authKey);
    const answer = (kind: 'dh_gen_ok' | 'dh_gen_retry' | 'dh_gen_fail', n: 1 | 2 | 3) =>
      encodeDhGenAnswer({ _: kind, nonce: s.nonce, serverNonce: s.serverNonce, newNonceHash: newNonceHash(this.#provider, s.newNonce, n, auxHash) });

    if (this.#isTaken(id)) {
      if (s.retries >= this.#maxRetries) {
        const response = answer('dh_gen_fail', 3);
        this.#state = { stage: 'idle', answered: [{ request, response }] };
        return { send: response };
      }
      const response = answer('dh_gen_retry', 2);
      const retried: Negotiating = { ...s, retryId: int64FromBytesLE(auxHash), retries: s.retries + 1 };
      this.#state = { stage: 'dh-params', session: retried, answered: [...this.#state.answered, { request, response }] };
      return { send: response };
    }

    const response = answer('dh_gen_ok', 1);
    this.#state = { stage: 'idle', answered: [{ request, response }] };
    const now = Math.floor(this.#now());
    const done: AuthKeyResult = {
      authKey,
      authKeyId: id,
      serverSalt: initialServerSalt(s.newNonce, s.serverNonce),
      timeOffset: 0,
      temp: s.temp,
      ...(s.temp && { expiresAt: now + s.expiresIn!, expiresIn: s.expiresIn }),
      ...(s.dc !== undefined && { dc: s.dc }),
    };
    return { send: response, done };
  }
}
