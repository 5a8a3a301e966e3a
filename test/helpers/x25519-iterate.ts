// RFC 7748 §5.2's iterated X25519: k, u ← X25519(k, u), k, starting from k = u = 9.
import { x25519 } from '../../bindings/index.js';
import { toHex } from './vectors.js';

export function iterate(times: number): string {
  let k = new Uint8Array(32);
  k[0] = 9;
  let u = k.slice();
  for (let i = 0; i < times; i++) [k, u] = [x25519.sharedSecret(k, u), k];
  return toHex(k);
}
