// Derives the nibble tables of wirecrypt's vector-permute AES (assembly/cipher/aes_vperm.ts) from the
// field arithmetic, checks them exhaustively, and writes assembly/cipher/aes_vperm_tables.ts.
//
//   node scripts/gen-aes-vperm.mjs
//
// The construction (after Hamburg, "Accelerating AES with Vector Permute Instructions", CHES 2009;
// the tables here are derived from first principles, not copied):
//
// GF(2^8) is the AES field. GF(16) is its subfield {y : y^16 = y}. Pick β with β^17 = 1, β ≠ 1, so
// the GF(2^8)/GF(16) norm N(β) = β^17 = 1, and write every byte as x = i + j·β with i, j ∈ GF(16).
// With t = β + β^16 (the relative trace of β):  N(x) = i^2 + t·ij + j^2 = k^2 + t·ij  where k = i + j.
// Then, with 1/0 taken as ∞ and ∞ behaving projectively:
//   io = 1/(1/i + t/k) + j = N(x)/(k + t·i),    jo = 1/(1/j + t/k) + i = N(x)/(k + t·j)
// and x^-1 = x̄/N(x) = u·γ + v·δ with u = 1/io, v = 1/jo, γ = (1 + β)/t^2, δ = 1 + (1 + t)·γ.
// So an S-box costs five 16-entry lookups (1/i, 1/j, t/k, 1/iak, 1/jak) plus two output lookups
// indexed by io and jo, each of which is a byte shuffle (i8x16.swizzle) on all 16 state bytes at once.
// ∞ is any index ≥ 16, for which swizzle returns 0: exactly the value 1/∞ must take.
//
// Bytes inside the cipher are kept in "tower" encoding: the high nibble is i, the low nibble j, each
// in the GF(2)-basis {1, g, g^2, g^3} of GF(16). All maps between encodings are GF(2)-linear and are
// applied as two nibble lookups (low nibble, high nibble) XORed.
import { writeFileSync } from 'node:fs';

// ---- GF(2^8), AES polynomial x^8 + x^4 + x^3 + x + 1 ----------------------------------------------
const mul = (a, b) => {
  let r = 0;
  for (; b; b >>= 1) {
    if (b & 1) r ^= a;
    a = (a << 1) ^ (a & 0x80 ? 0x11b : 0);
  }
  return r;
};
const pow = (a, e) => { let r = 1; for (; e; e >>= 1, a = mul(a, a)) if (e & 1) r = mul(r, a); return r; };
const inv = (a) => (a === 0 ? 0 : pow(a, 254));
const affine = (x) => { // FIPS-197 §5.1.1, without the constant
  let r = 0;
  for (let i = 0; i < 8; i++) {
    const bit = ((x >> i) ^ (x >> ((i + 4) % 8)) ^ (x >> ((i + 5) % 8)) ^ (x >> ((i + 6) % 8)) ^ (x >> ((i + 7) % 8))) & 1;
    r |= bit << i;
  }
  return r;
};
const sbox = (x) => affine(inv(x)) ^ 0x63;

// ---- the subfield, its basis, β -------------------------------------------------------------------
const g = pow(0x03, 17); // 0x03 generates GF(2^8)*, so g has order 15 and generates GF(16)*
const subfield = [0, ...Array.from({ length: 15 }, (_, k) => pow(g, k))];
if (new Set(subfield).size !== 16 || !subfield.every((y) => pow(y, 16) === y)) throw new Error('subfield');
const beta = pow(0x03, 15); // order 17: norm 1, not in GF(16)
const t = beta ^ pow(beta, 16);
const gamma = mul(1 ^ beta, inv(mul(t, t)));
const delta = 1 ^ mul(1 ^ t, gamma);

// Nibble n (bits b0..b3) ↔ subfield element b0 + b1 g + b2 g^2 + b3 g^3.
const nib2elt = (n) => [1, g, mul(g, g), mul(mul(g, g), g)].reduce((acc, e, b) => acc ^ ((n >> b) & 1 ? e : 0), 0);
const elt2nib = new Map(Array.from({ length: 16 }, (_, n) => [nib2elt(n), n]));
if (elt2nib.size !== 16) throw new Error('basis of GF(16)');
// Tower encoding of a byte x = i + j·β: (nib(i) << 4) | nib(j).
const towerOf = new Map();
for (let hi = 0; hi < 16; hi++) for (let lo = 0; lo < 16; lo++) towerOf.set(nib2elt(hi) ^ mul(nib2elt(lo), beta), (hi << 4) | lo);
if (towerOf.size !== 256) throw new Error('{1, β} is not a basis over GF(16)');
const tower = (x) => towerOf.get(x);

// ---- the nibble tables of the inversion --------------------------------------------------------------
const INF = 0x80;
const nibInv = Array.from({ length: 16 }, (_, n) => (n === 0 ? INF : elt2nib.get(inv(nib2elt(n)))));
const nibTOverK = Array.from({ length: 16 }, (_, n) => (n === 0 ? INF : elt2nib.get(mul(t, inv(nib2elt(n))))));
// i8x16.swizzle semantics. Every index is in [0, 15] or [128, 143], where i8x16.relaxed_swizzle is
// defined to give the same (the relaxed-SIMD build uses it; it may differ only for 16..127): this
// throws otherwise, and the checks below pass every byte through it.
const lookup = (table, idx) => {
  if ((idx & ~0x8f) !== 0) throw new Error(`swizzle index ${idx}: relaxed_swizzle would be implementation-defined`);
  return idx >= 16 ? 0 : table[idx];
};

