// MLS at scale (issue 13): group operations for N = 2 … 10 000 members, wirecrypt (wasm provider)
// side by side with ts-mls (npm 1.6.x, its default provider), suites 3 and 1. Measured outside the
// benchmark harness, like the MTProto loopback run: every operation needs a state prepared for it
// (a group before the Commit, a fresh copy of a receiver), which is made outside the timed part,
// and at N = 10 000 one run takes seconds.
//
// Per N, ms per operation (median of the runs):
//   create + add    a new group and one Commit adding N − 1 members (KeyPackages made beforehand), applied
//   join            joining from that Commit's Welcome (ratchet tree in the GroupInfo): decode, validate the
//                   whole tree (every leaf signature, tree and parent hashes), open the secrets
//   update create   a full-path update Commit by the newest member, in the tree the adds left
//   update process  a member processing that Commit
//   … copath filled the same, once a member of each of the newest member's copath subtrees has
//                   committed an update (from N = 1 024; wirecrypt only): ≈ log₂ N seals
//   remove          a Commit removing one member (created)
// and application messages: 100 B encrypt / decrypt msgs/s (median of rounds of 2 000), 64 KiB MB/s.
// The tree after one big add has blank parents, so the first path update encrypts to every leaf of
// its copath subtrees (about N HPKE seals): that is what "update" measures here, for both.
// ts-mls runs for each N while its create + add, extrapolated as N² from the previous N, stays under
// 60 s (the issue: "up to the largest N that finishes within 60 s"); one run per operation from N = 1 024.
import { mls } from 'wirecrypt';
import { tsGroupOps } from '../peers/ts-mls-group.mjs';

export const SCALE_TITLE = 'MLS groups at scale';
const text = (s) => new TextEncoder().encode(s);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function time(runs, prepare, op) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const input = await prepare();
    const t = performance.now();
    await op(input);
    out.push(performance.now() - t);
  }
  return median(out);
}

/** wirecrypt's operations on a group of n members. */
function wirecryptOps(suite, n) {
  const kps = Array.from({ length: n - 1 }, (_, i) => mls.createKeyPackage({ suite, identity: text(`member ${i + 1}`) }));
  const createAdd = () => {
    const g = mls.createGroup({ suite, identity: text('creator') });
    const r = n > 1 ? g.commit({ add: kps.map((k) => k.keyPackage) }) : undefined;
    if (r) g.applyPendingCommit();
    return { g, r };
  };
  return {
    createAdd,
    setup() {
      const { g: creator, r } = createAdd();
      const newest = n > 1 ? mls.joinGroup(r.welcome, kps[n - 2].secrets) : creator;
      return { creator, newest, welcome: r?.welcome, secrets: kps[n - 2]?.secrets, keyPackages: kps, creatorSaved: creator.save() };
    },
  };
}

// RFC 9420 Appendix C tree math (a tree of 2^d leaves), for the filled-copath update below.
const levelOf = (x) => { let k = 0; while ((x >> k) & 1) k++; return k; };
const parentOf = (x) => { const k = levelOf(x), b = (x >> (k + 1)) & 1; return (x | (1 << k)) ^ (b << (k + 1)); };
const siblingOf = (x) => 2 * parentOf(x) - x;

/**
 * The newest member's update once its copath is filled, as in a group that has lived a while: a
 * member of each copath subtree joins and commits an update first (processed by everyone kept), so
 * the newest member's path secrets go to one node per level (≈ log₂ N HPKE seals) rather than to
 * every leaf of blank subtrees. Prepared outside the timed part; the GroupInfo is not read.
 */
