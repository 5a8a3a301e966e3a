// Randomness for key generation and batch verification: the platform CSPRNG
// (crypto.getRandomValues, global in Node ≥ 19 and every browser), in 64 KiB calls, its limit.

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += 65536) crypto.getRandomValues(out.subarray(off, Math.min(n, off + 65536)));
  return out;
}
