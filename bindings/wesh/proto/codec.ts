// Protobuf through @bufbuild/protobuf with the code generated from the .proto files beside this one
// (`npm run proto`). Encoding matches Go's protobuf-go, which is what weshnet peers sign and parse:
// fields in number order, proto3 scalars at their default value omitted, a present sub-message
// emitted even when empty (`12 00` for `protocol_metadata = {}`), map entries — which Go writes in
// no fixed order — sorted by key here. Decoding is strict about wire format and lenient about
// unknown fields (kept, as Go keeps them), and every failure is one WeshError('invalid-protobuf').

import { type DescMessage, type MessageInitShape, type MessageShape, create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { bytes } from '../../errors.js';
import { WeshError } from '../errors.js';

/** The largest message decoded unless a caller says otherwise (a Wesh envelope is far smaller). */
export const DEFAULT_MAX_MESSAGE = 1 << 20;

export function encode<Desc extends DescMessage>(schema: Desc, init: MessageInitShape<Desc>): Uint8Array {
  return toBinary(schema, create(schema, init));
}

export function decode<Desc extends DescMessage>(schema: Desc, data: Uint8Array, maxLength = DEFAULT_MAX_MESSAGE): MessageShape<Desc> {
  bytes(data, 'wesh.decode', schema.typeName);
  if (data.length > maxLength) throw new WeshError('invalid-protobuf', `${schema.typeName}: ${data.length} bytes, over the limit of ${maxLength}`);
  try {
    return fromBinary(schema, data);
  } catch (err) {
    throw new WeshError('invalid-protobuf', `${schema.typeName}: ${(err as Error).message}`);
  }
}
