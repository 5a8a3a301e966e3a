// Randomness for key generation, nonces and batch verification: the platform CSPRNG
// (crypto.getRandomValues, global in Node ≥ 19 and every browser), in 64 KiB calls, its limit.
// Small requests (an MLS reuse guard, a nonce) are served from a 4 KiB pool refilled from the CSPRNG:
// one getRandomValues call costs about as much as drawing a kilobyte, and MLS asks for 4 bytes per
// message. Bytes handed out are zeroed in the pool, so it never holds a value someone already has.

const POOL_SIZE = 4096;
const SMALL = 256;
const pool = new Uint8Array(POOL_SIZE);
let used = POOL_SIZE; // empty: the first small request fills it

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  if (n <= SMALL) {
    if (used + n > POOL_SIZE) {
      crypto.getRandomValues(pool);
      used = 0;
    }
    out.set(pool.subarray(used, used + n));
    pool.fill(0, used, used + n);
    used += n;
    return out;
  }
  for (let off = 0; off < n; off += 65536) crypto.getRandomValues(out.subarray(off, Math.min(n, off + 65536)));
  return out;
}
