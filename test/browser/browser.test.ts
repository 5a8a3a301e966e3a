// The browser bundle (dist/wirecrypt.browser.js) in headless Chromium, on every wasm build, gives the
// same answers as Node for a known-answer subset; the MTProto bundle's client talks to a Node server. Needs `npm run build` (npm test does it) and
// Debian's chromium at /usr/bin/chromium (.ci/run installs it).
import { createCipheriv, createECDH, createHash, createHmac, generateKeyPairSync, hkdfSync } from 'node:crypto';
import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import nacl from 'tweetnacl';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MtprotoServer } from '../../bindings/mtproto/server/server.js';
import { generateServerKeys } from '../../bindings/mmtls/keys.js';
import { MmtlsServer } from '../../bindings/mmtls/net/server.js';
import { request as httpRequest } from 'node:http';
import { hex, loadVectors } from '../helpers/vectors.js';

const FILES: Record<string, URL> = {
  '/wirecrypt.browser.js': new URL('../../dist/wirecrypt.browser.js', import.meta.url),
  '/wirecrypt.scalar.browser.js': new URL('../../dist/wirecrypt.scalar.browser.js', import.meta.url),
  '/wirecrypt.relaxed.browser.js': new URL('../../dist/wirecrypt.relaxed.browser.js', import.meta.url),
  '/page.js': new URL('./page.js', import.meta.url),
  '/mtproto.browser.js': new URL('../../dist/mtproto.browser.js', import.meta.url),
  '/mtproto-page.js': new URL('./mtproto-page.js', import.meta.url),
};
const PAGE = '<!doctype html><title>wirecrypt</title><script type="module" src="/page.js"></script>';
const MTPROTO_PAGE = '<!doctype html><title>wirecrypt mtproto</title><script type="module" src="/mtproto-page.js"></script>';
const wesh = loadVectors('wesh/wesh_vectors.json').vectors.ratchet;
const naclBox = loadVectors('nacl/nacl_classic_box_secretbox.json').curve25519xsalsa20poly1305_box;
const hpkeVector = loadVectors('hpke/hpke-x25519.json')[0];

// Inputs as hex so they cross into the page as plain JSON.
const INPUTS = {
  abc: Buffer.from('abc').toString('hex'),
  long: Buffer.alloc(1000, 0x61).toString('hex'),
  key: Buffer.from('Jefe').toString('hex'),
  msg: Buffer.from('what do ya want for nothing?').toString('hex'),
  ikm: '0b'.repeat(22),
  salt: '000102030405060708090a0b0c',
  info: 'f0f1f2f3f4f5f6f7f8f9',
  ck: wesh.initial_chain_key_counter0 as string,
  aeadKey: '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f',
  nonce12: '070000004041424344454647',
  nonce16: '000102030405060708090a0b0c0dfffe',
  nonce24: '404142434445464748494a4b4c4d4e4f5051525354555657',
  group: wesh.group_pk as string,
  xScalar: 'a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4',
  xU: 'e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c',
  edSeed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
  edMsg: '72',
  aliceSk: naclBox.alice_sk as string,
  bobPk: naclBox.bob_pk as string,
  boxNonce: naclBox.nonce as string,
  boxMsg: naclBox.plaintext as string,
  p256A: '0612465c89a023ab17855b0a6bcebfd3febb53aef84138647b5352e02c10c346',
  p256B: 'c49f8e2c4d1a0a6b1e5d6f8a9b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c',
  ikmR: hpkeVector.ikmR as string,
  ikmE: hpkeVector.ikmE as string,
  hpkeInfo: hpkeVector.info as string,
  hpkePt: hpkeVector.encryptions[0].pt as string,
  hpkeAad: hpkeVector.encryptions[0].aad as string,
};
type Inputs = typeof INPUTS;

