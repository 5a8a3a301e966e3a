// Alerts (spec §5.8 observed, §9.1 designed; table in docs/mmtls.md).
//
// Body: u32 length (= 3) ‖ level (u8) ‖ description (u16 BE). The only alert seen in WeChat
// traffic is 00000003 00 0101, which ends every 0-RTT request and response: here level 0 with
// description 0x0101, "end_of_data", so that record re-encodes byte for byte. Errors are level 2
// (fatal) with TLS 1.3's AlertDescription numbers, and mmtls-specific reasons from 0x0102 up (a
// u16 leaves TLS's one-byte space free). Error alerts go server → client only (WeChat's rule);
// a client closes on any error alert, and a server closes after sending one.

import { ByteReader } from '../../codec/reader.js';
import { ByteWriter } from '../../codec/writer.js';
import { MmtlsError, decoding } from '../errors.js';

export const ALERTS = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  illegal_parameter: 47,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  internal_error: 80,
  end_of_data: 0x0101,
  ticket_invalid: 0x0102,
  ticket_expired: 0x0103,
  replay_detected: 0x0104,
  overloaded: 0x0105,
  stale_timestamp: 0x0106,
} as const;

export type AlertName = keyof typeof ALERTS;

export const LEVEL_CLOSE = 0;
export const LEVEL_FATAL = 2;

export interface Alert {
  readonly level: number;
  readonly name: AlertName;
}

const NAMES = new Map<number, AlertName>(Object.entries(ALERTS).map(([name, code]) => [code, name as AlertName]));

/** The one level each alert is sent with: 0 for the end markers, 2 (fatal) for every error. */
function levelOf(name: AlertName): number {
  return name === 'end_of_data' || name === 'close_notify' ? LEVEL_CLOSE : LEVEL_FATAL;
}

export function encodeAlert(name: AlertName): Uint8Array {
  return new ByteWriter().u32(3).u8(levelOf(name)).u16(ALERTS[name]).finish();
}

export function decodeAlert(plaintext: Uint8Array): Alert {
  return decoding('alert', () => {
    const r = new ByteReader(plaintext);
    if (r.u32('alert length') !== 3) throw new MmtlsError('decode_error', 'alert: length must be 3');
    const level = r.u8('alert level');
    const code = r.u16('alert description');
    r.done('alert');
    const name = NAMES.get(code);
    if (name === undefined) throw new MmtlsError('decode_error', `alert: unknown description ${code}`);
    // A level that does not go with the description is malformed: an error is never an end marker.
    if (level !== levelOf(name)) throw new MmtlsError('decode_error', `alert: ${name} with level ${level}`);
    return { level, name };
  });
}
