// DER (X.690 §10, distinguished encoding only) for what the EC code exchanges: the SEC1 point inside
// a P-256 SubjectPublicKeyInfo and ECDSA-Sig-Value <-> raw r ‖ s. Used by p256.ts and by protocols
// whose wire format carries DER signatures (mmtls' CertificateVerify). Everything is read strictly:
// minimal lengths and integers, no trailing bytes; a deviation gives null, never a partial value.

/** One TLV of a private copy of DER bytes, read strictly; throws on any deviation. */
class DerReader {
  constructor(readonly b: Uint8Array, public pos = 0, readonly end = b.length) {}

  /** The contents of the next TLV, which must have tag `tag`. */
  next(tag: number): DerReader {
    const b = this.b;
    if (this.pos + 2 > this.end || b[this.pos] !== tag) throw new Error('tag');
    let len = b[this.pos + 1];
    let p = this.pos + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      // definite, minimal long form: 1 or 2 length bytes, no leading zero, only for lengths ≥ 128
      if (n === 0 || n > 2 || p + n > this.end || b[p] === 0) throw new Error('length');
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + b[p + i];
      if (len < 0x80) throw new Error('length');
      p += n;
    }
    if (len > this.end - p) throw new Error('length');
    this.pos = p + len;
    return new DerReader(b, p, p + len);
  }

  bytes(): Uint8Array {
    return this.b.subarray(this.pos, this.end);
  }

  done(): void {
    if (this.pos !== this.end) throw new Error('trailing');
  }
}

const OID_EC_PUBLIC_KEY = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];             // 1.2.840.10045.2.1
const OID_PRIME256V1 = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];          // 1.2.840.10045.3.1.7

const equalBytes = (a: Uint8Array, b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * The SEC1 point inside a DER SubjectPublicKeyInfo (RFC 5480 §2): SEQUENCE { SEQUENCE { OID
 * id-ecPublicKey, OID prime256v1 }, BIT STRING with no unused bits }; null for anything else
 * (another algorithm or curve, explicit curve parameters, BER forms, trailing bytes).
 */
export function pointFromSpki(der: Uint8Array): Uint8Array | null {
  try {
    const top = new DerReader(der);
    const spki = top.next(0x30);
    top.done();
    const algorithm = spki.next(0x30);
    if (!equalBytes(algorithm.next(0x06).bytes(), OID_EC_PUBLIC_KEY)) return null;
    if (!equalBytes(algorithm.next(0x06).bytes(), OID_PRIME256V1)) return null;
    algorithm.done();
    const bits = spki.next(0x03).bytes();
    spki.done();
    if (bits.length < 1 || bits[0] !== 0) return null;
    return bits.subarray(1);
  } catch {
    return null;
  }
}

/** A DER INTEGER's content as 32 big-endian bytes, or null if not a minimal positive integer below 2^256. */
function derUint256(content: Uint8Array): Uint8Array | null {
  if (content.length === 0 || content[0] & 0x80) return null;                       // empty or negative
  if (content.length > 1 && content[0] === 0 && !(content[1] & 0x80)) return null;  // not minimal
  const digits = content[0] === 0 ? content.subarray(1) : content;
  if (digits.length > 32) return null;
  const out = new Uint8Array(32);
  out.set(digits, 32 - digits.length);
  return out;
}

/** r ‖ s (64 bytes) from a DER ECDSA-Sig-Value (SEQUENCE { INTEGER r, INTEGER s }), or null. */
export function rawFromDer(der: Uint8Array): Uint8Array | null {
  try {
    const top = new DerReader(der);
    const seq = top.next(0x30);
    top.done();
    const r = derUint256(seq.next(0x02).bytes());
    const s = derUint256(seq.next(0x02).bytes());
    seq.done();
    if (r === null || s === null) return null;
    const out = new Uint8Array(64);
    out.set(r);
    out.set(s, 32);
    return out;
  } catch {
    return null;
  }
}

/** DER ECDSA-Sig-Value of r ‖ s. */
export function derFromRaw(raw: Uint8Array): Uint8Array {
  const integer = (v: Uint8Array): number[] => {
    let i = 0;
    while (i < v.length - 1 && v[i] === 0) i++;
    const digits = [...v.subarray(i)];
    if (digits[0] & 0x80) digits.unshift(0);
    return [0x02, digits.length, ...digits];
  };
  const body = [...integer(raw.subarray(0, 32)), ...integer(raw.subarray(32))];
  return Uint8Array.from([0x30, body.length, ...body]);
}
