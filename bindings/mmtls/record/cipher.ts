// Record protection (spec §4.2, observed in WeChat's key log): AES-128-GCM, tag appended;
// nonce = iv XOR seq with the 32-bit sequence number XORed big-endian into the IV's last 4 bytes;
// AAD = seq (u64 BE) ‖ the 5-byte record header, whose length counts ciphertext and tag.
//
// One `RecordStream` per direction counts every record, the plaintext ClientHello / ServerHello
// included (so the first encrypted record has seq 1), and keeps counting when the keys change. The
// count never wraps: before the nonce would repeat it refuses (the connection must close first).

import type { Aead } from '../../aead.js';
import { AuthenticationError } from '../../errors.js';
import type { CryptoProvider } from '../../provider/types.js';
import { MmtlsError } from '../errors.js';
import { HEADER_LENGTH, type MmtlsRecord, type RecordTypeCode, recordHeader } from './record.js';

export const KEY_LENGTH = 16;
export const IV_LENGTH = 12;
const TAG = 16;
/** The last usable sequence number: the nonce has 32 bits for it. */
export const MAX_SEQUENCE = 0xffffffff;

export interface TrafficKey {
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
}

/** One direction of a connection: its sequence number and, once keys exist, its AEAD. */
export class RecordStream {
  #seq = 0;
  #aead: Aead | undefined;
  #iv = new Uint8Array(IV_LENGTH);
  #disposed = false;

  constructor(private readonly provider: CryptoProvider) {}

  /** The sequence number the next record gets. */
  get sequence(): number {
    return this.#seq;
  }

  get keyed(): boolean {
    return this.#aead !== undefined;
  }

  /** Switches to new keys (the previous ones are wiped); the sequence number carries on. */
  setKey({ key, iv }: TrafficKey): void {
    if (key.length !== KEY_LENGTH || iv.length !== IV_LENGTH) throw new RangeError('RecordStream.setKey: AES-128-GCM needs a 16-byte key and a 12-byte IV');
    if (this.#disposed) throw new MmtlsError('internal_error', 'RecordStream.setKey: the stream was disposed');
    this.#wipe();
    this.#aead = this.provider.aead('AES-128-GCM', key);
    this.#iv = iv.slice();
  }

  /** Counts a plaintext record (ClientHello, ServerHello). */
  countPlain(): void {
    this.#next();
  }

  /** One protected record: header ‖ ciphertext ‖ tag. */
  seal(type: RecordTypeCode, plaintext: Uint8Array): Uint8Array {
    const aead = this.#keyed('seal');
    const header = recordHeader(type, plaintext.length + TAG);
    const seq = this.#next();
    const out = new Uint8Array(HEADER_LENGTH + plaintext.length + TAG);
    out.set(header);
    aead.sealInto(out.subarray(HEADER_LENGTH), this.#nonce(seq), plaintext, aad(seq, header));
    return out;
  }

  /** The plaintext of a protected record; MmtlsError('bad_record_mac') if it does not authenticate. */
  open(record: MmtlsRecord): Uint8Array {
    const aead = this.#keyed('open');
    if (record.body.length < TAG) throw new MmtlsError('bad_record_mac', 'record shorter than its tag');
    const seq = this.#seq;
    let plaintext: Uint8Array;
    try {
      plaintext = aead.open(this.#nonce(seq), record.body, aad(seq, record.header));
    } catch (e) {
      if (e instanceof AuthenticationError) throw new MmtlsError('bad_record_mac', 'record did not authenticate');
      throw e;
    }
    this.#next(); // only an accepted record advances the count
    return plaintext;
  }

  /** Wipes the keys; the stream accepts no new ones afterwards. */
  dispose(): void {
    this.#disposed = true;
    this.#wipe();
  }

  #keyed(op: string): Aead {
    if (this.#aead === undefined) throw new MmtlsError('unexpected_message', `RecordStream.${op}: no keys yet`);
    return this.#aead;
  }

  #next(): number {
    if (this.#seq > MAX_SEQUENCE) throw new MmtlsError('internal_error', 'record sequence numbers exhausted; the connection must be closed');
    return this.#seq++;
  }

  #nonce(seq: number): Uint8Array {
    const nonce = this.#iv.slice();
    nonce[8]! ^= seq >>> 24;
    nonce[9]! ^= seq >>> 16;
    nonce[10]! ^= seq >>> 8;
    nonce[11]! ^= seq;
    return nonce;
  }

  #wipe(): void {
    this.#aead?.dispose();
    this.#aead = undefined;
    this.#iv.fill(0);
  }
}

/** AAD = seq (u64 BE) ‖ header; seq < 2^32, so the high word is zero. */
function aad(seq: number, header: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + HEADER_LENGTH);
  new DataView(out.buffer).setUint32(4, seq);
  out.set(header, 8);
  return out;
}
