// Runs every differential property on both wasm builds.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { BUILDS, forEachBuild } from '../helpers/builds.js';
import { aeadProps } from './aead.props.js';
import { aesProps } from './aes.props.js';
import { curveProps } from './curve.props.js';
import { hashProperties } from './hash.props.js';
import { runParameters, type Property } from './property.js';

const ALL: Property[] = [...hashProperties, ...aeadProps, ...aesProps, ...curveProps];
const share = ALL.length * BUILDS.length;

forEachBuild(() => {
  for (const p of ALL) {
    it(p.name, () => {
      const details = fc.check(p.property, runParameters(share));
      if (details.failed) expect.fail(fc.defaultReportMessage(details) ?? 'property failed');
      expect(details.numRuns).toBeGreaterThan(0);
    }, 0);
  }
});