async function filledCopathUpdate(s, n, runs) {
  let width = 1;
  while (width < n) width *= 2;
  const root = width - 1;
  const updaters = [];
  for (let x = 2 * (n - 1); x !== root; x = parentOf(x)) {
    const c = siblingOf(x), k = levelOf(c), first = (c - (2 ** k - 1)) / 2;
    if (first <= n - 2) updaters.push(first);
  }
  const kept = new Map([[0, s.creator], [n - 1, s.newest]]);
  for (const leaf of updaters) if (!kept.has(leaf)) kept.set(leaf, mls.joinGroup(s.welcome, s.keyPackages[leaf - 1].secrets));
  for (const leaf of updaters) {
    const { commit } = kept.get(leaf).commit({ update: true });
    kept.get(leaf).applyPendingCommit();
    for (const [other, g] of kept) if (other !== leaf) g.process(commit);
  }
  const saved = s.creator.save();
  let commit;
  const updateCreateFilled = await time(runs, () => null, () => {
    commit = s.newest.commit({ update: true }).commit;
    s.newest.discardPendingCommit();
  });
  const updateProcessFilled = await time(runs, () => mls.loadGroup(saved), (g) => g.process(commit));
  return { updateCreateFilled, updateProcessFilled, filledCopathUpdaters: updaters.length };
}

export async function mlsScale({ quick = false, log = () => {}, sizes = quick ? [2, 16, 128, 1024] : [2, 16, 128, 1024, 10_000], suites = [3, 1] } = {}) {
  const rows = [];
  for (const suite of suites) {
    let tsAllowed = true;
    for (const n of sizes) {
      const runs = n >= 10_000 ? 3 : n >= 1024 ? 3 : 5;
      const wc = wirecryptOps(suite, n);
      const row = { suite, n, wirecrypt: {}, tsMls: null };
      row.wirecrypt.createAdd = await time(runs, () => null, () => wc.createAdd());
      const s = wc.setup();
      if (n > 1) {
        row.wirecrypt.join = await time(runs, () => null, () => mls.joinGroup(s.welcome, s.secrets).dispose());
        const updater = s.newest;
        let commit;
        row.wirecrypt.updateCreate = await time(runs, () => null, () => {
          commit = updater.commit({ update: true }).commit;
          updater.discardPendingCommit();
        });
        row.wirecrypt.updateProcess = await time(runs, () => mls.loadGroup(s.creatorSaved), (g) => g.process(commit));
        row.wirecrypt.remove = await time(runs, () => null, () => {
          s.creator.commit({ remove: [1] });
          s.creator.discardPendingCommit();
        });
        // application messages: the creator sends, the newest member receives
        const small = new Uint8Array(100).fill(7), big = new Uint8Array(65536).fill(9);
        // Rounds of `count` messages, median rate: one short burst moved by ±30 % with GC and JIT timing.
        const count = quick ? 500 : 2000, rounds = quick ? 3 : 7;
        const enc = [], dec = [];
        for (let round = 0; round < rounds; round++) {
          const t0 = performance.now();
          const msgs = Array.from({ length: count }, () => s.creator.encrypt(small));
          enc.push(count / ((performance.now() - t0) / 1000));
          const t1 = performance.now();
          for (const m of msgs) s.newest.process(m);
          dec.push(count / ((performance.now() - t1) / 1000));
        }
        row.wirecrypt.encryptPerSec = median(enc);
        row.wirecrypt.decryptPerSec = median(dec);
        const bigCount = 40;
        const t2 = performance.now();
        const bigs = Array.from({ length: bigCount }, () => s.creator.encrypt(big));
        row.wirecrypt.encryptMBs = (bigCount * 65536) / 1e6 / ((performance.now() - t2) / 1000);
        const t3 = performance.now();
        for (const m of bigs) s.newest.process(m);
        row.wirecrypt.decryptMBs = (bigCount * 65536) / 1e6 / ((performance.now() - t3) / 1000);
        if (n >= 1024) Object.assign(row.wirecrypt, await filledCopathUpdate(s, n, runs));
      }
      log(`  ${SCALE_TITLE} suite ${suite} N=${n} wirecrypt: ${JSON.stringify(row.wirecrypt, (_, v) => (typeof v === 'number' ? Number(v.toFixed(2)) : v))}`);
      if (tsAllowed) {
        row.tsMls = await tsGroupOps(suite, n, n >= 1024 ? 1 : runs, quick, time);
        log(`  ${SCALE_TITLE} suite ${suite} N=${n} ts-mls: ${JSON.stringify(row.tsMls, (_, v) => (typeof v === 'number' ? Number(v.toFixed(2)) : v))}`);
        // The next N runs only if, growing as N², its create + add would still take under 60 s.
        const next = sizes[sizes.indexOf(n) + 1];
        if (next !== undefined && row.tsMls.createAdd * (next / n) ** 2 > 60_000) tsAllowed = false;
      }
      rows.push(row);
    }
  }
  return { title: SCALE_TITLE, rows, markdown: markdownOf(rows), targets: targetsOf(rows) };
}

