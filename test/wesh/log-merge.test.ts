// Convergence property: three replicas of one group log, random interleavings of appends and
// (partial) exchanges; once everything has been exchanged, every replica holds exactly the same
// ordered list and heads, and that order is (Lamport time, writer bytes, CID bytes). Fixed seed
// (FC_SEED overrides it).
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { WeshLog } from '../../bindings/wesh/log/index.js';
import { forEachProvider } from '../helpers/providers.js';
import { cids, group, openLog, text } from './log-helpers.js';

const SEED = Number(process.env.FC_SEED ?? 20261201);

type Op = { kind: 'append'; who: number } | { kind: 'send'; from: number; to: number; mask: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), who: fc.nat(2) }),
  fc.record({ kind: fc.constant('send' as const), from: fc.nat(2), to: fc.nat(2), mask: fc.nat() }),
);

forEachProvider((provider) => {
  it('three replicas converge to one order whatever the interleaving', async () => {
    const g = group(provider);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const logs: WeshLog[] = [await openLog(g), await openLog(g), await openLog(g)];
        for (const o of ops) {
          if (o.kind === 'append') await logs[o.who].append(text(`${o.who}:${n++}`));
          else if (o.from !== o.to) {
            // a partial exchange: a pseudo-random subset, in reverse order, so parents often come late
            const subset = [...logs[o.from]].filter((_, i) => ((o.mask >>> (i % 31)) & 1) === 1).reverse();
            const r = await logs[o.to].join(subset.map((e) => ({ cid: e.cid, bytes: e.bytes })));
            expect(r.rejected).toEqual([]);
          }
        }
        for (let round = 0; round < 2; round++) {
          for (const from of logs) for (const to of logs) if (from !== to) await to.join([...from].map((e) => e.bytes));
        }
        const reference = [...logs[0]].slice().sort((p, q) => p.clock.time - q.clock.time || Buffer.compare(p.key, q.key) || Buffer.compare(p.cidBytes, q.cidBytes));
        const expected = reference.map((e) => e.cid.toString());
        for (const log of logs) {
          expect(cids(log)).toEqual(expected);
          expect(log.pendingCount).toBe(0);
          expect(log.heads.map((e) => e.cid.toString())).toEqual(logs[0].heads.map((e) => e.cid.toString()));
        }
        const appended = ops.filter((o) => o.kind === 'append').length;
        expect(expected.length).toBe(appended);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
});
