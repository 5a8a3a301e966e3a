// TDLib's test-data generator (tdutils/test/crypto.cpp): seed = length, then for every byte
// seed = seed * 123457567 + 987651241 (mod 2^32) and byte = (seed >> 23) & 255. And zlib's CRC-32.

export function tdlibBytes(seedLength: number, counts: number[]): Uint8Array[] {
  let seed = seedLength >>> 0;
  return counts.map((n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      seed = (Math.imul(seed, 123457567) + 987651241) >>> 0;
      out[i] = (seed >>> 23) & 255;
    }
    return out;
  });
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