const OPS = [
  ['createAdd', 'create + add'], ['join', 'join'], ['updateCreate', 'update create'], ['updateProcess', 'update process'],
  ['updateCreateFilled', 'update create, copath filled'], ['updateProcessFilled', 'update process, copath filled'], ['remove', 'remove'],
];
const fmt = (x) => (x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function markdownOf(rows) {
  const lines = [];
  for (const suite of [...new Set(rows.map((r) => r.suite))]) {
    const rs = rows.filter((r) => r.suite === suite);
    lines.push(`| ${SCALE_TITLE}, suite ${suite} (ms per operation; wirecrypt / ts-mls = ratio) | ${rs.map((r) => `N = ${r.n}`).join(' | ')} |`);
    lines.push(`|---|${rs.map(() => '--:').join('|')}|`);
    for (const [key, label] of OPS) {
      lines.push(`| ${label} | ${rs.map((r) => {
        const w = r.wirecrypt[key], t = r.tsMls?.[key];
        if (w === undefined) return '—';
        return t === undefined ? `**${fmt(w)}**` : `**${fmt(w)}** / ${fmt(t)} (${(t / w).toFixed(1)}×)`;
      }).join(' | ')} |`);
    }
    for (const [key, label] of [['encryptPerSec', 'encrypt 100 B (msgs/s)'], ['decryptPerSec', 'decrypt 100 B (msgs/s)'], ['encryptMBs', 'encrypt 64 KiB (MB/s)'], ['decryptMBs', 'decrypt 64 KiB (MB/s)']]) {
      lines.push(`| ${label} | ${rs.map((r) => {
        const w = r.wirecrypt[key], t = r.tsMls?.[key];
        if (w === undefined) return '—';
        return t === undefined ? `**${fmt(w)}**` : `**${fmt(w)}** / ${fmt(t)} (${(w / t).toFixed(1)}×)`;
      }).join(' | ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

function targetsOf(rows) {
  const out = [];
  const at = (suite, n) => rows.find((r) => r.suite === suite && r.n === n);
  for (const suite of [3, 1]) {
    const r = at(suite, 1024);
    if (r?.tsMls) {
      for (const [key, label] of OPS) {
        if (r.wirecrypt[key] === undefined || r.tsMls[key] === undefined) continue;
        const ratio = r.tsMls[key] / r.wirecrypt[key];
        out.push({ text: `suite ${suite}, N = 1 024, ${label}: ≥ 10× ts-mls`, measured: `${ratio.toFixed(1)}×`, met: ratio >= 10 });
      }
    }
    const big = at(suite, 10_000);
    if (big) {
      const w = big.wirecrypt;
      const lim = (label, v, max, unit = 'ms') => out.push({ text: `suite ${suite}, N = 10 000, ${label} ≤ ${max} ${unit}`, measured: `${fmt(v)} ${unit}`, met: v <= max });
      lim('update commit create (first update after the mass add: ≈ N seals)', w.updateCreate, 50);
      lim('update commit process (first update after the mass add)', w.updateProcess, 50);
      lim('update commit create (copath filled)', w.updateCreateFilled, 50);
      lim('update commit process (copath filled)', w.updateProcessFilled, 50);
      lim('join', w.join, 1500);
      lim('create + add 10 000', w.createAdd, 5000);
      out.push({ text: `suite ${suite}, N = 10 000, encrypt 100 B ≥ 20 000 msgs/s`, measured: `${fmt(w.encryptPerSec)}/s`, met: w.encryptPerSec >= 20_000 });
      out.push({ text: `suite ${suite}, N = 10 000, decrypt 100 B ≥ 10 000 msgs/s`, measured: `${fmt(w.decryptPerSec)}/s`, met: w.decryptPerSec >= 10_000 });
    }
  }
  return out;
}
