// npm run ct -- [--seconds N] [--only TEXT]
// Timing-leak screening in the style of dudect (Reparaz, Balasch, Verbauwhede, "Dude, is my code
// constant time?", 2017): for each operation, inputs of two classes — one fixed secret, one random
// secret per measurement — are timed in random interleaving, and Welch's t-statistic compares the
// two timing distributions (after cropping the slowest samples). |t| above 4.5 flags a possible
// leak; below it, none was detected at this resolution. This is a screen, not a proof: the
// measurements include the JavaScript call and the VM's noise. Not part of npm test (timings in
// tests would be flaky); run it on a quiet machine.
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import * as w from 'wirecrypt';

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, only: { type: 'string' } } });
const seconds = Number(args.seconds);

const fixed = (n) => new Uint8Array(n).fill(0x2a);
const PEER = w.x25519.publicKey(new Uint8Array(32).fill(7));
// Both classes are fresh plain Uint8Arrays of the same length (a Buffer from randomBytes would take
// other JavaScript paths and show up as a difference that has nothing to do with the secret).
const secretOf = (cls, n) => Uint8Array.from(cls === 0 ? Buffer.alloc(n, 0x2a) : randomBytes(n));

/**
 * Each case: make(secret) → [run, dispose]. Both classes get a fresh object per measurement, built
 * outside the timed region, so they differ only in the secret.
 */
const keyed = (create, use) => (k) => { const o = create(k); return [() => use(o), () => o.dispose()]; };
const CASES = [
  { name: 'AES-256 (CTR keystream, key class)', secret: 32, make: keyed((k) => w.aesCtr(k, fixed(16)), (s) => s.update(fixed(64))) },
  { name: 'AES-256-GCM seal 64 B (key class)', secret: 32, make: keyed(w.aesGcm, (a) => a.seal(fixed(12), fixed(64))) },
  { name: 'AES-256-IGE decrypt 64 B (key class)', secret: 32, make: keyed(w.aesIge, (c) => c.decrypt(fixed(32), fixed(64))) },
  { name: 'ChaCha20-Poly1305 seal 64 B (key class)', secret: 32, make: keyed(w.chacha20Poly1305, (a) => a.seal(fixed(12), fixed(64))) },
  { name: 'HMAC-SHA256 (key class)', secret: 32, make: (k) => [() => w.hmacSha256(k, fixed(64)), () => {}] },
  { name: 'X25519 shared secret (scalar class)', secret: 32, make: (k) => [() => w.x25519.sharedSecret(k, PEER), () => {}] },
  { name: 'X25519 public key (fixed-base table, scalar class)', secret: 32, make: (k) => [() => w.x25519.publicKey(k), () => {}] },
  { name: 'Ed25519 sign 64 B (seed class)', secret: 32, make: (k) => [() => w.ed25519.sign(k, fixed(64)), () => {}] },
  { name: 'box beforenm (secret-key class)', secret: 32, make: (k) => [() => w.box(k, PEER).dispose(), () => {}] },
  {
    name: 'ChaCha20-Poly1305 open, tag wrong in byte 0 vs byte 15 (comparison)', secret: 1,
    make: (b) => {
      const a = w.chacha20Poly1305(fixed(32));
      const sealed = a.seal(fixed(12), fixed(64));
      sealed[sealed.length - (b[0] === 0x2a ? 16 : 1)] ^= 1; // fixed class: first tag byte; random class (almost always): last
      return [() => { try { a.open(fixed(12), sealed); } catch { /* expected */ } }, () => a.dispose()];
    },
  },
];

function welch(a, b) {
  const mean = (x) => x.reduce((s, v) => s + v, 0) / x.length;
  const variance = (x, m) => x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1);
  const ma = mean(a), mb = mean(b);
  return (ma - mb) / Math.sqrt(variance(a, ma) / a.length + variance(b, mb) / b.length);
}

function crop(samples, fraction) {
  const sorted = [...samples].sort((x, y) => x - y);
  const limit = sorted[Math.floor(sorted.length * fraction)];
  return samples.filter((v) => v <= limit);
}

const BATCH = 16;
console.log(`ct: ${seconds} s per case, batches of ${BATCH} calls, |t| > 4.5 flags a possible leak`);
let flagged = 0;
for (const c of CASES.filter((x) => !args.only || x.name.toLowerCase().includes(args.only.toLowerCase()))) {
  const times = [[], []];
  for (let i = 0; i < 500; i++) { const [run, dispose] = c.make(secretOf(i & 1, c.secret)); run(); dispose(); } // warm up
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    // Prepare a round of inputs first, the same way for both classes, then time them in random order,
    // so allocation and garbage collection do not line up with one class.
    const round = Array.from({ length: 256 }, (_, i) => i & 1).sort(() => Math.random() - 0.5);
    const prepared = round.map((cls) => [cls, ...c.make(secretOf(cls, c.secret))]);
    for (const [cls, run] of prepared) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < BATCH; i++) run();
      times[cls].push(Number(process.hrtime.bigint() - t0));
    }
    for (const [, , dispose] of prepared) dispose();
  }
  const t = Math.max(...[0.5, 0.9, 0.99].map((f) => Math.abs(welch(crop(times[0], f), crop(times[1], f)))));
  const verdict = t > 4.5 ? 'POSSIBLE LEAK' : 'no leak detected';
  if (t > 4.5) flagged++;
  console.log(`${c.name.padEnd(72)} n=${times[0].length}+${times[1].length}  max|t| = ${t.toFixed(2)}  ${verdict}`);
}
process.exitCode = flagged ? 1 : 0;
