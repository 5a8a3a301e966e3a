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
  const aeadKey = i.aeadKey, nonce12 = i.nonce12, nonce24 = i.nonce24;
  let authError = 'none';
  const sealed = w.chacha20Poly1305(aeadKey).seal(nonce12, i.long, i.abc);
  sealed[0] ^= 1;
  try {
    w.chacha20Poly1305(aeadKey).open(nonce12, sealed, i.abc);
  } catch (e) {
    authError = e.name;
  }
  const ctr = w.aesCtr(aeadKey, i.nonce16);
  return {
    build: info.build,
    chacha20Poly1305: toHex(w.chacha20Poly1305(aeadKey).seal(nonce12, i.long, i.abc)),
    xchacha20Poly1305: toHex(w.xchacha20Poly1305(aeadKey).seal(nonce24, i.long, i.abc)),
    secretbox: toHex(w.secretbox(aeadKey).seal(nonce24, i.long)),
    aes128Gcm: toHex(w.aesGcm(aeadKey.subarray(0, 16)).seal(nonce12, i.long, i.abc)),
    aes256Gcm: toHex(w.aesGcm(aeadKey).seal(nonce12, i.long, i.abc)),
    aesIge: toHex(w.aesIge(aeadKey).encrypt(i.ck, i.long.subarray(0, 992))),
    aesIgeBack: toHex(w.aesIge(aeadKey).decrypt(i.ck, w.aesIge(aeadKey).encrypt(i.ck, i.long.subarray(0, 992)))),
    aesCtr: toHex(ctr.update(i.long.subarray(0, 100))) + toHex(ctr.update(i.long.subarray(100, 333))),
    authError,
    sha1: toHex(w.sha1(i.abc)), sha256: toHex(w.sha256(i.abc)), sha512: toHex(w.sha512(i.long)),
    sha256Streamed: toHex(h.digest()),
    hmacSha256: toHex(w.hmacSha256(i.key, i.msg)), hmacSha1: toHex(w.hmacSha1(i.key, i.msg)), hmacSha512: toHex(w.hmacSha512(i.key, i.msg)),
    hkdf: toHex(w.hkdf(i.ikm, i.salt, i.info, 42)),
    ratchet: [...r.messageKeys.map(toHex), toHex(r.chainKey)],
    lengthError,
  };
};
window.ready = true;
