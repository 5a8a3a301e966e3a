// The controls, run with every build: the screen must flag a known small leak and pass identical work.
//
// Both do the same fixed work as a real case (an HMAC-SHA256 of fixed data through the engine, with
// its copies and allocation), take the secret the way the bindings take inputs, then compare an M-byte
// secret with a fixed reference (all zero bytes, the fixed class's secret):
//   positive  an early-exit byte-by-byte comparison in JavaScript, the classic MAC-check bug: the fixed
//             class matches the reference and reads all M bytes, the random class stops at the first
//             byte (a random first byte is zero once in 256). M is calibrated on this machine and build
//             (short screens of the control itself) so that the leak is twice the resolution the screen
//             aims for, 2 % of the running time by default (a dozen or two bytes, some tens of
//             nanoseconds): at that resolution its expected |t| is about 9 and it is flagged all but
//             always, while a screen blind to leaks of this size misses it.
//   negative  the same M bytes compared in constant time (XOR, OR, no branch): identical work for both
//             classes. Flagging it means the harness itself makes the classes differ.

import { measure } from './measure.mjs';

let sink = 0;

// The secret reaches the comparison the way the bindings take inputs: its buffer read through the
// intrinsic getter and its bytes copied into a scratch array (the engine's memory, in the bindings).
// A secret whose representation differs by class (see secretOf in measure.mjs) then shows here too.
const bufferOf = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), 'buffer').get;
const scratch = new Uint8Array(1 << 16);
function staged(s) {
  sink ^= bufferOf.call(s).byteLength & 1;
  scratch.set(s);
  return scratch.subarray(0, s.length);
}

function earlyExitEqual(a, b) {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function constantTimeEqual(a, b) {
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

/** Median time per call of f over `samples` samples of `reps` calls. */
function timePerCall(f, reps, samples) {
  const t = [];
  for (let s = 0; s < samples; s++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) f();
    t.push(Number(process.hrtime.bigint() - t0) / reps);
  }
  return t.sort((a, b) => a - b)[t.length >> 1];
}

/**
 * Makes the two control cases for the current engine (`w` is the wirecrypt module). Calibrates the
 * comparison length M: a first guess from the early-exit loop's cost per byte (on long equal arrays)
 * and the fixed work's time, then up to three short screens of the positive control itself (the way
 * it will be measured, batches and interleaving included: a plain timing of the loop can be off by
 * half), scaling M by the leak each one measures. The run proper then measures afresh. `target` is
 * the resolution aimed for, in %.
 */
export function makeControls(w, target) {
  /** The positive control's leak, as a fraction of its running time. */
  const LEAK = (2 * target) / 100;
  const key = new Uint8Array(32).fill(0x11);
  const data = new Uint8Array(64).fill(0x22);
  const fixedWork = () => { sink ^= w.hmacSha256(key, data)[0]; };
  const long = new Uint8Array(4096), longCopy = new Uint8Array(4096);
  for (let i = 0; i < 3000; i++) { sink ^= earlyExitEqual(long, longCopy) ? 1 : 0; fixedWork(); } // warm up
  const perByte = timePerCall(() => { sink ^= earlyExitEqual(long, longCopy) ? 1 : 0; }, 50, 101) / long.length;
  const work = timePerCall(fixedWork, 50, 101);
  const clamp = (x) => Math.max(4, Math.min(1 << 16, Math.round(x)));
  let m = clamp((LEAK * work) / ((1 - LEAK) * perByte));
  let reference = new Uint8Array(m);
  const positive = (s) => { fixedWork(); sink ^= earlyExitEqual(staged(s), reference) ? 1 : 0; };
  let calibrated = 0;
  for (let round = 0; round < 3; round++) {
    reference = new Uint8Array(m);
    calibrated = measure({ secret: m, prepare: (s) => s, run: positive, cleanup: () => {} }, { seconds: 0.3, target }).leak / 100;
    if ((calibrated > 0.85 * LEAK && calibrated < 1.18 * LEAK) || round === 2) break;
    m = clamp(calibrated > 0 ? m * Math.min(4, LEAK / calibrated) : m * 4);
  }
  const base = {
    secret: m,
    prepare: (s) => s,
    cleanup: () => {},
  };
  return [
    {
      ...base,
      control: 'positive',
      name: `positive control: early-exit compare, ${m} B secret (calibrated leak ${(calibrated * 100).toFixed(1)} %)`,
      run: positive,
    },
    {
      ...base,
      control: 'negative',
      name: `negative control: constant-time compare, ${m} B secret`,
      run: (s) => { fixedWork(); sink ^= constantTimeEqual(staged(s), reference) ? 1 : 0; },
    },
  ];
}
