// Loaded by browser.test.ts into headless Chromium as a module script (served as-is, never
// transformed). Exposes runKats(inputs, build) computing the known-answer subset with the bundle.
import '/wirecrypt.scalar.browser.js'; // registers the scalar build, which the default bundle leaves out
import '/wirecrypt.relaxed.browser.js'; // and the relaxed-SIMD build
import * as w from '/wirecrypt.browser.js';

const fromHex = (s) => new Uint8Array((s.match(/../g) ?? []).map((b) => parseInt(b, 16)));
const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

window.engineInfo = () => w.engineInfo();

// The `mmtls` namespace of the browser bundle (its portable part): a 0-RTT ECDH-ECDHE request
// built and checked by ClientConnection, posted with fetch to the page's origin, which the test
// forwards to an MmtlsServer's short link. ECDH-ECDHE needs no ticket, so one POST is the whole
// exchange.
window.mmtlsZeroRtt = async ({ verifyKey, body }) => {
  const m = w.mmtls;
  const data = [];
  let ended = false;
  const events = { onData: (c) => data.push(...c), onEnd: () => { ended = true; } };
  const conn = new m.ClientConnection({ provider: w.wasmProvider, verifyKey: fromHex(verifyKey), now: Date.now }, events, new m.ClientTickets());
  conn.start('0rtt-ecdhe');
  conn.sendApplicationData(m.encodeDataPart({ uri: '/cgi-bin/browser', host: location.host, body: fromHex(body) }));
  conn.sendEnd();
  const response = await fetch('/mmtls/0badcafe', { method: 'POST', body: conn.takeOutput() });
  for (const record of m.splitRecords(new Uint8Array(await response.arrayBuffer()))) conn.receive(record);
  conn.dispose();
  return { mode: conn.mode, ended, data: toHex(Uint8Array.from(data)) };
};

// The `mls` namespace of the browser bundle: a passive client joins from a Welcome and processes
// every epoch of an RFC 9420 passive-client vector, returning each epoch authenticator.
window.mlsPassive = (v) => {
  const secrets = w.mls.keyPackageSecretsFrom({
    keyPackage: fromHex(v.key_package), initPrivateKey: fromHex(v.init_priv), encryptionPrivateKey: fromHex(v.encryption_priv),
    signaturePrivateKey: fromHex(v.signature_priv),
  });
  const psks = v.external_psks.map((p) => ({ id: fromHex(p.psk_id), secret: fromHex(p.psk) }));
  const group = w.mls.joinGroup(fromHex(v.welcome), secrets, { psks, ...(v.ratchet_tree ? { ratchetTree: fromHex(v.ratchet_tree) } : {}) });
  const authenticators = [toHex(group.epochAuthenticator)];
  for (const epoch of v.epochs) {
    for (const p of epoch.proposals) group.process(fromHex(p));
    group.process(fromHex(epoch.commit));
    authenticators.push(toHex(group.epochAuthenticator));
  }
  group.dispose();
  return authenticators;
};

// Wesh through the browser bundle's wesh namespace: the message-envelope known answer, sealed then opened.
window.weshEnvelope = (m) => {
  const b = fromHex;
  const c = w.wesh.crypto;
  const mk = c.ratchetStep(b(m.chain_key_at_counter0), b(m.group_pk)).messageKey;
  const sealed = c.sealMessageEnvelope({ groupSecret: b(m.group_secret), messageKey: mk, counter: 1n, device: b(m.device_seed), plaintext: new TextEncoder().encode('hello wesh'), nonce: b(m.headers_nonce_fixed_for_test) });
  const opened = c.openMessageEnvelope(b(m.group_secret), sealed.envelope, () => mk);
  return [toHex(sealed.envelope), new TextDecoder().decode(opened.plaintext), toHex(c.groupDerivedKeys(b(m.group_pk), b(m.group_secret)).linkKey)];
};

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
  const edSig = w.ed25519.sign(i.edSeed, i.edMsg);
  const edPk = w.ed25519.publicKey(i.edSeed);
  const batch = w.ed25519.verifyBatch(Array.from({ length: 8 }, (_, k) => ({ publicKey: edPk, message: k === 3 ? i.abc : i.edMsg, signature: edSig })));
  const suite = w.hpke.suite({ kem: 0x20, kdf: 1, aead: 1 });
  const recipient = suite.deriveKeyPair(i.ikmR);
  const sender = suite.setupBaseS(recipient.publicKey, i.hpkeInfo, { ephemeralKeyPair: suite.deriveKeyPair(i.ikmE) });
  const p256Shared = w.p256.ecdh(i.p256A, w.p256.publicKey(i.p256B));
  return {
    x25519: toHex(w.x25519.sharedSecret(i.xScalar, i.xU)),
    x25519Public: toHex(w.x25519.publicKey(i.xScalar)),
    ed25519: toHex(edPk) + toHex(edSig),
    ed25519Verify: [w.ed25519.verify(edPk, i.edMsg, edSig), w.ed25519.verify(edPk, i.abc, edSig)],
    ed25519Batch: batch,
    box: toHex(w.box(i.aliceSk, i.bobPk).seal(i.boxNonce, i.boxMsg)),
    p256Shared: toHex(p256Shared),
    hpke: [toHex(sender.enc), toHex(sender.seal(i.hpkePt, i.hpkeAad)), toHex(sender.export(new Uint8Array(0), 32))],
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
