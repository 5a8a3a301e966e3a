// Diffie–Hellman parameter checks of the handshake (§5.3, auth_key.html and security_guidelines):
//   dh_prime: a safe 2048-bit prime (p and (p − 1)/2 prime, 2^2047 < p < 2^2048);
//   g ∈ {2 … 7} generating the subgroup of order (p − 1)/2, i.e. a quadratic residue, which reduces
//     to a condition on p mod 4g;
//   g_a, g_b: 1 < x < p − 1, and (recommended, enforced here) 2^(2048−64) < x < p − 2^(2048−64).
//
// Primality is Miller–Rabin with random bases (a crafted composite cannot pass fixed bases it was
// built against). Telegram's current prime is known and skips the test; other accepted (p, g)
// pairs are cached, as the documentation suggests. BigInt modPow is not constant time: see bigint.ts.

import { MtprotoError } from '../errors.js';
import { bigIntFromBytesBE, millerRabin, modPow } from './bigint.js';

/** Telegram's 2048-bit safe prime (auth_key.html, samples-auth_key.html), used with g = 3. */
export const KNOWN_DH_PRIME = BigInt(
  '0xc71caeb9c6b1c9048e6c522f70f13f73980d40238e3e21c14934d037563d930f48198a0aa7c14058229493d22530f4db' +
    'fa336f6e0ac925139543aed44cce7c3720fd51f69458705ac68cd4fe6b6b13abdc9746512969328454f18faf8c595f64' +
    '2477fe96bb2a941d5bcd1d4ac8cc49880708fa9b378e3c4f3a9060bee67cf9a4a4a695811051907e162753b56b0f6b41' +
    '0dba74d8a84b2a14b3144e0ef1284754fd17ed950d5965b4b9dd46582db1178d169c6bc465b0d6ff9ca3928fef5b9ae4' +
    'e418fc15e83ebea0f87fa9ff5eed70050ded2849f47bf959d956850ce929851f0d8115f635b105ee2e4e15d04b2454bf' +
    '6f4fadf034b10403119cd8e3b92fcc5b',
);
/** The generator Telegram pairs with KNOWN_DH_PRIME (p mod 3 = 2, so 3 is a quadratic residue). */
export const KNOWN_DH_G = 3;

export const MILLER_RABIN_ROUNDS = 20;

const LOW = 1n << 2047n;
const HIGH = 1n << 2048n;
const MARGIN = 1n << (2048n - 64n);
const SMALL_PRIMES: bigint[] = [];
for (let n = 3; SMALL_PRIMES.length < 200; n += 2) if (SMALL_PRIMES.every((p) => n % Number(p) !== 0)) SMALL_PRIMES.push(BigInt(n));

const verified = new Set<string>();
const VERIFIED_LIMIT = 16;

function randomBelow(limit: bigint, random: (length: number) => Uint8Array): bigint {
  const bytes = Math.ceil(limit.toString(16).length / 2) + 8; // 64 extra bits make the bias negligible
  return bigIntFromBytesBE(random(bytes)) % limit;
}

/** Miller–Rabin with `rounds` random bases in [2, n − 2], after trial division by small primes. */
export function isProbablePrime(n: bigint, rounds: number, random: (length: number) => Uint8Array): boolean {
  if (n < 2n) return false;
  if (n < 4n) return true;
  if ((n & 1n) === 0n) return false;
  for (const p of SMALL_PRIMES) if (n % p === 0n) return n === p;
  return millerRabin(n, randomBases(n, rounds, random));
}

function* randomBases(n: bigint, rounds: number, random: (length: number) => Uint8Array): Generator<bigint> {
  for (let round = 0; round < rounds; round++) yield 2n + randomBelow(n - 3n, random);
}

/** Whether g generates the subgroup of order (p − 1)/2 for a safe prime p (the table of §5.3). */
function generatorCondition(p: bigint, g: number): boolean {
  switch (g) {
    case 2: return p % 8n === 7n;
    case 3: return p % 3n === 2n;
    case 4: return true;
    case 5: { const r = p % 5n; return r === 1n || r === 4n; }
    case 6: { const r = p % 24n; return r === 19n || r === 23n; }
    case 7: { const r = p % 7n; return r === 3n || r === 5n || r === 6n; }
    default: return false;
  }
}

/**
 * Checks (dh_prime, g) as a client must before using them: MtprotoError 'dh-bad-prime' or
 * 'dh-bad-g'. Up to 2 × MILLER_RABIN_ROUNDS 2048-bit exponentiations for a prime seen the first
 * time; free for the known prime and for pairs accepted before.
 */
export function checkDhParams(p: bigint, g: number, random: (length: number) => Uint8Array): void {
  if (!(p > LOW && p < HIGH)) throw new MtprotoError('dh-bad-prime', 'dh_prime is not a 2048-bit number');
  if (!Number.isInteger(g) || g < 2 || g > 7) throw new MtprotoError('dh-bad-g', `g = ${g} is not in 2..7`);
  if (!generatorCondition(p, g)) throw new MtprotoError('dh-bad-g', `g = ${g} does not generate the prime-order subgroup for this dh_prime`);
  if (p === KNOWN_DH_PRIME) return;
  const id = `${g}:${p.toString(16)}`;
  if (verified.has(id)) return;
  // (p − 1)/2 first: a prime p that is not safe then fails on its first round.
  if (!isProbablePrime((p - 1n) >> 1n, MILLER_RABIN_ROUNDS, random) || !isProbablePrime(p, MILLER_RABIN_ROUNDS, random)) {
    throw new MtprotoError('dh-bad-prime', 'dh_prime is not a safe prime');
  }
  if (verified.size >= VERIFIED_LIMIT) verified.clear();
  verified.add(id);
}

/**
 * Checks a DH public value (g_a or g_b) against p: 1 < x < p − 1 and 2^(2048−64) < x < p − 2^(2048−64)
 * (the second implies the first). Throws MtprotoError(code).
 */
export function checkDhPublic(x: bigint, p: bigint, code: 'dh-bad-g-a' | 'dh-bad-g-b'): void {
  if (!(x > MARGIN && x < p - MARGIN)) throw new MtprotoError(code, `${code === 'dh-bad-g-a' ? 'g_a' : 'g_b'} is outside (2^1984, dh_prime − 2^1984)`);
}

/** Draws after which a random 2048-bit exponent giving an out-of-range public value means a broken random source. */
const MAX_EXPONENT_DRAWS = 16;

/**
 * A fresh exponent x (2048 random bits, §5.1 step 9) and g^x mod p, redrawn until g^x passes
 * checkDhPublic (a failure has probability about 2^-63 per draw).
 */
export function generateDhKeyPair(p: bigint, g: number, random: (length: number) => Uint8Array): { x: bigint; gx: bigint } {
  for (let i = 0; i < MAX_EXPONENT_DRAWS; i++) {
    const x = bigIntFromBytesBE(random(256));
    const gx = modPow(BigInt(g), x, p);
    if (gx > MARGIN && gx < p - MARGIN) return { x, gx };
  }
  throw new Error('generateDhKeyPair: no exponent gave a public value in range; is the random source broken?');
}
