// Errors of the mmtls layer. Programmer errors stay TypeError / RangeError; an MmtlsError says what
// a peer sent wrong or what the protocol refused, and names the alert that goes on the wire
// (docs/mmtls.md "Alerts"). A connection that raises one sends that alert, wipes its keys and closes.

import { DecodeError } from '../codec/reader.js';
import type { AlertName } from './record/alert.js';

export class MmtlsError extends Error {
  constructor(readonly alert: AlertName, message: string) {
    super(message);
    this.name = 'MmtlsError';
  }
}

/** Runs a parser; a DecodeError from the byte reader becomes MmtlsError('decode_error'). */
export function decoding<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof DecodeError) throw new MmtlsError('decode_error', `${what}: ${e.message}`);
    throw e;
  }
}
