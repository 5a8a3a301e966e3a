// v128 helpers shared by the SIMD code paths. Only the SIMD build compiles callers of these.

/** Rotates each 32-bit lane left by `n` (wasm has no vector rotate). */
@inline export function rotlv(x: v128, n: i32): v128 {
  return v128.or(i32x4.shl(x, n), i32x4.shr_u(x, 32 - n));
}
