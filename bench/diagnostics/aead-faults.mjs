// Page faults and thread hand-offs per AEAD seal (docs/benchmarks.md, "Shared-process figures and
// isolated ones"): for wirecrypt and libsodium, at 16 KiB and 1 MiB, the throughput of a run of seals, how
// many minor page faults (first touches of fresh pages) each seal caused and how often the main
// thread blocked (voluntary context switches), from process.resourceUsage(). Every seal allocates
// its output; V8 frees those backing stores on a helper thread (the concurrent ArrayBuffer sweeper),
// and glibc's malloc and free then contend for the arena lock. Run it a few times, once with the
// sweeper on the main thread, and once with glibc told to keep freed memory:
//   node bench/diagnostics/aead-faults.mjs
//   node --single-threaded-gc bench/diagnostics/aead-faults.mjs
//   MALLOC_MMAP_THRESHOLD_=134217728 MALLOC_TRIM_THRESHOLD_=536870912 node bench/diagnostics/aead-faults.mjs
import _sodium from 'libsodium-wrappers';
import * as w from 'wirecrypt';

await _sodium.ready;
const sodium = _sodium;
const key = new Uint8Array(32).fill(1), nonce = new Uint8Array(12);
const chacha = w.chacha20Poly1305(key);
const impls = {
  wirecrypt: (m) => chacha.seal(nonce, m),
  'libsodium-wrappers': (m) => sodium.crypto_aead_chacha20poly1305_ietf_encrypt(m, null, null, nonce, key),
};

for (const size of [16384, 1 << 20]) {
  for (const [name, seal] of Object.entries(impls)) {
    const message = new Uint8Array(size).fill(2);
    const count = Math.max(20, Math.floor((48 << 20) / size));
    for (let i = 0; i < count; i++) seal(message); // warm (JIT, wasm tier-up, the heap)
    const before = process.resourceUsage();
    const start = performance.now();
    for (let i = 0; i < count; i++) seal(message);
    const ms = performance.now() - start;
    const after = process.resourceUsage();
    const faults = (after.minorPageFault - before.minorPageFault) / count;
    const waits = (after.voluntaryContextSwitches - before.voluntaryContextSwitches) / count;
    const pages = (size + 16) / 4096;
    console.log(`${name} seal ${size} B: ${((size * count) / ms / 1000).toFixed(0)} MB/s, ${faults.toFixed(2)} faults per seal (${((100 * faults) / pages).toFixed(0)} % of its output pages), ${waits.toFixed(2)} waits per seal`);
  }
}
