// Wesh replicated group log (issue 14, "Benchmarks"): merging two divergent 50,000-entry logs in
// memory on one core (target ≤ 1 s), and appends/s. Measured outside the harness, like the MLS scale
// run: each merge needs a fresh replica prepared outside the timed part.
//
// The two logs share one root and then each gets 50,000 appends (one chain each, all under the
// group's one signing key, so times tie pairwise and the CID decides). "Merge" is replica A taking
// all of B's entries in one join(); three ways:
//   entries      B's Entry objects, already verified in this process (an in-memory log-to-log join):
//                access check, topological settle, order merge, heads, store write (memory)
//   blocks       B's { cid, bytes } as from the network: + copy, SHA-256 of every block, CID check,
//                strict decode, and all 50,000 Ed25519 signatures in one verifyBatch
//   blocks, no signatures   the same with a verifier that accepts everything, to show what the
//                signatures cost (they are most of it)
// and the Ed25519 verifyBatch of 50,000 entries alone. Appends/s on a memory store and on LevelDB
// (sync: true, each append fsynced before it resolves; and sync: false). Reopen: a LevelDB log of
// 100,001 entries opened again (every block hashed against its key and decoded, order rebuilt).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { wasmProvider } from 'wirecrypt';
import * as wesh from 'wirecrypt/wesh';

export const WESH_LOG_TITLE = 'Wesh replicated log';

