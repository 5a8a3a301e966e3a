// CRC-32 as zlib, PNG and Ethernet compute it (IEEE 802.3: reflected polynomial 0xedb88320, initial
// value and final XOR 0xffffffff), for the full transport's trailer (spec §8.4). Table-driven, one
// byte per step: the frames it covers are already in memory and a CRC is not a secret, so neither
// speed tricks (slicing-by-8) nor constant time are worth their code here.

const TABLE = /* @__PURE__ */ (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * The CRC-32 of `data`, continuing from `previous` (the CRC of the bytes before it; 0 to start), so
 * `crc32(b, crc32(a)) === crc32(a ‖ b)`. Returns an unsigned 32-bit integer.
 */
export function crc32(data: Uint8Array, previous = 0): number {
  let c = ~previous;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
