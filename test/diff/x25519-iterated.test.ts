// RFC 7748 §5.2's 1 000 000-iteration X25519 test (about three minutes on one build): only when asked,
// with `npm run fuzz -- --x25519-million` (which sets X25519_MILLION=1), never as part of --seconds N.
import { expect, it } from 'vitest';
import { iterate } from '../helpers/x25519-iterate.js';

it.skipIf(process.env.X25519_MILLION !== '1')('RFC 7748 §5.2: 1 000 000 iterations', () => {
  expect(iterate(1_000_000)).toBe('7c3911e0ab2586fd864497297e575e6f3bc601c0883c30df5f4dd2d24f665424');
}, 0);
