// Big-integer helpers for the handshake (§5): byte strings ↔ BigInt in both byte orders, and
// modular exponentiation for RSA and Diffie–Hellman.
//
// NOT CONSTANT TIME. JavaScript's BigInt has no constant-time arithmetic: multiplication, division
// and therefore modPow take time that depends on the operand values, and modPow's window lookups
// depend on the exponent's bits. The DH exponents (a on the server, b on the client) and the
// server's RSA private exponent therefore pass through timing-variable code in this layer. Every
// JavaScript MTProto peer (mtcute, GramJS) has the same exposure; the secrets that matter after the
// handshake (the auth key and everything derived from it) only meet the engine's constant-time
// primitives. Hash comparisons of this layer are constant time (crypto/compare.ts).

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hexOf(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}

/** The unsigned big-endian integer a byte string holds (empty → 0n). */
export function bigIntFromBytesBE(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + hexOf(bytes));
}

/** The unsigned little-endian integer a byte string holds (empty → 0n). */
export function bigIntFromBytesLE(bytes: Uint8Array): bigint {
  return bigIntFromBytesBE(bytes.slice().reverse());
}

/** A TL `long` (signed 64-bit) from its 8 little-endian wire bytes. */
export function int64FromBytesLE(bytes: Uint8Array): bigint {
  if (bytes.length !== 8) throw new RangeError(`int64FromBytesLE: need 8 bytes, got ${bytes.length}`);
  return BigInt.asIntN(64, bigIntFromBytesLE(bytes));
}

/** The number of significant bits of a non-negative integer (0n → 0). */
export function bitLength(n: bigint): number {
  if (n < 0n) throw new RangeError('bitLength: negative value');
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * Big-endian bytes of a non-negative integer: exactly `length` bytes, left-padded with zeros, when
 * `length` is given (RangeError if the value does not fit); otherwise the minimal encoding (at
 * least one byte, so 0n → [0]).
 */
export function bigIntToBytesBE(value: bigint, length?: number): Uint8Array {
  if (value < 0n) throw new RangeError('bigIntToBytesBE: negative value');
  let hex = value.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const minimal = hex.length / 2;
  const n = length ?? minimal;
  if (minimal > n) throw new RangeError(`bigIntToBytesBE: value needs ${minimal} bytes, more than ${n}`);
  const out = new Uint8Array(n);
  for (let i = 0, at = n - minimal; i < minimal; i++) out[at + i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Little-endian bytes of a non-negative integer, exactly `length` bytes. */
export function bigIntToBytesLE(value: bigint, length: number): Uint8Array {
  return bigIntToBytesBE(value, length).reverse();
}

/**
 * base^exp mod m for m > 1 and exp ≥ 0, with a fixed 4-bit window (one multiply per hex digit of
 * the exponent, about a third faster than square-and-multiply on 2048-bit numbers). Not constant
 * time: see the note at the top of this file.
 */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  if (m <= 1n) throw new RangeError('modPow: modulus must be > 1');
  if (exp < 0n) throw new RangeError('modPow: negative exponent');
  const b = ((base % m) + m) % m;
  const table: bigint[] = [1n, b];
  for (let i = 2; i < 16; i++) table.push((table[i - 1] * b) % m);
  let r = 1n;
  for (const digit of exp.toString(16)) {
    r = (r * r) % m;
    r = (r * r) % m;
    r = (r * r) % m;
    r = (r * r) % m;
    const d = parseInt(digit, 16);
    if (d !== 0) r = (r * table[d]) % m;
  }
  return r;
}

/** The inverse of a modulo m (gcd(a, m) must be 1), by the extended Euclidean algorithm. */
export function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new RangeError('modInverse: not invertible');
  return ((oldS % m) + m) % m;
}

export function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/**
 * Whether odd n > 3 is a strong probable prime to every base in `bases` (Miller–Rabin; each base in
 * [2, n − 2]). Not constant time: used on public numbers only (pq, dh_prime).
 */
export function millerRabin(n: bigint, bases: Iterable<bigint>): boolean {
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  witness: for (const a of bases) {
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let i = 1; i < s; i++) {
      x = (x * x) % n;
      if (x === n - 1n) continue witness;
    }
    return false;
  }
  return true;
}
