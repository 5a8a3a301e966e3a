// Runs every differential property on both wasm builds: PROPERTY_RUNS runs each in `npm test`.
import fc from 'fast-check';
import { it } from 'vitest';
import { BUILDS, forEachBuild } from '../helpers/builds.js';
import { aeadProps } from './aead.props.js';
import { aesProps } from './aes.props.js';
import { curveProps } from './curve.props.js';
import { hashProperties } from './hash.props.js';
import { p256Props } from './p256.props.js';
import { expectPassedAllRuns, runParameters, type Property } from './property.js';

const ALL: Property[] = [...hashProperties, ...aeadProps, ...aesProps, ...curveProps, ...p256Props];
const share = ALL.length * BUILDS.length;

forEachBuild(() => {
  for (const p of ALL) {
    it(p.name, () => {
      expectPassedAllRuns(fc.check(p.property, runParameters(share)));
    }, 0);
  }
});
