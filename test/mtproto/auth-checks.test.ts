// The handshake's building blocks on their own: pq factorization and its refusals, the 64-bit
// primality test, the DH checks of §5.3 (safe prime by Miller–Rabin, the g table, the g_a/g_b
// margins), the plain-message wrapper of §2.1, strict base64 and DER, and the TL codec of the
// handshake constructors (round trips and refusals).
import { generatePrimeSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  KNOWN_DH_PRIME,
  checkDhParams,
  checkDhPublic,
  decodePlainMessage,
  encodePlainMessage,
  factorPq,
  handshakeMessages as M,
  isPrime64,
  isProbablePrime,
} from '../../bindings/mtproto/auth/index.js';
import { base64Decode } from '../../bindings/mtproto/auth/pem.js';
import { DerReader } from '../../bindings/mtproto/auth/der.js';
import { modPow, bigIntToBytesBE, bigIntFromBytesBE, bigIntFromBytesLE, modInverse } from '../../bindings/mtproto/auth/bigint.js';
import { TlError } from '../../bindings/mtproto/errors.js';
import { TlReader } from '../../bindings/mtproto/tl/reader.js';
import { toHex } from '../helpers/vectors.js';
import { randomBytes } from 'node:crypto';

const random = (n: number) => new Uint8Array(randomBytes(n));
const code = (c: string) => expect.objectContaining({ name: 'MtprotoError', code: c });
const P = KNOWN_DH_PRIME;
const MARGIN = 1n << 1984n;

describe('bigint helpers', () => {
  it('convert both byte orders and exponentiate like plain BigInt arithmetic', () => {
    expect(toHex(bigIntToBytesBE(0x0102n))).toBe('0102');
    expect(toHex(bigIntToBytesBE(0n))).toBe('00');
    expect(toHex(bigIntToBytesBE(0x0102n, 4))).toBe('00000102');
    expect(() => bigIntToBytesBE(0x010203n, 2)).toThrow(RangeError);
    expect(bigIntFromBytesBE(Uint8Array.of(1, 2))).toBe(0x0102n);
    expect(bigIntFromBytesLE(Uint8Array.of(1, 2))).toBe(0x0201n);
    expect(bigIntFromBytesBE(new Uint8Array(0))).toBe(0n);
    const naive = (b: bigint, e: bigint, m: bigint) => {
      let r = 1n;
      for (let i = 0n; i < e; i++) r = (r * b) % m;
      return r;
    };
    for (const [b, e, m] of [[3n, 0n, 7n], [3n, 1n, 7n], [5n, 100n, 1009n], [123456789n, 257n, 1000000007n], [-2n, 5n, 13n]] as const) {
      expect(modPow(b, e, m), `${b}^${e} mod ${m}`).toBe(naive(((b % m) + m) % m, e, m));
    }
    expect((modInverse(17n, 3120n) * 17n) % 3120n).toBe(1n);
  });
});

describe('factorPq and isPrime64', () => {
  it('agree with trial division on small numbers', () => {
    for (let n = 0; n < 2000; n++) {
      let prime = n >= 2;
      for (let d = 2; d * d <= n; d++) if (n % d === 0) prime = false;
      expect(isPrime64(BigInt(n)), String(n)).toBe(prime);
    }
    expect(isPrime64((1n << 61n) - 1n)).toBe(true); // Mersenne prime M61
    expect(isPrime64(3215031751n)).toBe(false); // strong pseudoprime to bases 2, 3, 5, 7
    expect(isPrime64(18446744073709551557n)).toBe(true); // the largest prime below 2^64
  });

  it('splits products of two primes of every size up to 64 bits, factors in order', () => {
    const pairs: Array<[bigint, bigint]> = [[3n, 5n], [2n, 3n], [65521n, 65537n], [4294967291n, 4294967279n], [1000003n, 18446744073709551557n / 1000003n + 0n]];
    for (const [a, b] of pairs.slice(0, 4)) {
      const { p, q } = factorPq(a * b);
      expect([p, q]).toEqual(a < b ? [a, b] : [b, a]);
    }
    // The two 32-bit primes closest to 2^32: the hardest case for rho below 2^64.
    expect(factorPq(4294967291n * 4294967279n)).toEqual({ p: 4294967279n, q: 4294967291n });
  });

  it('refuses primes, squares, and values out of range with handshake-bad-pq', () => {
    for (const pq of [0n, 5n, 4294967291n, 4294967291n * 4294967291n, 1n << 64n, (1n << 70n) + 3n]) {
      expect(() => factorPq(pq), String(pq)).toThrow(code('handshake-bad-pq'));
    }
  });
});

