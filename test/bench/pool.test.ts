// The bench's pooling of several processes' rounds (bench/harness.mjs, `--processes N`): each cell's
// median and spread must come from every process's rounds, matched by implementation name, not from
// the first process or from the order rows arrive in.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: the bench is plain JavaScript without declarations
import { markdown, pool, ratio } from '../../bench/harness.mjs';

type Row = { name: string; values: Record<string, number>; spread: Record<string, [number, number]>; samples: Record<string, number[]> };
const row = (name: string, samples: Record<string, number[]>): Row => ({ name, values: {}, spread: {}, samples });
const run = (rows: Row[]) => ({ title: 'T', unit: 'MB/s', sizes: ['64 B', '1 KiB'], rows, notes: [] });

describe('bench pool', () => {
  const a = run([row('wirecrypt', { '64 B': [50, 52, 51], '1 KiB': [300, 310, 305] }), row('peer', { '64 B': [40, 41, 39], '1 KiB': [200, 201, 199] })]);
  // the second process lists its rows in another order and ran in another allocator state
  const b = run([row('peer', { '64 B': [30, 29, 31], '1 KiB': [150, 151, 149] }), row('wirecrypt', { '64 B': [60, 61, 62], '1 KiB': [320, 330, 325] })]);
  const pooled = pool([a, b]);

  it('pools every round of every process per implementation', () => {
    const [ours, peer] = pooled.rows;
    expect(ours.name).toBe('wirecrypt');
    expect(ours.samples['64 B']).toEqual([50, 52, 51, 60, 61, 62]);
    expect(ours.spread['64 B']).toEqual([50, 62]);
    expect(ours.values['64 B']).toBe(60); // the upper median of six
    expect(peer.spread['1 KiB']).toEqual([149, 201]);
    expect(peer.values['1 KiB']).toBe(199);
    expect(pooled.processes).toBe(2);
  });

  it('keeps the group and feeds the table', () => {
    expect(pooled.sizes).toEqual(['64 B', '1 KiB']);
    const table = markdown(pooled);
    expect(table).toContain('| wirecrypt | **60.0**<br><sub>50.0–62.0</sub> | **320**<br><sub>300–330</sub> |'); // 1 KiB: the upper median of 300…330
    // 64 B: round by round 50/40 … 62/31, whose median is 2.00 (the ratio of the pooled medians, 60/39, would be 1.54)
    expect(table).toContain('| peer | 39.0 (2.00×)<br><sub>29.0–41.0</sub> |');
  });
});

describe('bench ratio', () => {
  const cell = (figures: number[]) => row('x', { '64 B': figures });
  it('pairs the rounds, so a slow state that hits both implementations cancels', () => {
    // ChaCha20-Poly1305 open, 64 B, three processes of three rounds (2026-12-03, MB/s, rounded):
    // both slow in the first and last process, and in one round of the last libsodium was still fast
    const ours = cell([74, 76, 72, 122, 125, 112, 127, 74, 72]), peer = cell([56, 62, 58, 89, 89, 90, 94, 91, 60]);
    expect(ours.samples['64 B'].map((x, i) => x / peer.samples['64 B'][i]).filter((r) => r < 1)).toEqual([74 / 91]);
    expect(ratio(ours, peer, '64 B')).toBe(112 / 90); // the fifth of the nine ratios, 0.81 … 1.40
    const pooled = pool([run([ours, { ...peer, name: 'y' }])]).rows;
    expect(pooled[0].values['64 B'] / pooled[1].values['64 B']).toBe(76 / 89); // the medians' ratio would say 0.85×
  });
  it('falls back to the medians where rounds are not paired', () => {
    const ours = { ...cell([]), values: { '64 B': 10 }, samples: {} }, peer = { ...cell([]), values: { '64 B': 4 }, samples: {} };
    expect(ratio(ours, peer, '64 B')).toBe(2.5);
  });
});
