// Obfuscation, "obfuscated2" (spec §8.7): a 64-byte header from the client, then both directions
// through AES-256-CTR, around abridged, intermediate or padded intermediate framing, so the stream
// shows no fixed bytes. With an MTProxy secret each key is SHA-256(key ‖ secret).
//
//   header = 64 random bytes, drawn again while they could be read as another transport (rules below)
//   header[56:60] = the inner framing's tag; header[60:62] = int16 LE dc id (MTProxy needs it)
//   client encrypts with key header[8:40], iv header[40:56]; decrypts with the same slices of the
//   reversed header; the server the other way round
//   sent: header[0:56] ‖ (encryption of the whole header)[56:64]; the encryptor's keystream goes on
//   from there for every frame, the decryptor starts at counter 0
//
// Not implemented: MTProxy fake-TLS (0xee secrets); its ClientHello is refused by detectTransport().

import { bytes, bytesOfLength, finished, integer } from '../../errors.js';
import { copyOf, lengthOf } from '../../bytes.js';
import type { AesCtr } from '../../aes.js';
import type { CryptoProvider } from '../../provider/types.js';
import { MtprotoError } from '../errors.js';
import { AbridgedCodec } from './abridged.js';
import {
  type CodecOptions, type EncodeOptions, type Frame, type FrameCodec, type Role, checkMaxFrameLength, checkRole,
} from './codec.js';
import { IntermediateCodec } from './intermediate.js';
import { PaddedCodec } from './padded.js';
import { ByteQueue } from './queue.js';
import type { FramingCodec } from './stream.js';

/** The framings obfuscation can carry. */
export type ObfuscatedInner = 'abridged' | 'intermediate' | 'padded';

/** The protocol tag at header[56:60] for each inner framing (read as a little-endian uint32). */
export const OBFUSCATION_TAGS: Readonly<Record<ObfuscatedInner, number>> = {
  abridged: 0xefefefef,
  intermediate: 0xeeeeeeee,
  padded: 0xdddddddd,
};

// First words a header may not start with: they would read as HEAD, POST, "GET ", OPTI, a TLS
// record (16 03 01 02) or the intermediate / padded tags (§8.7; TDLib ObfuscatedTransport::init).
const REJECTED_FIRST_WORDS = [0x44414548, 0x54534f50, 0x20544547, 0x4954504f, 0x02010316, 0xdddddddd, 0xeeeeeeee];
const HEADER = 64;
const MAX_DRAWS = 32; // a rejection has probability < 2^-7; 32 in a row means randomBytes is broken

export interface ObfuscatedOptions extends CodecOptions {
  /** Client: the framing inside (default 'intermediate', or 'padded' with a 0xdd secret). */
  inner?: ObfuscatedInner;
  /**
   * MTProxy secret: 16 bytes, or 17 starting with 0xdd ("secure" proxies: the client must use padded
   * intermediate). A server accepts either form and any inner framing.
   */
  secret?: Uint8Array;
  /** Client: the int16 written at header[60:62] (MTProxy: dc, +10000 for test DCs, negative for media). */
  dcId?: number;
  /**
   * Client, for tests and interop only: the 64 random bytes to use instead of drawing them (the
   * tag and dc id are then written over them). RangeError if they break a header rule.
   */
  init?: Uint8Array;
}

/** The client's view of the keys (the server encrypts with decryptKey/Iv and decrypts with encryptKey/Iv). */
export interface ObfuscationKeys {
  encryptKey: Uint8Array;
  encryptIv: Uint8Array;
  decryptKey: Uint8Array;
  decryptIv: Uint8Array;
}

/** Whether 64 header bytes pass the rules of §8.7 (the tag and dc bytes are not looked at). */
export function isAcceptableHeader(header: Uint8Array): boolean {
  const h = copyOf(bytesOfLength(header, HEADER, 'isAcceptableHeader', 'header'));
  if (h[0] === 0xef) return false;
  if (REJECTED_FIRST_WORDS.includes(uint32le(h, 0))) return false;
  return uint32le(h, 4) !== 0; // else it reads as a full-transport frame with seq 0
}

/**
 * Derives the keys from a header's bytes 8..56 (which are sent in the clear), with an optional
 * MTProxy secret (16 bytes, or 17 with the 0xdd prefix).
 */
export function deriveObfuscationKeys(provider: CryptoProvider, header: Uint8Array, secret?: Uint8Array): ObfuscationKeys {
  const h = copyOf(bytesOfLength(header, HEADER, 'deriveObfuscationKeys', 'header'));
  const proxyKey = secret === undefined ? null : parseSecret(secret, 'deriveObfuscationKeys').key;
  const reversed = h.slice().reverse();
  const fix = (key: Uint8Array): Uint8Array => {
    if (!proxyKey) return key;
    const input = new Uint8Array(48);
    input.set(key);
    input.set(proxyKey, 32);
    const out = provider.hash('SHA-256', input);
    input.fill(0);
    key.fill(0);
    return out;
  };
  const keys = {
    encryptKey: fix(h.slice(8, 40)),
    encryptIv: h.slice(40, 56),
    decryptKey: fix(reversed.slice(8, 40)),
    decryptIv: reversed.slice(40, 56),
  };
  h.fill(0);
  reversed.fill(0);
  return keys;
}

