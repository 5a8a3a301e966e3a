// The sizes of ge25519.ts's point formats (its header describes them), in a file of their own so
// that ed25519_base_tables.ts, which ge25519.ts calls, can size its scratch without a cycle.

import { FE } from './fe25519';

export const P3: usize = 4 * FE;
export const PRE: usize = 3 * FE;
export const CACHED: usize = 4 * FE;
