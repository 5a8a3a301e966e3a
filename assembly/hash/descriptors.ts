// Hash descriptors: zero-size classes whose methods the generic code in md.ts, hmac.ts and hkdf.ts
// calls through `changetype<H>(0)`. AssemblyScript specialises each generic per descriptor and
// inlines the calls, so this costs nothing at run time (checked in the .wat) and keeps the
// streaming, HMAC and HKDF logic in one place instead of three copies.

import { sha1Compress, sha1InitState, sha1WriteDigest } from './sha1';
import { sha256Compress, sha256InitState, sha256WriteDigest } from './sha256';
import { sha512Compress, sha512InitState, sha512WipeScratch, sha512WriteDigest } from './sha512';

@final export class Sha1 {
  @inline get blockLen(): usize { return 64; }
  @inline get digestLen(): usize { return 20; }
  /** Bytes of the big-endian bit-length field in the final block (§5.1.1). */
  @inline get lengthLen(): usize { return 8; }
  @inline initState(state: usize): void { sha1InitState(state); }
  @inline compress(state: usize, data: usize, blocks: usize): void { sha1Compress(state, data, blocks); }
  @inline writeDigest(state: usize, out: usize): void { sha1WriteDigest(state, out); }
  /** Zeroes the compression's memory scratch; SHA-1 keeps its schedule in locals and has none. */
  @inline wipeScratch(): void {}
}

@final export class Sha256 {
  @inline get blockLen(): usize { return 64; }
  @inline get digestLen(): usize { return 32; }
  @inline get lengthLen(): usize { return 8; }
  @inline initState(state: usize): void { sha256InitState(state); }
  @inline compress(state: usize, data: usize, blocks: usize): void { sha256Compress(state, data, blocks); }
  @inline writeDigest(state: usize, out: usize): void { sha256WriteDigest(state, out); }
  /** SHA-256 also keeps its schedule in locals (sha256_block.ts). */
  @inline wipeScratch(): void {}
}

@final export class Sha512 {
  @inline get blockLen(): usize { return 128; }
  @inline get digestLen(): usize { return 64; }
  @inline get lengthLen(): usize { return 16; }
  @inline initState(state: usize): void { sha512InitState(state); }
  @inline compress(state: usize, data: usize, blocks: usize): void { sha512Compress(state, data, blocks); }
  @inline writeDigest(state: usize, out: usize): void { sha512WriteDigest(state, out); }
  @inline wipeScratch(): void { sha512WipeScratch(); }
}

@inline export function hashOf<H>(): H {
  return changetype<H>(0);
}
