// Runs a suite once per crypto provider: wirecrypt's wasm engine (on each wasm build) and the
// pure-JavaScript reference on @noble/*. Protocol tests use this so the two check each other.
import { describe } from 'vitest';
import type { CryptoProvider } from '../../bindings/index.js';
import { wasmProvider } from '../../bindings/index.js';
import { referenceProvider } from '../../bindings/provider/reference.js';
import { forEachBuild } from './builds.js';

export function forEachProvider(suite: (provider: CryptoProvider) => void): void {
  forEachBuild(() => describe('wasmProvider', () => suite(wasmProvider)));
  describe('referenceProvider', () => suite(referenceProvider));
}
