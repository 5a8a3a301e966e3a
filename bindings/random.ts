// Randomness for key generation, nonces and batch verification: the operating system's CSPRNG.
//
// Where it comes from. In Node on a system with /dev/urandom (Linux, macOS, the BSDs), from that
// device through node:fs; everywhere else (browsers, Windows, a sandbox without /dev or without
// permission to read it) from crypto.getRandomValues. Both are the kernel's CSPRNG, the one
// getRandomValues itself ends in. Why not always getRandomValues: in Node its first call loads the
// WebCrypto layer and, through it, Node's stream modules — 4.7–6.4 ms in a fresh ES-module process
// here, against 0.3 ms to open and read /dev/urandom — and a program's first key pair waited for it.
//
// The device is opened, checked to be a character device and closed on every read (about 10 µs):
// a descriptor kept open could be closed by other code and its number reused for an ordinary file,
// whose bytes would then be read as randomness (OpenSSL re-checks its kept descriptor for the same
// reason). If the device fails, the bytes come from getRandomValues from then on.
//
// Small requests (an MLS reuse guard, a nonce) are served from a 4 KiB pool refilled from the CSPRNG:
// one read costs about as much as drawing a kilobyte, and MLS asks for 4 bytes per message. Bytes
// handed out are zeroed in the pool, so it never holds a value someone already has.

/** The part of node:fs this module uses; a parameter so that tests can hand in a failing one. */
export interface DeviceFs {
  openSync(path: string, flags: string): number;
  fstatSync(fd: number): { isCharacterDevice(): boolean };
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: null): number;
  closeSync(fd: number): void;
}

export type RandomFill = (out: Uint8Array) => void;

/** crypto.getRandomValues in its 65,536-byte steps (its per-call limit). */
export const webCryptoFill: RandomFill = (out) => {
  for (let off = 0; off < out.length; off += 65536) {
    crypto.getRandomValues(out.subarray(off, Math.min(out.length, off + 65536)) as Uint8Array<ArrayBuffer>);
  }
};

/** Fills `out` from /dev/urandom; throws if the device cannot be opened, is not one, or ends early. */
export function deviceFill(fs: DeviceFs, out: Uint8Array): void {
  const fd = fs.openSync('/dev/urandom', 'r');
  try {
    if (!fs.fstatSync(fd).isCharacterDevice()) throw new Error('/dev/urandom is not a character device');
    for (let off = 0; off < out.length; ) {
      const n = fs.readSync(fd, out, off, out.length - off, null);
      if (!(n > 0)) throw new Error('/dev/urandom returned no bytes');
      off += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The fill to use with `fs` (node:fs, or undefined outside Node): the device while it works, then
 * getRandomValues for good. A failed read leaves no partial result behind: `out` is filled again
 * from getRandomValues as a whole.
 */
export function chooseFill(fs: DeviceFs | undefined): RandomFill {
  let device = fs !== undefined;
  return (out) => {
    if (device) {
      try {
        deviceFill(fs!, out);
        return;
      } catch {
        device = false;
      }
    }
    webCryptoFill(out);
  };
}

const nodeFs = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process?.getBuiltinModule?.('node:fs');
/** The fill every randomBytes call uses. */
export const fillRandom: RandomFill = chooseFill(nodeFs as DeviceFs | undefined);

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