/**
 * Obfuscated2 around one inner framing. Client: the header goes out in front of the first encode().
 * Server: push() reads the client's header first (a bad tag is MtprotoError 'transport-unknown'),
 * then the frames; encode() is possible once the header has arrived.
 */
export class ObfuscatedCodec implements FrameCodec {
  readonly transport = 'obfuscated';
  readonly role: Role;
  readonly quickAckReplies = true;
  readonly maxFrameLength: number;
  readonly #provider: CryptoProvider;
  readonly #secret: Uint8Array | null; // the 16 bytes that enter the key hash
  #inner: FramingCodec | null = null;
  #encryptor: AesCtr | null = null;
  #decryptor: AesCtr | null = null;
  #header: Uint8Array | null = null; // client: what goes in front of the first frame
  #pending: ByteQueue | null = null; // server: the header as it arrives
  #dcId: number | undefined;
  #failure: MtprotoError | null = null;
  #disposed = false;

  constructor(provider: CryptoProvider, options: ObfuscatedOptions) {
    const fn = 'ObfuscatedCodec';
    if (typeof provider?.aesCtr !== 'function') throw new TypeError(`${fn}: provider must be a CryptoProvider`);
    if (typeof options !== 'object' || options === null) throw new TypeError(`${fn}: options must be an object`);
    this.#provider = provider;
    this.role = checkRole(options.role, fn);
    this.maxFrameLength = checkMaxFrameLength(options.maxFrameLength, fn);
    const secret = options.secret === undefined ? null : parseSecret(options.secret, fn);
    this.#secret = secret?.key ?? null;
    if (this.role === 'server') {
      for (const key of ['inner', 'dcId', 'init'] as const) {
        if (options[key] !== undefined) throw new TypeError(`${fn}: ${key} is a client option (the server reads it from the header)`);
      }
      this.#pending = new ByteQueue();
      return;
    }
    const inner = options.inner ?? (secret?.paddedOnly ? 'padded' : 'intermediate');
    if (typeof inner !== 'string' || !Object.hasOwn(OBFUSCATION_TAGS, inner)) throw new TypeError(`${fn}: inner must be 'abridged', 'intermediate' or 'padded', got ${String(inner)}`);
    if (secret?.paddedOnly && inner !== 'padded') throw new TypeError(`${fn}: a 0xdd secret requires the padded inner framing`);
    const dcId = options.dcId === undefined ? undefined : integer(options.dcId, -0x8000, 0x7fff, fn, 'dcId');

    const header = options.init === undefined ? this.#drawHeader() : copyOf(bytesOfLength(options.init, HEADER, fn, 'init'));
    if (!isAcceptableHeader(header)) throw new RangeError(`${fn}: init breaks a header rule (first byte 0xef, a reserved first word, or zero bytes 4..8)`);
    const view = new DataView(header.buffer);
    view.setUint32(56, OBFUSCATION_TAGS[inner], true);
    if (dcId !== undefined) view.setInt16(60, dcId, true);
    this.#dcId = dcId;

    const keys = deriveObfuscationKeys(provider, header, this.#secret ?? undefined);
    this.#encryptor = provider.aesCtr(keys.encryptKey, keys.encryptIv);
    this.#decryptor = provider.aesCtr(keys.decryptKey, keys.decryptIv);
    wipe(keys);
    const encrypted = this.#encryptor.update(header);
    header.set(encrypted.subarray(56), 56);
    encrypted.fill(0);
    this.#header = header;
    this.#inner = makeInner(provider, inner, 'client', this.maxFrameLength);
  }

  /** The inner framing: the client's choice, or (server) the tag read from the header; undefined before it. */
  get inner(): ObfuscatedInner | undefined {
    return this.#inner?.transport as ObfuscatedInner | undefined;
  }

  /** The int16 at header[60:62]: the client's dcId option, or (server) as received — meaningful only if the client set it. */
  get dcId(): number | undefined {
    return this.#dcId;
  }

  encode(payload: Uint8Array, options?: EncodeOptions): Uint8Array {
    const inner = this.#ready('encode');
    const frame = inner.encode(payload, options);
    return this.#seal(frame);
  }

  encodeQuickAck(token: number): Uint8Array {
    return this.#seal(this.#ready('encodeQuickAck').encodeQuickAck(token));
  }

  encodeTransportError(code: number): Uint8Array {
    return this.#seal(this.#ready('encodeTransportError').encodeTransportError(code));
  }

  push(chunk: Uint8Array): Frame[] {
    const fn = 'ObfuscatedCodec.push';
    this.#live(fn);
    bytes(chunk, fn, 'chunk');
    if (this.#failure) throw this.#failure;
    try {
      let data = chunk;
      if (this.#pending) {
        const pending = this.#pending;
        pending.push(chunk, false);
        if (pending.length < HEADER) {
          pending.own();
          return [];
        }
        this.#acceptHeader(pending.take(HEADER));
        data = pending.take(pending.length);
        this.#pending = null;
      }
      if (lengthOf(data) === 0) return [];
      return this.#inner!.push(this.#decryptor!.update(data));
    } catch (error) {
      if (error instanceof MtprotoError) {
        this.#failure = error;
        this.#pending?.clear();
      }
      throw error;
    }
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#encryptor?.dispose();
    this.#decryptor?.dispose();
    this.#inner?.dispose();
    this.#pending?.clear();
    this.#header?.fill(0);
    this.#secret?.fill(0);
    this.#encryptor = this.#decryptor = this.#inner = this.#header = this.#pending = null;
  }

  #acceptHeader(header: Uint8Array): void {
    const keys = deriveObfuscationKeys(this.#provider, header, this.#secret ?? undefined);
    // The server reads with the client's encryption key and writes with the client's decryption key.
    const decryptor = this.#provider.aesCtr(keys.encryptKey, keys.encryptIv);
    const encryptor = this.#provider.aesCtr(keys.decryptKey, keys.decryptIv);
    wipe(keys);
    const plain = decryptor.update(header);
    const tag = uint32le(plain, 56);
    const dcId = (plain[60] | (plain[61] << 8)) << 16 >> 16;
    plain.fill(0);
    header.fill(0);
    const inner = (Object.keys(OBFUSCATION_TAGS) as ObfuscatedInner[]).find((name) => OBFUSCATION_TAGS[name] === tag);
    if (!inner) {
      decryptor.dispose();
      encryptor.dispose();
      throw new MtprotoError('transport-unknown', `obfuscated2: unknown protocol tag 0x${tag.toString(16).padStart(8, '0')} (wrong secret, or not obfuscated2)`);
    }
    this.#decryptor = decryptor;
    this.#encryptor = encryptor;
    this.#dcId = dcId;
    this.#inner = makeInner(this.#provider, inner, 'server', this.maxFrameLength);
  }

  #drawHeader(): Uint8Array {
    for (let draw = 0; draw < MAX_DRAWS; draw++) {
      const header = copyOf(this.#provider.randomBytes(HEADER));
      if (lengthOf(header) === HEADER && isAcceptableHeader(header)) return header;
    }
    throw new Error('ObfuscatedCodec: the provider\'s randomBytes keeps returning rejected headers');
  }

  #seal(frame: Uint8Array): Uint8Array {
    const encrypted = this.#encryptor!.update(frame);
    frame.fill(0);
    const header = this.#header;
    if (!header) return encrypted;
    this.#header = null;
    const out = new Uint8Array(HEADER + encrypted.length);
    out.set(header);
    out.set(encrypted, HEADER);
    header.fill(0);
    return out;
  }

  #ready(method: string): FramingCodec {
    const fn = `ObfuscatedCodec.${method}`;
    this.#live(fn);
    if (!this.#inner) throw new TypeError(`${fn}: the client's header has not arrived yet`);
    return this.#inner;
  }

  #live(fn: string): void {
    if (this.#disposed) finished(fn, 'disposed');
  }
}

function makeInner(provider: CryptoProvider, inner: ObfuscatedInner, role: Role, maxFrameLength: number): FramingCodec {
  const options = { role, maxFrameLength, sendTag: false };
  if (inner === 'abridged') return new AbridgedCodec(options);
  if (inner === 'intermediate') return new IntermediateCodec(options);
  return new PaddedCodec(provider, options);
}

/** The 16 bytes that enter the key hash, and whether the secret demands padded intermediate (internal). */
export function parseSecret(value: unknown, fn: string): { key: Uint8Array; paddedOnly: boolean } {
  const secret = bytes(value, fn, 'secret');
  const n = lengthOf(secret);
  if (n === 16) return { key: copyOf(secret), paddedOnly: false };
  const copy = copyOf(secret);
  if (n === 17 && copy[0] === 0xdd) return { key: copy.slice(1), paddedOnly: true };
  if (n > 17 && copy[0] === 0xee) throw new RangeError(`${fn}: fake-TLS (0xee) secrets are not supported`);
  throw new RangeError(`${fn}: secret must be 16 bytes, or 17 starting with 0xdd, got ${n}`);
}

function uint32le(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

function wipe(keys: ObfuscationKeys): void {
  keys.encryptKey.fill(0);
  keys.decryptKey.fill(0);
}
