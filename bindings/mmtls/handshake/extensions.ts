// Hello extensions (spec §5.2, §5.3, observed): a block `u32 length ‖ u8 count ‖ count ×
// (u32 length ‖ u16 type ‖ data)`, the block length counting the count byte. Unknown extension
// types are kept (in order) and ignored, as TLS does, so a peer may add some.

import type { ByteReader } from '../../codec/reader.js';
import type { ByteWriter } from '../../codec/writer.js';
import { MmtlsError } from '../errors.js';

export const ExtensionType = {
  preSharedKey: 0x000f,
  clientKeyShare: 0x0010,
  serverKeyShare: 0x0011,
  earlyDataTimestamp: 0x0012,
  serverKeyShareInfo: 0x0013,
} as const;

export interface RawExtension {
  readonly type: number;
  readonly data: Uint8Array;
}

export function readExtensions(r: ByteReader, what: string): RawExtension[] {
  const block = r.sub(r.u32(`${what} extension block length`), `${what} extension block`);
  const count = block.u8(`${what} extension count`);
  const out: RawExtension[] = [];
  for (let i = 0; i < count; i++) {
    const ext = block.sub(block.u32(`${what} extension length`), `${what} extension`);
    const type = ext.u16(`${what} extension type`);
    if (out.some((e) => e.type === type)) throw new MmtlsError('illegal_parameter', `${what}: extension 0x${type.toString(16)} twice`);
    out.push({ type, data: ext.bytesOf(ext.remaining, `${what} extension data`) });
  }
  block.done(`${what} extension block`);
  return out;
}

export function writeExtensions(w: ByteWriter, extensions: readonly RawExtension[]): void {
  w.framed32((b) => {
    b.u8(extensions.length);
    for (const e of extensions) b.framed32((x) => x.u16(e.type).bytes(e.data));
  });
}

export function findExtension(extensions: readonly RawExtension[], type: number): Uint8Array | undefined {
  return extensions.find((e) => e.type === type)?.data;
}
