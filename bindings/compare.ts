// Constant-time helpers for receipt checks (MTProto spec §3, mmtls Finished): comparisons that OR-accumulate over a
// fixed length and never exit early, and 0/1 flags combined with `&` instead of `&&`, so that which
// check failed changes neither the work done nor the path taken. JavaScript gives "algorithmic"
// constant time only (the JIT makes no promise), as noble says of its own equalBytes.

/** 1 if a[0:n] equals b[0:n], else 0; reads exactly n bytes of each. */
export function equalCt(a: Uint8Array, b: Uint8Array, n: number): number {
  let diff = 0;
  for (let i = 0; i < n; i++) diff |= a[i]! ^ b[i]!;
  return ((diff - 1) >>> 31) & 1; // diff is 0..255: (0 - 1) >>> 31 = 1, (d - 1) >>> 31 = 0 for d ≥ 1
}

/** 1 if the condition holds, else 0 (one comparison turned into a flag). */
export function flag(condition: boolean): number {
  return Number(condition);
}

/** Whether two byte strings are equal (the handshake's hashes and nonces); time depends only on the lengths. */
export function ctEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && equalCt(a, b, a.length) === 1;
}
