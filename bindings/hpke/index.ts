// HPKE (RFC 9180) as `hpke.suite(...)`; see suite.ts.
import { suite } from './suite.js';

export const hpke = Object.freeze({ suite });
export type { HpkeSuite, SuiteChoice, SenderOptions, SealOptions, OpenOptions } from './suite.js';
export type { SenderContext, RecipientContext } from './context.js';
export type { KemName, KdfName, HpkeAeadName } from './ids.js';
export type { SecretKeyInput } from './dhkem.js';