/** IGE from node's AES-ECB and chaining (iv = y0 | x0). */
function igeEncrypt(key: Buffer, iv: Buffer, data: Buffer): string {
  let y = iv.subarray(0, 16), x = iv.subarray(16, 32);
  const out: Buffer[] = [];
  for (let off = 0; off < data.length; off += 16) {
    const m = data.subarray(off, off + 16);
    const e = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false).update(Buffer.from(m.map((v, i) => v ^ y[i])));
    y = Buffer.from(e.map((v, i) => v ^ x[i]));
    x = m;
    out.push(y);
  }
  return Buffer.concat(out).toString('hex');
}

function expected(build: string) {
  const b = (k: keyof Inputs) => Buffer.from(INPUTS[k], 'hex');
  const aead = (alg: string, key: Buffer, nonce: Buffer) => {
    const c = createCipheriv(alg as 'aes-128-gcm', key, nonce, { authTagLength: 16 } as any);
    c.setAAD(b('abc'));
    return Buffer.concat([c.update(b('long')), c.final(), c.getAuthTag()]).toString('hex');
  };
  const digest = (alg: string, d: Buffer) => createHash(alg).update(d).digest('hex');
  const mac = (alg: string) => createHmac(alg, b('key')).update(b('msg')).digest('hex');
  return {
    build,
    sha1: digest('sha1', b('abc')), sha256: digest('sha256', b('abc')), sha512: digest('sha512', b('long')),
    sha256Streamed: digest('sha256', b('long')),
    hmacSha256: mac('sha256'), hmacSha1: mac('sha1'), hmacSha512: mac('sha512'),
    hkdf: Buffer.from(hkdfSync('sha256', b('ikm'), b('salt'), b('info'), 42)).toString('hex'),
    ratchet: [...wesh.steps.map((s: any) => s.message_key), wesh.steps.at(-1).chain_key_out],
    lengthError: 'RangeError',
    chacha20Poly1305: aead('chacha20-poly1305', b('aeadKey'), b('nonce12')),
    xchacha20Poly1305: Buffer.from(xchacha20poly1305(b('aeadKey'), b('nonce24'), b('abc')).encrypt(b('long'))).toString('hex'),
    secretbox: Buffer.from(nacl.secretbox(b('long'), b('nonce24'), b('aeadKey'))).toString('hex'),
    aes128Gcm: aead('aes-128-gcm', b('aeadKey').subarray(0, 16), b('nonce12')),
    aes256Gcm: aead('aes-256-gcm', b('aeadKey'), b('nonce12')),
    aesIge: igeEncrypt(b('aeadKey'), b('ck'), b('long').subarray(0, 992)),
    aesIgeBack: b('long').subarray(0, 992).toString('hex'),
    aesCtr: createCipheriv('aes-256-ctr', b('aeadKey'), b('nonce16')).update(b('long').subarray(0, 333)).toString('hex'),
    authError: 'AuthenticationError',
    // RFC 7748 §5.2, RFC 8032 §7.1 test 2, the classic NaCl box, RFC 9180 vector 0
    x25519: 'c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552',
    x25519Public: Buffer.from(nobleX25519.getPublicKey(b('xScalar'))).toString('hex'),
    ed25519: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c'
      + '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
    ed25519Verify: [true, false],
    ed25519Batch: [true, true, true, false, true, true, true, true],
    box: naclBox.ciphertext_tag_first,
    p256Shared: (() => {
      const a = createECDH('prime256v1');
      a.setPrivateKey(b('p256A'));
      const other = createECDH('prime256v1');
      other.setPrivateKey(b('p256B'));
      return a.computeSecret(other.getPublicKey()).toString('hex');
    })(),
    hpke: [hpkeVector.enc, hpkeVector.encryptions[0].ct, hpkeVector.exports[0].exported_value],
  };
}