describe('DH checks (§5.3)', () => {
  it('Miller–Rabin accepts the known prime and (p − 1)/2, so checkDhParams would accept it without the shortcut', () => {
    expect(isProbablePrime(P, 20, random)).toBe(true);
    expect(isProbablePrime((P - 1n) >> 1n, 20, random)).toBe(true);
    expect(isProbablePrime(P + 2n, 20, random)).toBe(false);
    expect(isProbablePrime(561n, 20, random)).toBe(false); // Carmichael
  });

  it('refuses a 2048-bit prime that is not safe, a composite, and sizes other than 2048 bits', () => {
    const notSafe = generatePrimeSync(2048, { bigint: true });
    expect(isProbablePrime(notSafe, 20, random)).toBe(true);
    expect(isProbablePrime((notSafe - 1n) >> 1n, 20, random)).toBe(false);
    expect(() => checkDhParams(notSafe, 4, random)).toThrow(code('dh-bad-prime'));
    expect(() => checkDhParams(P - 2n, 4, random)).toThrow(code('dh-bad-prime'));
    expect(() => checkDhParams(P >> 1n, 4, random)).toThrow(code('dh-bad-prime'));
    expect(() => checkDhParams(P << 1n, 4, random)).toThrow(code('dh-bad-prime'));
  });

  it('applies the generator table: for the known prime (≡ 3 mod 8, 2 mod 3, 3 mod 5, 11 mod 24, 6 mod 7) g ∈ {3, 4, 7}', () => {
    expect([P % 8n, P % 3n, P % 5n, P % 24n, P % 7n]).toEqual([3n, 2n, 3n, 11n, 6n]);
    for (const g of [3, 4, 7]) expect(() => checkDhParams(P, g, random), `g = ${g}`).not.toThrow();
    for (const g of [0, 1, 2, 5, 6, 8, 3.5, -3]) expect(() => checkDhParams(P, g, random), `g = ${g}`).toThrow(code('dh-bad-g'));
    // And g really is a quadratic residue exactly when the table says so (Euler's criterion).
    for (const g of [2n, 3n, 5n, 6n, 7n]) expect(modPow(g, (P - 1n) >> 1n, P) === 1n, `g = ${g}`).toBe([3n, 7n].includes(g));
  });

  it('checks g_a / g_b against (2^1984, p − 2^1984), bounds excluded', () => {
    for (const x of [0n, 1n, 2n, MARGIN, P - MARGIN, P - 1n, P, P + 5n]) {
      expect(() => checkDhPublic(x, P, 'dh-bad-g-b'), String(x)).toThrow(code('dh-bad-g-b'));
    }
    expect(() => checkDhPublic(MARGIN + 1n, P, 'dh-bad-g-a')).not.toThrow();
    expect(() => checkDhPublic(P - MARGIN - 1n, P, 'dh-bad-g-a')).not.toThrow();
    expect(() => checkDhPublic(1n, P, 'dh-bad-g-a')).toThrow(code('dh-bad-g-a'));
  });
});

