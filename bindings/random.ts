// Randomness for key generation, nonces and batch verification: the platform CSPRNG
// (crypto.getRandomValues, global in Node ≥ 19 and every browser), in 64 KiB calls, its limit.
//
// Not /dev/urandom, although Node's first getRandomValues loads WebCrypto (≈ 5 ms in a fresh
// process): on Linux the device does not wait for the kernel's generator to be seeded, while Node's
// getRandomValues is OpenSSL's generator, seeded by a getrandom() that waits. Tried and reverted on
// 2026-12-02; docs/engine.md, Cold start.
//
// Small requests (an MLS reuse guard, a nonce) are served from a 4 KiB pool refilled from the CSPRNG:
// one getRandomValues call costs about as much as drawing a kilobyte, and MLS asks for 4 bytes per
// message. Bytes handed out are zeroed in the pool, so it never holds a value someone already has.
// (A process image saved with `node --build-snapshot` after a draw carries the pool: draw no
// randomness while building a startup snapshot.)

/** Fills `out` from crypto.getRandomValues in 65,536-byte steps. */
export function fillRandom(out: Uint8Array): void {
  for (let off = 0; off < out.length; off += 65536) {
    crypto.getRandomValues(out.subarray(off, Math.min(out.length, off + 65536)) as Uint8Array<ArrayBuffer>);
  }
}

const POOL_SIZE = 4096;
const SMALL = 256;
const pool = new Uint8Array(POOL_SIZE);
let used = POOL_SIZE; // empty: the first small request fills it

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  if (n <= SMALL) {
    if (used + n > POOL_SIZE) {
      fillRandom(pool);
      used = 0;
    }
    out.set(pool.subarray(used, used + n));
    pool.fill(0, used, used + n);
    used += n;
    return out;
  }
  fillRandom(out);
  return out;
}

/** For tests: a copy of the pool and how much of it is used. */
export function poolState(): { pool: Uint8Array; used: number } {
  return { pool: pool.slice(), used };
}
