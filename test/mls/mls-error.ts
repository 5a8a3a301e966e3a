// The MlsError code a call throws, for tests of refusals: fails the test if the call throws anything
// else, or nothing.
import { expect } from 'vitest';
import { MlsError } from '../../bindings/mls/errors.js';

export function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MlsError);
    return (e as MlsError).code;
  }
  throw new Error('expected an MlsError, nothing was thrown');
}
