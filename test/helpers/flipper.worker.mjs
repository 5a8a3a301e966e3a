// Flips one bit of a SharedArrayBuffer in a tight loop until told to stop (test/api/shared-input.test.ts).
//
// workerData: { data: SharedArrayBuffer, index: number, control: SharedArrayBuffer }
// control (Int32Array): [0] stop flag (set to 1 by the test), [1] flips done so far, [2] 1 once running.
// The byte alternates between its original value and original ^ 1; the flip counter is published
// with Atomics.
import { workerData } from 'node:worker_threads';

const { data, index, control } = workerData;
const bytes = new Uint8Array(data);
const ctl = new Int32Array(control);
const original = bytes[index];
Atomics.store(ctl, 2, 1);
Atomics.notify(ctl, 2);
let flips = 0; // published as an Int32: wraps after 2^31 flips, which a test case never reaches
let x = 0x9e3779b9;
while (Atomics.load(ctl, 0) === 0) {
  // Atomics.xor, not `bytes[index] ^= 1`, which the JIT may fold away in a loop. Between flips, hold
  // the value for a random few hundred nanoseconds to a few microseconds (spinning on the stop flag),
  // so that two reads of the byte a few microseconds apart are close to independent; flipping
  // back-to-back makes the reader's view of the byte strongly correlated with its own memory traffic.
  Atomics.xor(bytes, index, 1);
  flips++;
  x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
  for (let spin = x & 1023; spin > 0; spin--) if (Atomics.load(ctl, 0) !== 0) break;
  if ((flips & 63) === 0) Atomics.store(ctl, 1, flips);
}
bytes[index] = original;
Atomics.store(ctl, 1, flips);