describe('plain messages (§2.1)', () => {
  const body = Uint8Array.from({ length: 20 }, (_, i) => i);
  it('round-trips and checks auth_key_id, msg_id, length', () => {
    const packet = encodePlainMessage(0x65abc0fc000df764n, body);
    expect(toHex(packet.subarray(0, 20))).toBe('000000000000000064f70d00fcc0ab6514000000');
    expect(decodePlainMessage(packet, { from: 'client' })).toEqual({ msgId: 0x65abc0fc000df764n, body });
    expect(() => decodePlainMessage(packet, { from: 'server' })).toThrow(code('plain-bad-msg-id'));
    const server = encodePlainMessage(0x65abc0fc000df765n, body);
    expect(decodePlainMessage(server, { from: 'server' }).msgId).toBe(0x65abc0fc000df765n);
    expect(() => decodePlainMessage(server, { from: 'client' })).toThrow(code('plain-bad-msg-id'));
    const keyed = packet.slice();
    keyed[3] = 1;
    expect(() => decodePlainMessage(keyed)).toThrow(code('plain-bad-auth-key-id'));
    const zeroId = packet.slice();
    zeroId.fill(0, 8, 16);
    expect(() => decodePlainMessage(zeroId)).toThrow(code('plain-bad-msg-id'));
    expect(() => decodePlainMessage(packet.subarray(0, 19))).toThrow(code('plain-bad-length'));
    expect(() => decodePlainMessage(packet.subarray(0, 39))).toThrow(code('plain-bad-length'));
    const padded = Uint8Array.from([...packet, 1, 2, 3, 4, 5]);
    expect(() => decodePlainMessage(padded)).toThrow(code('plain-bad-length'));
    expect(decodePlainMessage(padded, { transportPadding: true }).body).toEqual(body);
    expect(() => decodePlainMessage(Uint8Array.from([...packet, ...new Uint8Array(16)]), { transportPadding: true })).toThrow(code('plain-bad-length'));
    for (const length of [-4, 18, 24, 0x7ffffffc]) {
      const bad = packet.slice();
      new DataView(bad.buffer).setInt32(16, length, true);
      expect(() => decodePlainMessage(bad), String(length)).toThrow(code('plain-bad-length'));
    }
    expect(() => encodePlainMessage(4n, new Uint8Array(3))).toThrow(RangeError);
    expect(() => encodePlainMessage(0n, body)).toThrow(RangeError);
  });
});

describe('strict base64 and DER', () => {
  it('base64: padding and pad bits are checked, whitespace ignored', () => {
    expect([...base64Decode('AA==')]).toEqual([0]);
    expect([...base64Decode(' AA\nAA ')]).toEqual([0, 0, 0]);
    expect([...base64Decode('AQI=')]).toEqual([1, 2]);
    for (const bad of ['AB==', 'AQJ=', 'A=A=', '=AAA', 'AAA', 'AA*A', 'AA=\u00e9']) expect(() => base64Decode(bad), bad).toThrow(code('rsa-bad-key'));
  });

  it('DER: minimal lengths and integers only, no trailing bytes', () => {
    const read = (bytes: number[]) => {
      const r = new DerReader(Uint8Array.from(bytes));
      const seq = r.sequence();
      const v = seq.unsignedInteger();
      seq.end();
      r.end();
      return v;
    };
    expect(read([0x30, 0x03, 0x02, 0x01, 0x05])).toBe(5n);
    expect(read([0x30, 0x04, 0x02, 0x02, 0x00, 0x80])).toBe(128n);
    const refused: Array<[string, number[]]> = [
      ['long form for a short length', [0x30, 0x81, 0x03, 0x02, 0x01, 0x05]],
      ['indefinite length', [0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00]],
      ['leading zero integer', [0x30, 0x04, 0x02, 0x02, 0x00, 0x05]],
      ['negative integer', [0x30, 0x03, 0x02, 0x01, 0x85]],
      ['empty integer', [0x30, 0x02, 0x02, 0x00]],
      ['content past the end', [0x30, 0x05, 0x02, 0x01, 0x05]],
      ['trailing byte', [0x30, 0x03, 0x02, 0x01, 0x05, 0x00]],
      ['trailing element in the sequence', [0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x05]],
      ['wrong tag', [0x31, 0x03, 0x02, 0x01, 0x05]],
    ];
    for (const [name, bytes] of refused) expect(() => read(bytes), name).toThrow(code('rsa-bad-key'));
  });
});

