// A strict DER reader for one shape only: a P-256 SubjectPublicKeyInfo with the named-curve
// parameter (RFC 5480 §2), as Wycheproof's ecdh_secp256r1 file encodes its public keys. Returns the
// SEC1 point, or null for anything else (other curves, explicit parameters, any BER laxity). The
// library itself takes raw SEC1 points; this only unwraps the vectors.

const EC_PUBLIC_KEY = '2a8648ce3d0201';
const PRIME256V1 = '2a8648ce3d030107';

class Reader {
  constructor(readonly b: Uint8Array, public pos = 0, readonly end = b.length) {}

  /** One TLV with the expected tag; returns a reader over its contents. */
  tlv(tag: number): Reader {
    if (this.pos + 2 > this.end || this.b[this.pos] !== tag) throw new Error('tag');
    let len = this.b[this.pos + 1];
    let p = this.pos + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 2 || p + n > this.end || this.b[p] === 0) throw new Error('length');
      len = 0;
      for (let i = 0; i < n; i++) len = (len << 8) | this.b[p + i];
      if (len < 0x80) throw new Error('non-minimal length');
      p += n;
    }
    if (p + len > this.end) throw new Error('overrun');
    this.pos = p + len;
    return new Reader(this.b, p, p + len);
  }

  rest(): Uint8Array {
    return this.b.subarray(this.pos, this.end);
  }

  done(): void {
    if (this.pos !== this.end) throw new Error('trailing bytes');
  }
}

const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

export function p256PointFromSpki(der: Uint8Array): Uint8Array | null {
  try {
    const top = new Reader(der);
    const spki = top.tlv(0x30);
    top.done();
    const algorithm = spki.tlv(0x30);
    if (hexOf(algorithm.tlv(0x06).rest()) !== EC_PUBLIC_KEY) return null;
    if (hexOf(algorithm.tlv(0x06).rest()) !== PRIME256V1) return null;
    algorithm.done();
    const bits = spki.tlv(0x03).rest();
    spki.done();
    if (bits[0] !== 0) return null;
    return bits.subarray(1);
  } catch {
    return null;
  }
}
