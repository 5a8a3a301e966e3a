// Loaded by browser.test.ts into headless Chromium (served as-is): the browser bundle of
// 'wirecrypt/mtproto' as a client of an MtprotoServer running in the test's Node process.
import * as mt from '/mtproto.browser.js';

window.mtprotoEcho = async ({ port, publicKey, transport, tempKeys, id, payload }) => {
  const client = await mt.MtprotoClient.connect({ host: '127.0.0.1', port, rsaPublicKey: publicKey, transport, tempKeys });
  try {
    const request = new mt.TlWriter().int(id).bytes(Uint8Array.from(payload)).finish();
    const answer = await client.invoke(request);
    const r = new mt.TlReader(answer);
    return { id: r.uint(), payload: Array.from(r.bytes()), tempKey: client.authKeyId !== client.permAuthKeyId };
  } finally {
    await client.close();
  }
};

window.mtprotoTcp = async ({ port, publicKey }) => {
  try {
    await mt.MtprotoClient.connect({ host: '127.0.0.1', port, rsaPublicKey: publicKey, transport: 'intermediate' });
    return 'connected';
  } catch (e) {
    return `${e.name} ${e.code}`;
  }
};
window.ready = true;