/** io and jo for a tower-encoded byte, exactly as the wasm code computes them. */
function ioJo(x) {
  const i = x >> 4, j = x & 15, k = i ^ j;
  const tk = lookup(nibTOverK, k);
  const iak = lookup(nibInv, i) ^ tk, jak = lookup(nibInv, j) ^ tk;
  return [lookup(nibInv, iak) ^ j, lookup(nibInv, jak) ^ i];
}

// Output tables: z ↦ f(γ/z) and z ↦ f(δ/z) for a linear f; index ∞ (≥ 16) reads as 0 = f(0).
const outTable = (coeff, f) => Array.from({ length: 16 }, (_, z) => (z === 0 ? 0 : f(mul(coeff, inv(nib2elt(z))))));
const outPair = (f) => [outTable(gamma, f), outTable(delta, f)];
const inverseViaTables = (x, [t1, t2]) => { const [io, jo] = ioJo(x); return lookup(t1, io) ^ lookup(t2, jo); };

// ---- encodings ----------------------------------------------------------------------------------------
// Encryption state: tower(b). Decryption state: tower(A^-1 b) (A = the affine map's linear part), so
// that the inversion input of InvSubBytes, A^-1(b ^ 0x63), is the state plus the constant tower(0x05).
const affineInv = (y) => { for (let x = 0; x < 256; x++) if (affine(x) === y) return x; throw new Error(); };
const encE = tower;
const encD = (b) => tower(affineInv(b));
const split = (f) => [Array.from({ length: 16 }, (_, n) => f(n)), Array.from({ length: 16 }, (_, n) => f(n << 4))];

const tables = {
  // byte → encoding, as (low nibble, high nibble) lookups
  ENC_IN: split(encE), DEC_IN: split(encD),
  // inversion
  INV: nibInv, T_OVER_K: nibTOverK,
  // encryption rounds: the linear S-box part and twice it, in tower encoding; the last round in bytes
  SB1: outPair((v) => encE(affine(v))), SB2: outPair((v) => encE(mul(2, affine(v)))),
  SBO: outPair((v) => affine(v)),
  // decryption rounds: v·e for the InvMixColumns coefficients, in decryption encoding; the last round in bytes
  DB9: outPair((v) => encD(mul(9, v))), DBB: outPair((v) => encD(mul(11, v))), DBD: outPair((v) => encD(mul(13, v))), DBE: outPair((v) => encD(mul(14, v))),
  DBO: outPair((v) => v),
  // tower(b) back to bytes, for the key schedule
  ENC_OUT: split((x) => { for (let b = 0; b < 256; b++) if (encE(b) === x) return b; throw new Error(); }),
};

// ---- exhaustive checks -------------------------------------------------------------------------------
const viaSplit = ([lo, hi], b) => lo[b & 15] ^ hi[b >> 4];
for (let b = 0; b < 256; b++) {
  const x = viaSplit(tables.ENC_IN, b);
  if (x !== encE(b)) throw new Error('ENC_IN');
  if ((inverseViaTables(x, tables.SBO) ^ 0x63) !== sbox(b)) throw new Error(`S-box at ${b}`);
  if ((inverseViaTables(x, tables.SB1) ^ encE(0x63)) !== encE(sbox(b))) throw new Error(`SB1 at ${b}`);
  if ((inverseViaTables(x, tables.SB2) ^ encE(mul(2, 0x63))) !== encE(mul(2, sbox(b)))) throw new Error(`SB2 at ${b}`);
  const y = sbox(b); // InvSubBytes(y) = b
  const d = viaSplit(tables.DEC_IN, y) ^ tower(0x05);
  if (inverseViaTables(d, tables.DBO) !== b) throw new Error(`inverse S-box at ${y}`);
  for (const [e, name] of [[9, 'DB9'], [11, 'DBB'], [13, 'DBD'], [14, 'DBE']]) {
    if (inverseViaTables(d, tables[name]) !== encD(mul(e, b))) throw new Error(`${name} at ${y}`);
  }
  if (viaSplit(tables.ENC_OUT, encE(b)) !== b) throw new Error('ENC_OUT');
}
if (affineInv(0x63) !== 0x05) throw new Error('A^-1(0x63)');

// ---- output ---------------------------------------------------------------------------------------------
const hex = (xs) => xs.map((x) => `0x${x.toString(16).padStart(2, '0')}`).join(', ');
const lines = [
  '// Generated by scripts/gen-aes-vperm.mjs — do not edit. Derivation and exhaustive checks there.',
  '// Each table is 16 bytes for i8x16.swizzle; pairs are (low nibble, high nibble) or (io, jo) tables.',
  '',
  `/** tower(0x63) and tower(0x05): the affine constants in the cipher's encodings, folded into round keys. */`,
  `export const TOWER_63: u8 = ${encE(0x63)};`,
  `export const TOWER_05: u8 = ${tower(0x05)};`,
  '',
];
for (const [name, value] of Object.entries(tables)) {
  const pair = Array.isArray(value[0]);
  const data = pair ? [...value[0], ...value[1]] : value;
  lines.push(`export const ${name}: usize = memory.data<u8>([${hex(data)}], 16);`);
}
writeFileSync(new URL('../assembly/cipher/aes_vperm_tables.ts', import.meta.url), `${lines.join('\n')}\n`);
console.log(`β = 0x${beta.toString(16)}, t = 0x${t.toString(16)}, g = 0x${g.toString(16)}; all 256 inputs check out for every table`);
