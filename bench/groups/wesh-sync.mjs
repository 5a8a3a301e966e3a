// Wesh replicated log over the network (issue 14, "Benchmarks"): replication of 10,000 entries from
// one peer to a fresh peer over loopback, target ≤ 5 s from connect until the receiver holds all of
// them. Two js-libp2p nodes on 127.0.0.1 (TCP + Noise + Yamux + identify) in this process, each
// with a LogSync (/wesh/log-sync/1.0.0); the sender's log is built outside the timed part (100-byte
// payloads, wasm provider). Timed: dial + stream negotiation + hello, proofs, heads + the catch-up (entries
// not reachable from the receiver's heads, chunked blocks messages) + the receiver's join (hash,
// CID check, strict decode, 10,000 Ed25519 verifications, memory store). Both peers share this
// process, so the wall time includes the sender's and the receiver's work on one thread.

import { pathToFileURL } from 'node:url';
import { wasmProvider } from 'wirecrypt';
import * as wesh from 'wirecrypt/wesh';

export const WESH_SYNC_TITLE = 'Wesh log replication over libp2p';
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

export async function weshSyncBench({ quick = false, log = () => {}, n = 10_000 } = {}) {
  const L = wesh.log;
  const secretKey = new Uint8Array(32).fill(9);
  const publicKey = wasmProvider.signature('Ed25519').publicKey(secretKey);
  const crypto = L.providerLogCrypto(wasmProvider, { secretKey, publicKey });
  const access = L.writersAccess([publicKey]);
  const id = 'c0ffee_wesh_group_messages';
  const linkKey = new Uint8Array(32).fill(0x3c);
  const open = () => L.WeshLog.open({ id, crypto, access, limits: { maxPending: 2 * n } });

  log(`  ${WESH_SYNC_TITLE}: building a log of ${n} entries`);
  const source = await open();
  for (let i = 0; i < n; i++) {
    const p = new Uint8Array(100);
    new DataView(p.buffer).setUint32(0, i);
    await source.append(p);
  }
  const bytes = [...source].reduce((s, e) => s + e.bytes.length, 0);

  const rounds = quick ? 1 : 3;
  const times = [];
  const cpu = [];
  let stats;
  for (let r = 0; r < rounds; r++) {
    const [na, nb] = await Promise.all([wesh.createPeer(), wesh.createPeer()]);
    const sa = new wesh.LogSync(na, { provider: wasmProvider });
    const sb = new wesh.LogSync(nb, { provider: wasmProvider });
    await Promise.all([sa.start(), sb.start()]);
    const target = await open();
    sa.addLog(source, linkKey);
    sb.addLog(target, linkKey);
    let done;
    const all = new Promise((resolve) => (done = resolve));
    const unsubscribe = target.subscribe(() => void (target.length >= n && done()));
    log(`  round ${r + 1}: replicating`);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await sb.connect(na.getMultiaddrs()[0]);
    await all;
    times.push(performance.now() - t0);
    const c1 = process.cpuUsage(c0);
    cpu.push((c1.user + c1.system) / 1000);
    unsubscribe();
    if (target.length !== n) throw new Error(`wesh-sync bench: the receiver holds ${target.length} of ${n}`);
    const [x, y] = [[...source].map((e) => e.k).join(), [...target].map((e) => e.k).join()];
    if (x !== y) throw new Error('wesh-sync bench: the replicas differ');
    stats = { sender: sa.stats, receiver: sb.stats };
    await Promise.all([sa.close(), sb.close()]);
    await Promise.all([na.stop(), nb.stop()]);
    await target.close();
  }
  await source.close();

  const wall = median(times);
  const cpuMs = median(cpu);
  const fmt = (ms) => `${ms.toFixed(0)} ms`;
  const markdown = [
    `### ${WESH_SYNC_TITLE} (${n.toLocaleString('en-US')} entries, 100 B payloads, ${(bytes / 1e6).toFixed(1)} MB of blocks, loopback, both peers in one process, median of ${rounds})`,
    '',
    '| operation | wall (process CPU) |',
    '|---|--:|',
    `| connect → the fresh peer holds all ${n.toLocaleString('en-US')} entries (dial, Noise, Yamux, hello, proofs, heads, blocks, join with signature verification) | **${fmt(wall)}** (CPU ${fmt(cpuMs)}) |`,
    `| per entry | ${((wall * 1000) / n).toFixed(0)} µs |`,
    '',
    `Messages: the receiver got ${stats.receiver.messagesReceived} messages (${stats.receiver.blocksReceived.toLocaleString('en-US')} blocks, ${stats.receiver.duplicates} duplicates, ${stats.receiver.rejected} rejected).`,
  ].join('\n');
  const targets = n === 10_000 ? [
    { text: 'Wesh: 10,000 entries replicated to a fresh peer over loopback ≤ 5 s', measured: fmt(wall), met: wall <= 5000 },
  ] : [];
  return { title: WESH_SYNC_TITLE, markdown, targets, values: { n, bytes, wall, cpu: cpuMs, times, stats } };
}

// node bench/groups/wesh-sync.mjs [--quick]
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await weshSyncBench({ quick: process.argv.includes('--quick'), log: (s) => process.stderr.write(`${s}\n`) });
  console.log(r.markdown);
  for (const x of r.targets) console.log(`- ${x.text}: ${x.measured} (${x.met ? 'met' : 'not met'})`);
}
