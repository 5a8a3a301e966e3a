// The delivery-service client in a real browser (headless Chromium, as test/browser does): the
// client side bundled for the browser platform (helpers/ds-bundle.ts) on the page's own fetch and
// WebSocket, across origins (the page and the service are on different ports, so CORS is
// exercised), with the MLS group of dist/mls.browser.js — a member living in the page joins a group
// made in Node through the service, reads and answers. Needs `npm run build` (npm test does it) and
// Debian's chromium (.ci/run installs it).
import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type Page, chromium } from 'playwright-core';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryClient, type WebSocketConstructor } from '../../bindings/mls/ds/index.js';
import { DeliveryService } from '../../bindings/mls/ds/service.js';
import { createGroup } from '../../bindings/mls/index.js';
import { dsBrowserBundle } from '../helpers/ds-bundle.js';

const MLS_BROWSER = new URL('../../dist/mls.browser.js', import.meta.url);
const PAGE = `<!doctype html><title>wirecrypt ds</title><script type="module">
import * as ds from '/ds.js';
import * as mls from '/mls.js';
const enc = new TextEncoder(), dec = new TextDecoder();
// A member in the page: a KeyPackage uploaded, the Welcome awaited (pushed over the WebSocket), the
// group joined and attached, one message read, one sent.
window.member = async (url) => {
  const client = new ds.DeliveryClient({ url });
  const { keyPackage, secrets } = mls.createKeyPackage({ identity: enc.encode('in the browser') });
  const installation = await client.uploadKeyPackage(keyPackage);
  window.joined = (async () => {
    const welcome = await client.nextWelcome(installation, { timeoutMs: 10000 });
    const group = mls.joinGroup(welcome.data, secrets);
    const got = [];
    let gotOne;
    const first = new Promise((r) => { gotOne = r; });
    const channel = client.attach(group, { cursor: welcome.seq, onMessage: (r) => { if (r.kind === 'application') { got.push(dec.decode(r.plaintext)); gotOne(); } } });
    await first;
    const { seq } = await channel.send(enc.encode('hello from the page'));
    const auth = Array.from(group.epochAuthenticator, (b) => b.toString(16).padStart(2, '0')).join('');
    channel.close();
    client.close();
    return { got, seq, epoch: String(group.epoch), auth, hasGlobalWebSocket: typeof WebSocket === 'function' };
  })();
  return installation;
};
window.ready = true;
</script>`;

describe('DeliveryClient in Chromium', () => {
  let pages: Server;
  let service: DeliveryService;
  let serviceUrl: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    service = new DeliveryService();
    serviceUrl = (await service.listen()).url;
    const clientJs = await dsBrowserBundle();
    pages = createServer((req, res) => {
      if (req.url === '/ds.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(clientJs);
      else if (req.url === '/mls.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(MLS_BROWSER));
      else res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(pages.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => (window as any).ready === true);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => pages?.close(resolve));
    await service?.close();
  });

  it('a member in the page joins through the service, reads, and answers', async () => {
    const installation = await page.evaluate((url) => (window as any).member(url), serviceUrl);
    const client = new DeliveryClient({ url: serviceUrl, WebSocket: WebSocket as unknown as WebSocketConstructor });
    const group = createGroup({ identity: new TextEncoder().encode('in node') });
    const seen: string[] = [];
    const channel = client.attach(group, { onMessage: (r) => { if (r.kind === 'application') seen.push(new TextDecoder().decode(r.plaintext)); } });
    await channel.add([installation]);
    await channel.send(new TextEncoder().encode('hello from node'));
    const result = await page.evaluate(() => (window as any).joined);
    expect(result.hasGlobalWebSocket).toBe(true);
    expect(result.got).toEqual(['hello from node']);
    await channel.waitFor(result.seq);
    expect(seen).toEqual(['hello from the page']);
    expect(result.epoch).toBe(String(group.epoch));
    expect(result.auth).toBe(Buffer.from(group.epochAuthenticator).toString('hex'));
    channel.close();
    client.close();
  });
});
