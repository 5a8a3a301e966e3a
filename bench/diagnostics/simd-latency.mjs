// What one SIMD operation costs on the machine at hand, as V8 compiles it: the latency (a chain of 64
// dependent operations) and the throughput (eight independent chains) of the operations a
// vector-permute AES round is made of, in cycles. The clock is calibrated by a chain of 32-bit
// multiplies, whose latency is 3 cycles on every x86 core of the last decade. docs/engine.md uses
// these figures to explain what bounds single-block (IGE) AES on this VM.
//
//   node --experimental-wasm-relaxed-simd bench/diagnostics/simd-latency.mjs   (Node 20; Node 22 needs no flag)
import binaryen from 'binaryen';

const STEPS = 64;
const OPS = {
  'v128.xor': '(v128.xor (local.get $x) (local.get $y))',
  'v128.and': '(v128.and (local.get $x) (local.get $y))',
  'i16x8.shr_u': '(i16x8.shr_u (local.get $x) (i32.const 4))',
  // the chain runs through the index, as in a table lookup; y is a byte permutation, so indices stay in [0, 15]
  'i8x16.swizzle': '(i8x16.swizzle (local.get $y) (local.get $x))',
  'i8x16.relaxed_swizzle': '(i8x16.relaxed_swizzle (local.get $y) (local.get $x))',
};

/** A function running `chains` independent chains of `op`, STEPS deep, `it` times. */
function chainsOf(name, op, chains) {
  const xs = Array.from({ length: chains }, (_, c) => `$x${c}`);
  const step = xs.map((x) => `(local.set ${x} ${op.replaceAll('$x', x)})`).join('');
  const sum = xs.slice(1).reduce((acc, x) => `(v128.xor ${acc} (local.get ${x}))`, `(local.get ${xs[0]})`);
  return `(func (export "${name}") (param $it i32) (result i32) ${xs.map((x) => `(local ${x} v128)`).join('')} (local $y v128)
    (local.set $y (v128.const i32x4 0x0c0d0e0f 0x08090a0b 0x04050607 0x00010203))
    ${xs.map((x, c) => `(local.set ${x} (i8x16.splat (i32.and (i32.add (local.get $it) (i32.const ${c})) (i32.const 15))))`).join('')}
    (loop $l ${step.repeat(STEPS)} (local.set $it (i32.sub (local.get $it) (i32.const 1))) (br_if $l (local.get $it)))
    (i32x4.extract_lane 0 ${sum}))`;
}
const MUL = `(func (export "mul") (param $it i32) (result i32) (local $x i32) (local.set $x (local.get $it))
  (loop $l ${'(local.set $x (i32.mul (local.get $x) (local.get $it)))'.repeat(STEPS)}
    (local.set $it (i32.sub (local.get $it) (i32.const 1))) (br_if $l (local.get $it))) (local.get $x))`;

const fns = [MUL];
for (const [name, op] of Object.entries(OPS)) fns.push(chainsOf(`${name} latency`, op, 1), chainsOf(`${name} throughput`, op, 8));
const module = binaryen.parseText(`(module ${fns.join('\n')})`);
module.setFeatures(binaryen.Features.All);
if (!module.validate()) throw new Error('invalid module');
const { instance } = await WebAssembly.instantiate(module.emitBinary());

/** Nanoseconds per operation: median of 7 timed runs after two warming ones (TurboFan in place). */
function nsPerOp(name, ops) {
  const f = instance.exports[name];
  f(50_000); f(50_000);
  const runs = [];
  for (let r = 0; r < 7; r++) {
    const t = performance.now();
    f(100_000);
    runs.push(((performance.now() - t) * 1e6) / (100_000 * STEPS * ops));
  }
  return runs.sort((a, b) => a - b)[3];
}

const cycle = nsPerOp('mul', 1) / 3;
console.log(`clock ≈ ${(1 / cycle).toFixed(2)} GHz (i32.mul chain at 3 cycles)`);
for (const name of Object.keys(OPS)) {
  const latency = nsPerOp(`${name} latency`, 1) / cycle;
  const perCycle = cycle / nsPerOp(`${name} throughput`, 8);
  console.log(`${name.padEnd(22)} latency ${latency.toFixed(2)} cycles, throughput ${perCycle.toFixed(2)} per cycle`);
}
