// Pre-shared keys in the key schedule (RFC 9420 §8.4): each PSK is extracted, expanded with a label
// naming it and its position, and chained into psk_secret (all zeros when there is none).
//
//   psk_extracted[i] = Extract(0, psk[i])
//   psk_input[i]     = ExpandWithLabel(psk_extracted[i], "derived psk", PSKLabel(i), Nh)
//   psk_secret[0]    = 0;  psk_secret[i+1] = Extract(psk_input[i], psk_secret[i])
//   PSKLabel = struct { PreSharedKeyID id; uint16 index; uint16 count; }
//   PreSharedKeyID = struct { PSKType psktype; select (psktype) { case external: opaque psk_id<V>;
//                    case resumption: ResumptionPSKUsage usage; opaque psk_group_id<V>; uint64 psk_epoch; };
//                    opaque psk_nonce<V>; }

import type { ByteReader } from '../codec/reader.js';
import { encode, readOpaque, writeOpaque } from '../codec/tls.js';
import type { ByteWriter } from '../codec/writer.js';
import type { CipherSuite } from './crypto/cipher-suite.js';
import { expandWithLabel, extract } from './crypto/labels.js';
import { MlsError } from './errors.js';

export const PskType = { external: 1, resumption: 2 } as const;
export const ResumptionUsage = { application: 1, reinit: 2, branch: 3 } as const;

export type PreSharedKeyId =
  | { readonly type: 1; readonly pskId: Uint8Array; readonly nonce: Uint8Array }
  | { readonly type: 2; readonly usage: number; readonly groupId: Uint8Array; readonly epoch: bigint; readonly nonce: Uint8Array };

export function writePskId(w: ByteWriter, id: PreSharedKeyId): void {
  w.u8(id.type);
  if (id.type === PskType.external) writeOpaque(w, id.pskId);
  else {
    w.u8(id.usage);
    writeOpaque(w, id.groupId);
    w.u64(id.epoch);
  }
  writeOpaque(w, id.nonce);
}

export function readPskId(r: ByteReader): PreSharedKeyId {
  const type = r.u8('psktype');
  if (type === PskType.external) return { type, pskId: readOpaque(r, 'psk_id').slice(), nonce: readOpaque(r, 'psk_nonce').slice() };
  if (type === PskType.resumption) {
    const usage = r.u8('resumption usage');
    const groupId = readOpaque(r, 'psk_group_id').slice();
    const epoch = r.u64('psk_epoch');
    return { type, usage, groupId, epoch, nonce: readOpaque(r, 'psk_nonce').slice() };
  }
  throw new MlsError('invalid-psk-type', `PSK type ${type}`);
}

/** psk_secret for the PSKs, in order (the order of the commit's PreSharedKey proposals). */
export function pskSecret(suite: CipherSuite, psks: readonly { id: PreSharedKeyId; secret: Uint8Array }[]): Uint8Array {
  const zero = new Uint8Array(suite.hashLength);
  let secret: Uint8Array = zero.slice();
  psks.forEach(({ id, secret: psk }, index) => {
    const extracted = extract(suite, zero, psk);
    const label = encode((w) => {
      writePskId(w, id);
      w.u16(index).u16(psks.length);
    });
    const input = expandWithLabel(suite, extracted, 'derived psk', label, suite.hashLength);
    const next = extract(suite, input, secret);
    for (const s of [extracted, input, secret]) s.fill(0);
    secret = next;
  });
  return secret;
}