/** A full garbage collection (V8's gc(), exposed for this process once, when first needed). */
function collectGarbage() {
  setFlagsFromString('--expose-gc');
  runInNewContext('gc')();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

export async function weshLogBench({ quick = false, log = () => {}, n = quick ? 10_000 : 50_000 } = {}) {
  const L = wesh.log;
  const secretKey = new Uint8Array(32).fill(7);
  const publicKey = wasmProvider.signature('Ed25519').publicKey(secretKey);
  const crypto = L.providerLogCrypto(wasmProvider, { secretKey, publicKey });
  const access = L.writersAccess([publicKey]);
  const id = 'c0ffee_wesh_group_messages';
  const open = (extra = {}) => L.WeshLog.open({ id, crypto, access, limits: { maxPending: 200_000 }, ...extra });
  // a sealed envelope of a short message: distinct bytes per entry, as real envelopes (random nonces) are
  let counter = 0;
  const payload = () => {
    const p = new Uint8Array(100);
    new DataView(p.buffer).setUint32(0, counter++);
    return p;
  };

  log(`  ${WESH_LOG_TITLE}: building two divergent logs of ${n} entries`);
  const a = await open();
  const root = await a.append(payload());
  const b = await open();
  await b.join([root]);
  let t = performance.now();
  for (let i = 0; i < n; i++) await a.append(payload());
  const appendMemory = n / ((performance.now() - t) / 1000);
  for (let i = 0; i < n; i++) await b.append(payload());
  const bEntries = [...b];
  const bBlocks = bEntries.map((e) => ({ cid: e.cidBytes, bytes: e.bytes }));

  const rounds = quick ? 2 : 5;
  // wall time and this process's CPU time (the machine is shared: CPU time is what the merge itself
  // cost). Each round starts after a full garbage collection, so that it does not also pay for
  // collecting the replicas of the rounds (and cases) before it: which case ran before would
  // otherwise move a merge by ±20 %. What the merge itself allocates is collected inside the timing.
  const merge = async (inputs, extra) => {
    const times = [];
    const cpu = [];
    let result;
    for (let r = 0; r < rounds; r++) {
      const replica = await open(extra);
      await replica.join(a); // a's entries, verified: the replica before the merge
      collectGarbage();
      const c0 = process.cpuUsage();
      t = performance.now();
      result = await replica.join(inputs);
      times.push(performance.now() - t);
      const c1 = process.cpuUsage(c0);
      cpu.push((c1.user + c1.system) / 1000);
      if (result.added.length !== n || result.rejected.length !== 0) throw new Error(`wesh-log bench: merge added ${result.added.length} of ${n}, rejected ${result.rejected.length} (${result.rejected[0]?.error.message}), held ${result.held}`);
      if (replica.length !== 2 * n + 1) throw new Error('wesh-log bench: wrong length after merge');
    }
    return { wall: median(times), min: Math.min(...times), max: Math.max(...times), cpu: median(cpu) };
  };
  log('  merging (entries)');
  const mergeEntries = await merge(bEntries);
  log('  merging (blocks, signatures verified)');
  const mergeBlocks = await merge(bBlocks);
  log('  merging (blocks, signature verification stubbed)');
  const trusting = { ...crypto, verify: () => true, verifyBatch: (items) => items.map(() => true) };
  const mergeNoSig = await merge(bBlocks, { crypto: trusting });
  const items = bEntries.map((e) => ({ publicKey: e.key, message: e.unsignedBytes(), signature: e.signature }));
  const v0 = process.cpuUsage();
  t = performance.now();
  wasmProvider.signature('Ed25519').verifyBatch(items);
  const verifyOnly = { wall: performance.now() - t, cpu: ((u) => (u.user + u.system) / 1000)(process.cpuUsage(v0)) };

  // LevelDB: appends/s with and without fsync, and reopening the merged log
  const dir = mkdtempSync(join(tmpdir(), 'wesh-log-bench-db-'));
  const appendsOn = async (sync, count) => {
    const store = await L.openLevelStore(join(dir, `append-${sync}`), { sync });
    const l = await open({ store });
    const start = performance.now();
    for (let i = 0; i < count; i++) await l.append(payload());
    const rate = count / ((performance.now() - start) / 1000);
    await l.close();
    return rate;
  };
  log('  appends on LevelDB');
  const appendSync = await appendsOn(true, quick ? 200 : 1000);
  const appendNoSync = await appendsOn(false, quick ? 1000 : 5000);
  log('  reopening from LevelDB');
  const store = await L.openLevelStore(join(dir, 'merged'), { sync: false });
  const full = await open({ store });
  await full.join(a);
  await full.join(bEntries);
  await full.close();
  t = performance.now();
  const reopened = await open({ store: await L.openLevelStore(join(dir, 'merged')) });
  const reopen = performance.now() - t;
  if (reopened.length !== 2 * n + 1) throw new Error('wesh-log bench: reopen lost entries');
  await reopened.close();
  rmSync(dir, { recursive: true, force: true });

  const fmt = (ms) => `${ms.toFixed(0)} ms`;
  const both = (m) => `**${fmt(m.wall)}**${m.min === undefined ? '' : `<br><sub>${m.min.toFixed(0)}–${m.max.toFixed(0)}</sub>`} (CPU ${fmt(m.cpu)})`;
  const rate = (r) => `${Math.round(r).toLocaleString('en-US')}/s`;
  const markdown = [
    `### ${WESH_LOG_TITLE} (${n.toLocaleString('en-US')} + ${n.toLocaleString('en-US')} divergent entries, 100 B payloads, one core, median of ${rounds} rounds with their range)`,
    '',
    '| operation | wall (process CPU) / rate |',
    '|---|--:|',
    `| merge: Entry objects already verified in this process (settle, order, heads, memory store) | ${both(mergeEntries)} |`,
    `| merge: blocks from a peer, hash + CID check + strict decode + ${n.toLocaleString('en-US')} Ed25519 signatures (verifyBatch) | ${both(mergeBlocks)} |`,
    `| merge: blocks from a peer, the same with signature verification stubbed out | ${both(mergeNoSig)} |`,
    `| Ed25519 verifyBatch of the ${n.toLocaleString('en-US')} entries alone | ${both(verifyOnly)} |`,
    `| append, memory store (sign + encode + hash) | **${rate(appendMemory)}** |`,
    `| append, LevelDB, sync: true (each append fsynced before it resolves) | **${rate(appendSync)}** |`,
    `| append, LevelDB, sync: false | **${rate(appendNoSync)}** |`,
    `| reopen a ${(2 * n + 1).toLocaleString('en-US')}-entry log from LevelDB (hash + decode every block, rebuild order) | ${fmt(reopen)} |`,
  ].join('\n');
  const targets = n === 50_000 ? [
    { text: 'Wesh: merge of two divergent 50,000-entry logs (in memory, one core, blocks, signatures stubbed) ≤ 1 s', measured: fmt(mergeNoSig.wall), met: mergeNoSig.wall <= 1000 },
    { text: 'Wesh: the same merge including 50,000 Ed25519 verifications ≤ 1 s', measured: fmt(mergeBlocks.wall), met: mergeBlocks.wall <= 1000 },
  ] : [];
  return { title: WESH_LOG_TITLE, markdown, targets, values: { n, mergeEntries, mergeBlocks, mergeNoSig, verifyOnly, appendMemory, appendSync, appendNoSync, reopen } };
}

// node bench/groups/wesh-log.mjs [--quick]
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await weshLogBench({ quick: process.argv.includes('--quick'), log: (s) => process.stderr.write(`${s}\n`) });
  console.log(r.markdown);
  for (const x of r.targets) console.log(`- ${x.text}: ${x.measured} (${x.met ? 'met' : 'not met'})`);
}