describe('handshake TL constructors', () => {
  const n16 = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
  const s16 = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
  const n32 = Uint8Array.from({ length: 32 }, (_, i) => 0x40 + i);

  it('round-trip through the encoders and decoders', () => {
    const client: M.ClientMessage[] = [
      { _: 'req_pq_multi', nonce: n16 },
      { _: 'req_pq', nonce: n16 },
      { _: 'req_DH_params', nonce: n16, serverNonce: s16, p: Uint8Array.of(1, 2, 3, 4), q: Uint8Array.of(5, 6, 7, 8), fingerprint: -3414540481677951611n, encryptedData: new Uint8Array(256).fill(7) },
      { _: 'set_client_DH_params', nonce: n16, serverNonce: s16, encryptedData: new Uint8Array(336).fill(9) },
    ];
    const encodeClient = (m: M.ClientMessage) =>
      m._ === 'req_DH_params' ? M.encodeReqDhParams(m) : m._ === 'set_client_DH_params' ? M.encodeSetClientDhParams(m) : M.encodeReqPq(m);
    for (const m of client) expect(M.decodeClientMessage(encodeClient(m)), m._).toEqual(m);
    const server: M.ServerMessage[] = [
      { _: 'resPQ', nonce: n16, serverNonce: s16, pq: Uint8Array.of(0x17, 0xed, 0x48, 0x94, 0x1a, 0x08, 0xf9, 0x81), fingerprints: [1n, -2n] },
      { _: 'server_DH_params_ok', nonce: n16, serverNonce: s16, encryptedAnswer: new Uint8Array(592).fill(3) },
      { _: 'server_DH_params_fail', nonce: n16, serverNonce: s16, newNonceHash: s16 },
      { _: 'dh_gen_ok', nonce: n16, serverNonce: s16, newNonceHash: s16 },
      { _: 'dh_gen_retry', nonce: n16, serverNonce: s16, newNonceHash: n16 },
      { _: 'dh_gen_fail', nonce: n16, serverNonce: s16, newNonceHash: n16 },
    ];
    const encodeServer = (m: M.ServerMessage) =>
      m._ === 'resPQ' ? M.encodeResPq(m) : m._ === 'server_DH_params_ok' ? M.encodeServerDhParamsOk(m) : m._ === 'server_DH_params_fail' ? M.encodeServerDhParamsFail(m) : M.encodeDhGenAnswer(m);
    for (const m of server) expect(M.decodeServerMessage(encodeServer(m)), m._).toEqual(m);
    const base = { pq: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), p: Uint8Array.of(1, 2, 3, 4), q: Uint8Array.of(5, 6, 7, 8), nonce: n16, serverNonce: s16, newNonce: n32 };
    const inners: M.PqInnerData[] = [
      { _: 'p_q_inner_data', ...base },
      { _: 'p_q_inner_data_dc', ...base, dc: -10002 },
      { _: 'p_q_inner_data_temp', ...base, expiresIn: 3600 },
      { _: 'p_q_inner_data_temp_dc', ...base, dc: 2, expiresIn: 86400 },
    ];
    for (const m of inners) {
      const bytes = M.encodePqInnerData(m);
      const r = new TlReader(Uint8Array.from([...bytes, 0xff, 0xff]));
      expect(M.readPqInnerData(r), m._).toEqual(m);
      expect(r.offset).toBe(bytes.length);
    }
    expect(() => M.encodePqInnerData({ _: 'p_q_inner_data_dc', ...base })).toThrow(TypeError);
    const sdh = { nonce: n16, serverNonce: s16, g: 3, dhPrime: bigIntToBytesBE(P), gA: new Uint8Array(256).fill(5), serverTime: 1705754877 };
    expect(M.readServerDhInnerData(new TlReader(M.encodeServerDhInnerData(sdh)))).toEqual(sdh);
    const cdh = { nonce: n16, serverNonce: s16, retryId: -5n, gB: new Uint8Array(255).fill(6) };
    expect(M.readClientDhInnerData(new TlReader(M.encodeClientDhInnerData(cdh)))).toEqual(cdh);
  });

  it('refuse unknown constructors, the wrong direction, truncation and trailing bytes with TlError', () => {
    const req = M.encodeReqPq({ nonce: n16 });
    const res = M.encodeResPq({ nonce: n16, serverNonce: s16, pq: Uint8Array.of(1), fingerprints: [1n] });
    expect(() => M.decodeClientMessage(res)).toThrow(TlError);
    expect(() => M.decodeServerMessage(req)).toThrow(TlError);
    expect(() => M.decodeClientMessage(req.subarray(0, 19))).toThrow(TlError);
    expect(() => M.decodeClientMessage(Uint8Array.from([...req, 0, 0, 0, 0]))).toThrow(TlError);
    expect(() => M.decodeServerMessage(new Uint8Array(0))).toThrow(TlError);
    // A resPQ claiming more fingerprints than fit, or more than 64, never allocates them.
    const many = M.encodeResPq({ nonce: n16, serverNonce: s16, pq: Uint8Array.of(1), fingerprints: Array.from({ length: 65 }, (_, i) => BigInt(i)) });
    expect(() => M.decodeServerMessage(many)).toThrow(TlError);
    const lying = res.slice();
    new DataView(lying.buffer).setInt32(res.length - 12, 1 << 30, true);
    expect(() => M.decodeServerMessage(lying)).toThrow(TlError);
    expect(() => M.readPqInnerData(new TlReader(req))).toThrow(TlError);
  });
});
