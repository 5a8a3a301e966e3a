// Loaded by browser.test.ts into headless Chromium as a module script (served as-is, never
// transformed). Exposes runKats(inputs, build) computing the known-answer subset with the bundle.
import * as w from '/wirecrypt.browser.js';

const fromHex = (s) => new Uint8Array((s.match(/../g) ?? []).map((b) => parseInt(b, 16)));
const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

window.engineInfo = () => w.engineInfo();

window.runKats = (inputs, build) => {
  const i = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, fromHex(v)]));
  const info = w.init({ wasm: build });
  const h = w.createSha256();
  for (let k = 0; k < i.long.length; k += 77) h.update(i.long.subarray(k, k + 77));
  const r = w.ratchetChain(i.ck, new Uint8Array(0), i.group, 5);
  let lengthError = 'no error';
  try {
    w.hkdfExpand(i.key, i.key, 9000);
  } catch (e) {
    lengthError = e.constructor.name;
  }
  return {
    build: info.build,
    sha1: toHex(w.sha1(i.abc)), sha256: toHex(w.sha256(i.abc)), sha512: toHex(w.sha512(i.long)),
    sha256Streamed: toHex(h.digest()),
    hmacSha256: toHex(w.hmacSha256(i.key, i.msg)), hmacSha1: toHex(w.hmacSha1(i.key, i.msg)), hmacSha512: toHex(w.hmacSha512(i.key, i.msg)),
    hkdf: toHex(w.hkdf(i.ikm, i.salt, i.info, 42)),
    ratchet: [...r.messageKeys.map(toHex), toHex(r.chainKey)],
    lengthError,
  };
};
window.ready = true;
