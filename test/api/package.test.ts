// The built package as users get it: `import … from 'wirecrypt'` in plain Node (self-reference
// through package.json "exports"), every build via WIRECRYPT_WASM, and the type declarations.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHILD_NODE_FLAGS } from '../helpers/builds.js';

const ROOT = new URL('../../', import.meta.url);

function runNode(code: string, env: Record<string, string> = {}, flags: readonly string[] = []): string {
  return execFileSync(process.execPath, [...flags, '--input-type=module', '-e', code], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' }).trim();
}

describe('package', () => {
  for (const build of ['relaxed', 'simd', 'scalar']) {
    it(`imports by name in plain Node and honours WIRECRYPT_WASM=${build}`, () => {
      const out = runNode(
        "import { sha256, engineInfo } from 'wirecrypt'; const h = Buffer.from(sha256(new TextEncoder().encode('abc'))).toString('hex'); console.log(engineInfo().build, h);",
        { WIRECRYPT_WASM: build },
        build === 'relaxed' ? CHILD_NODE_FLAGS : [],
      );
      expect(out).toBe(`${build} ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad`);
    });
  }

  it('picks the relaxed-SIMD build by default where the runtime validates it, else the SIMD build', () => {
    const code = "import { engineInfo } from 'wirecrypt'; const i = engineInfo(); console.log(i.build, i.relaxedSimdSupported);";
    const plain = runNode(code, { WIRECRYPT_WASM: '' });
    expect(['simd false', 'relaxed true']).toContain(plain);
    expect(runNode(code, { WIRECRYPT_WASM: '' }, CHILD_NODE_FLAGS)).toBe('relaxed true');
    if (plain === 'simd false') {
      const refused = runNode("import { init } from 'wirecrypt'; try { init({ wasm: 'relaxed' }); } catch (e) { console.log(e.constructor.name, e.message); }");
      expect(refused).toBe('RangeError init: wasm "relaxed" was requested but this runtime does not support WebAssembly relaxed SIMD');
    }
  });

  it('rejects a bad WIRECRYPT_WASM value with a RangeError naming it', () => {
    const out = runNode("import { sha256 } from 'wirecrypt'; try { sha256(new Uint8Array(1)); } catch (e) { console.log(e.constructor.name, e.message); }", { WIRECRYPT_WASM: 'turbo' });
    expect(out).toBe('RangeError WIRECRYPT_WASM must be relaxed, simd, scalar or auto, got "turbo"');
  });

  it('ships type declarations for every export', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8'));
    const types = new URL(pkg.exports['.'].types, ROOT);
    expect(existsSync(types)).toBe(true);
    const dts = ['index', 'engine'].map((f) => readFileSync(new URL(`dist/types/${f}.d.ts`, ROOT), 'utf8')).join('\n');
    for (const name of ['sha256', 'createSha512', 'hmacSha1', 'hkdfExpand', 'ratchetChain', 'init', 'engineInfo', 'x25519', 'ed25519', 'p256', 'box', 'hpke', 'wasmProvider', 'InvalidKeyError']) {
      expect(dts).toContain(name);
    }
    expect(existsSync(new URL(pkg.exports['./reference'].types, ROOT))).toBe(true);
    for (const sub of ['./mtproto', './mmtls', './mls', './wesh']) expect(existsSync(new URL(pkg.exports[sub].types, ROOT)), sub).toBe(true);
  });

  it("'wirecrypt/wesh' and the wesh namespace of 'wirecrypt': the same functions, on the wasm engine", () => {
    const out = runNode(
      "import { crypto } from 'wirecrypt/wesh'; import { wesh } from 'wirecrypt'; const h = (b) => Buffer.from(b).toString('hex');"
      + " const secret = Buffer.from('b46698c7e0e35a6a255c0591eb2c4052ef19fee1f09be614d6af7e62ce1b8904', 'hex'), pk = Buffer.from('935b22e1418b9127fc7f6fa2afc720133a7d059a4be2e40ed2d704ea0d5e1498', 'hex');"
      + " console.log(h(crypto.groupDerivedKeys(pk, secret).linkKey), h(wesh.crypto.handshake.requesterAcknowledge()), crypto.provider.name);",
    );
    expect(out).toBe('4004c278efe603c1839207b0550baea58b9b5fb2ee9c232707c99996ed4727af 020801 wirecrypt-wasm');
  });

  it('ships the wasm builds as files next to the Node entry (read at first use); P-256 works from the package', () => {
    const shipped = readdirSync(new URL('dist/', ROOT), { recursive: true }).filter((f) => String(f).endsWith('.wasm')).sort();
    expect(shipped).toEqual(['wirecrypt.relaxed.wasm', 'wirecrypt.scalar.wasm', 'wirecrypt.simd.wasm']);
    for (const build of ['relaxed', 'simd', 'scalar']) {
      expect(readFileSync(new URL(`dist/wirecrypt.${build}.wasm`, ROOT)).equals(readFileSync(new URL(`build/wirecrypt.${build}.wasm`, ROOT)))).toBe(true);
    }
    const out = runNode(
      "import { p256, x25519, init } from 'wirecrypt'; const k = p256.generateKeyPair(); const m = new Uint8Array(5);"
      + " console.log(p256.verify(k.publicKey, m, p256.sign(k.secretKey, m)), x25519.publicKey(new Uint8Array(32).fill(1)).length, init({ wasm: 'scalar' }).build);",
    );
    expect(out).toBe('true 32 scalar');
  });

  it('embeds only the SIMD build in the default browser bundle; the relaxed-SIMD and scalar builds are separate files (issue 9 §4)', () => {
    const b64 = (f: string) => readFileSync(new URL(f, ROOT)).toString('base64');
    const [relaxed, simd, scalar] = ['relaxed', 'simd', 'scalar'].map((b) => b64(`build/wirecrypt.${b}.wasm`));
    const text = (f: string) => readFileSync(new URL(f, ROOT), 'utf8');
    expect(text('dist/wirecrypt.browser.js').includes(simd)).toBe(true);
    expect(text('dist/wirecrypt.browser.js').includes(scalar)).toBe(false);
    expect(text('dist/wirecrypt.browser.js').includes(relaxed)).toBe(false);
    expect(text('dist/wirecrypt.scalar.browser.js').includes(scalar)).toBe(true);
    expect(text('dist/wirecrypt.relaxed.browser.js').includes(relaxed)).toBe(true);
    expect(text('dist/index.js').includes(simd.slice(0, 4096)), 'no base64 in the Node entry').toBe(false);
    // a page that did not import 'wirecrypt/scalar' gets a RangeError saying so
    const out = runNode(
      "const w = await import('./dist/wirecrypt.browser.js'); try { w.init({ wasm: 'scalar' }); } catch (e) { console.log(e.constructor.name, e.message); }"
      + " await import('./dist/wirecrypt.scalar.browser.js'); console.log(w.init({ wasm: 'scalar' }).build, w.sha256(new Uint8Array(0))[0]);",
    );
    expect(out).toBe("RangeError init: the scalar wasm build is not in this bundle; import 'wirecrypt/scalar' (dist/wirecrypt.scalar.browser.js) first\nscalar 227");
    // where relaxed SIMD validates, the default stays SIMD until 'wirecrypt/relaxed' is imported
    const relaxedOut = runNode(
      "const w = await import('./dist/wirecrypt.browser.js'); console.log(w.init().build); try { w.init({ wasm: 'relaxed' }); } catch (e) { console.log(e.constructor.name, e.message); }"
      + " await import('./dist/wirecrypt.relaxed.browser.js'); console.log(w.init().build, w.sha256(new Uint8Array(0))[0]);",
      {},
      CHILD_NODE_FLAGS,
    );
    expect(relaxedOut).toBe("simd\nRangeError init: the relaxed wasm build is not in this bundle; import 'wirecrypt/relaxed' (dist/wirecrypt.relaxed.browser.js) first\nrelaxed 227");
  });

  it("loads hpke, p256, ed25519 and wasmProvider of 'wirecrypt' on first use: the very objects the protocols use (issue 9 §4)", () => {
    const out = runNode(
      "import * as w from 'wirecrypt'; import { crypto } from 'wirecrypt/wesh'; const p = crypto.provider, keys = Object.keys(w.wasmProvider);"
      + " console.log(keys.join() === Object.keys(p).join(), keys.every((k) => w.wasmProvider[k] === p[k]), Object.isFrozen(w.hpke), Object.keys(w.p256).includes('sign'), w.ed25519.publicKeyLength);"
      + " const k = w.ed25519.generateKeyPair(), m = new Uint8Array(3); console.log(p.signature('Ed25519').verify(k.publicKey, m, w.ed25519.sign(k.secretKey, m)));",
    );
    expect(out).toBe('true true true true 32\ntrue');
    // ... and dist/index.js is one file without them (each module file on the import path costs a cold start)
    const index = readFileSync(new URL('dist/index.js', ROOT), 'utf8');
    expect(index, 'no static import of another file').not.toMatch(/(from|import) "\.\.?\//);
    for (const file of ['hpke/suite.ts', 'p256.ts', 'ed25519.ts', 'provider/wasm.ts']) expect(index.includes(`// bindings/${file}\n`), file).toBe(false);
    expect(index.includes('// bindings/hash.ts\n')).toBe(true);
  });

  it("exports the reference provider as 'wirecrypt/reference', sharing the error classes", () => {
    const out = runNode(
      "import { InvalidKeyError, wasmProvider } from 'wirecrypt'; import { referenceProvider } from 'wirecrypt/reference';"
      + " try { referenceProvider.dh('X25519').sharedSecret(new Uint8Array(32), new Uint8Array(32)); } catch (e) { console.log(e instanceof InvalidKeyError, e.reason); }"
      + " const k = new Uint8Array(32).fill(1); console.log(Buffer.from(referenceProvider.dh('X25519').publicKey(k)).equals(wasmProvider.dh('X25519').publicKey(k)));",
    );
    expect(out).toBe('true zero-shared-secret\ntrue');
  });

  it("exports MTProto as 'wirecrypt/mtproto' and as the mtproto namespace of 'wirecrypt' (one module; with the server in Node, client-only in browsers)", async () => {
    const out = runNode(
      "import * as mt from 'wirecrypt/mtproto';"
      + " const key = new mt.AuthKey((await import('wirecrypt')).wasmProvider, new Uint8Array(256).fill(7));"
      + " const m = { salt: 1n, sessionId: 2n, msgId: 4n << 32n, seqNo: 1, body: new Uint8Array(8) };"
      + " const p = mt.encryptMessage((await import('wirecrypt')).wasmProvider, key, m, { from: 'client' });"
      + " console.log(typeof mt.MtprotoServer, typeof mt.MtprotoClient, typeof mt.RedisAuthKeyStore, mt.decryptMessage((await import('wirecrypt')).wasmProvider, key, p, { from: 'client' }).seqNo);"
      + " const { mtproto } = await import('wirecrypt'); console.log(mtproto.MtprotoServer === mt.MtprotoServer, mtproto.AuthKey === mt.AuthKey);",
    );
    expect(out).toBe('function function function 1\ntrue true');
    const browser = await import(new URL('dist/mtproto.browser.js', ROOT).href);
    expect([typeof browser.MtprotoClient, typeof browser.encryptMessage, browser.MtprotoServer, browser.RedisAuthKeyStore]).toEqual(['function', 'function', undefined, undefined]);
    const root = await import(new URL('dist/wirecrypt.browser.js', ROOT).href);
    expect([typeof root.mtproto.MtprotoClient, root.mtproto.MtprotoServer]).toEqual(['function', undefined]);
  });

  it("exports mmtls as 'wirecrypt/mmtls' and as the mmtls namespace of 'wirecrypt' (one module); browsers get its portable part", async () => {
    const out = runNode(
      "import * as m from 'wirecrypt/mmtls'; import { mmtls, wasmProvider } from 'wirecrypt';"
      + " const keys = m.generateServerKeys(); console.log(keys.signingKey.length, keys.verifyKey.length, keys.verifyKey[0]);"
      + " console.log(mmtls.MmtlsServer === m.MmtlsServer, typeof m.MmtlsClient, typeof m.RedisReplayStore, typeof m.RedisTicketKeys);"
      + " console.log(m.decodeAlert(m.encodeAlert('end_of_data')).name, new m.RecordStream(wasmProvider).sequence);",
    );
    expect(out).toBe('32 65 4\ntrue function function function\nend_of_data 0');
    const browser = await import(new URL('dist/wirecrypt.browser.js', ROOT).href);
    expect([typeof browser.mmtls.ClientConnection, typeof browser.mmtls.ServerConnection, browser.mmtls.MmtlsServer, browser.mmtls.MmtlsClient]).toEqual(['function', 'function', undefined, undefined]);
    const own = await import(new URL('dist/mmtls.browser.js', ROOT).href);
    expect([typeof own.ClientConnection, own.MmtlsServer]).toEqual(['function', undefined]);
  });

  it("exports MLS as 'wirecrypt/mls' and as the mls namespace of 'wirecrypt' (one module): a passive client joins and processes an epoch", () => {
    const out = runNode(
      "import * as m from 'wirecrypt/mls'; import { mls } from 'wirecrypt'; import { readFileSync } from 'node:fs';"
      + " const h = (s) => Uint8Array.from(Buffer.from(s, 'hex'));"
      + " const v = JSON.parse(readFileSync('../shared/vectors/mls/passive-client-handling-commit.json', 'utf8')).find((x) => x.cipher_suite === 3 && x.epochs.length > 0);"
      + " const secrets = m.keyPackageSecretsFrom({ keyPackage: h(v.key_package), initPrivateKey: h(v.init_priv), encryptionPrivateKey: h(v.encryption_priv), signaturePrivateKey: h(v.signature_priv) });"
      + " const g = mls.joinGroup(h(v.welcome), secrets, { ratchetTree: v.ratchet_tree ? h(v.ratchet_tree) : undefined, psks: v.external_psks.map((p) => ({ id: h(p.psk_id), secret: h(p.psk) })) });"
      + " for (const p of v.epochs[0].proposals) g.process(h(p)); const r = g.process(h(v.epochs[0].commit));"
      + " console.log(mls.Group === m.Group, r.kind, Buffer.from(g.epochAuthenticator).toString('hex') === v.epochs[0].epoch_authenticator);",
    );
    expect(out).toBe('true commit true');
    const services = runNode("import * as m from 'wirecrypt/mls'; import { mls } from 'wirecrypt'; console.log(typeof m.DeliveryService, mls.RedisDeliveryStore === m.RedisDeliveryStore, typeof m.DeliveryClient, typeof m.xmtp.wrapWelcome, typeof m.dmls.Pprf);");
    expect(services).toBe('function true function function function');
  });

  it("loads each protocol namespace of 'wirecrypt' on first use in Node, as the module its own entry exports (issue 9 §4)", () => {
    // NODE_DEBUG=esm makes Node log every module it loads to stderr: importing 'wirecrypt' must load
    // no protocol entry; the first read of mls.* loads dist/mls.js and nothing else.
    const code = "const w = await import('wirecrypt'); console.error('MARK'); const m = await import('wirecrypt/mls'); const core = await import('./dist/wesh-core.js');"
      + " console.log(w.mls.createGroup === m.createGroup, Object.keys(w.mls).join() === Object.keys(m).join(), Object.keys(w.wesh).join() === Object.keys(core).join(),"
      + " Object.prototype.toString.call(w.mtproto), Object.isFrozen(w.mmtls), 'MmtlsServer' in w.mmtls, typeof w.mls.nothingLikeThis);";
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, env: { ...process.env, NODE_DEBUG: 'esm' }, encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('true true true [object Module] true true undefined');
    const beforeMark = run.stderr.slice(0, run.stderr.indexOf('MARK'));
    expect(beforeMark).toContain('dist/index.js');
    expect(beforeMark).not.toMatch(/dist\/(mls|mmtls|mtproto|wesh|wesh-core)\.js/);
  });

  it('browsers get the MLS client side only: no delivery service or Node-side stores', async () => {
    const browser = await import(new URL('dist/wirecrypt.browser.js', ROOT).href);
    expect([typeof browser.mls.joinGroup, typeof browser.mls.DeliveryClient, browser.mls.DeliveryService, browser.mls.RedisDeliveryStore]).toEqual(['function', 'function', undefined, undefined]);
    const own = await import(new URL('dist/mls.browser.js', ROOT).href);
    expect([typeof own.GroupChannel, own.DeliveryService]).toEqual(['function', undefined]);
  });
});
