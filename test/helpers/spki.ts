// DER SubjectPublicKeyInfo for a P-256 SEC1 point (RFC 5480 §2: id-ecPublicKey with the prime256v1
// named curve), written out byte by byte as an independent encoder for the tests of
// p256.ecdh(…, { format: 'spki' }). The library's strict reader is bindings/p256.ts; Wycheproof's
// ecdh_secp256r1 vectors go to it unparsed.

const ALGORITHM = [
  0x30, 0x13,
  0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,         // 1.2.840.10045.2.1 id-ecPublicKey
  0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,   // 1.2.840.10045.3.1.7 prime256v1
];

/** SEQUENCE { AlgorithmIdentifier, BIT STRING (no unused bits) point } for a point of up to 65 bytes. */
export function spkiFromPoint(point: Uint8Array): Uint8Array {
  const bits = [0x03, point.length + 1, 0x00, ...point];
  const body = [...ALGORITHM, ...bits];
  return Uint8Array.from([0x30, body.length, ...body]);
}
