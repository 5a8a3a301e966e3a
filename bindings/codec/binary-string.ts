// Bytes as a "binary string": one UTF-16 code unit (0..255) per byte. It is what btoa encodes, and a
// Map key for byte strings (public keys, encoded ids) that compares by content.

// String.fromCharCode takes the bytes as arguments, and engines limit how many one call may pass.
const SLICE = 0x8000;

export function binaryString(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += SLICE) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + SLICE) as unknown as number[]);
  }
  return s;
}

/** Standard base64 with padding (RFC 4648 §4). */
export function toBase64(bytes: Uint8Array): string {
  return btoa(binaryString(bytes));
}