describe('browser bundle in headless Chromium', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let mmtlsPort = 0; // where /mmtls/* POSTs are forwarded (the page's fetch stays same-origin)

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/mmtls/') && mmtlsPort !== 0) {
        const forward = httpRequest({ host: '127.0.0.1', port: mmtlsPort, method: 'POST', path: req.url, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        req.pipe(forward);
        return;
      }
      const file = FILES[req.url ?? ''];
      if (file) res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(file));
      else res.writeHead(200, { 'content-type': 'text/html' }).end(req.url === '/mtproto' ? MTPROTO_PAGE : PAGE);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => (window as any).ready === true);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('reports SIMD and relaxed-SIMD support, and uses the relaxed-SIMD build once registered', async () => {
    const info = await page.evaluate(() => (window as any).engineInfo());
    expect(info).toMatchObject({ simdSupported: true, relaxedSimdSupported: true, build: 'relaxed' });
  });

  for (const build of ['relaxed', 'simd', 'scalar']) {
    it(`matches Node on the ${build} build`, async () => {
      const got = await page.evaluate(([inputs, b]) => (window as any).runKats(inputs, b), [INPUTS, build] as const);
      expect(got).toEqual(expected(build));
    });
  }

  // 'wirecrypt/mtproto' in the browser: MtprotoClient over WebSocket and HTTP (the transports a page
  // has) against an MtprotoServer in this Node process; the TCP transports say they need Node.
  it('MTProto: the browser client talks to MtprotoServer over WebSocket (with temporary keys) and HTTP', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } });
    const ECHO = 0x0ec40ec4;
    const mtServer = new MtprotoServer({ rsaPrivateKey: privateKey, handlers: { [ECHO]: (body) => body } });
    const { port } = await mtServer.listen({ host: '127.0.0.1', port: 0, http: true });
    const mtPage = await browser.newPage();
    try {
      await mtPage.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mtproto`);
      await mtPage.waitForFunction(() => (window as any).ready === true);
      const payload = Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
      for (const [transport, tempKeys] of [['websocket', true], ['websocket', false], ['http', false]] as const) {
        const got = await mtPage.evaluate((args) => (window as any).mtprotoEcho(args), { port, publicKey, transport, tempKeys, id: ECHO, payload });
        expect(got, transport).toEqual({ id: ECHO, payload, tempKey: tempKeys });
      }
      expect(await mtPage.evaluate((args) => (window as any).mtprotoTcp(args), { port, publicKey })).toBe('MtprotoError transport-unsupported');
    } finally {
      await mtPage.close();
      await mtServer.close();
    }
  });

  it('MLS: the namespace of the browser bundle joins and follows passive-client-handling-commit vectors of suites 1-3', async () => {
    const vectors = loadVectors<any[]>('mls/passive-client-handling-commit.json');
    for (const suite of [1, 2, 3]) {
      const v = vectors.find((x) => x.cipher_suite === suite && x.epochs.length > 0)!;
      const got = await page.evaluate((arg) => (window as any).mlsPassive(arg), v);
      expect(got, `suite ${suite}`).toEqual([v.initial_epoch_authenticator, ...v.epochs.map((e: any) => e.epoch_authenticator)]);
    }
  });

  it('Wesh: the namespace of the browser bundle seals the message-envelope known answer and opens it', async () => {
    const v = loadVectors('wesh/wesh_vectors.json').vectors;
    const got = await page.evaluate((m) => (window as any).weshEnvelope(m), v.message_envelope);
    expect(got).toEqual([v.message_envelope.message_envelope_proto, 'hello wesh', v.group_derived.link_key_hkdf_sha3_256_info_group_pk]);
  });

  it('mmtls: the namespace of the browser bundle runs a 0-RTT ECDH-ECDHE request against MmtlsServer', async () => {
    const keys = generateServerKeys();
    const mmServer = new MmtlsServer({ signingKey: keys.signingKey, handler: (request, info) => Uint8Array.from([...request.slice().reverse(), info.mode.length]) });
    mmtlsPort = (await mmServer.listen({ http: true })).port;
    try {
      const body = Buffer.from('a request from Chromium');
      const got = await page.evaluate((args) => (window as any).mmtlsZeroRtt(args), { verifyKey: Buffer.from(keys.verifyKey).toString('hex'), body: body.toString('hex') });
      expect(got).toEqual({ mode: '0rtt-ecdhe', ended: true, data: Buffer.from([...body.reverse(), '0rtt-ecdhe'.length]).toString('hex') });
    } finally {
      mmtlsPort = 0;
      await mmServer.close();
    }
  });
});
