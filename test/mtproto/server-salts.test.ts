// The server's salt book over a real AuthKeyStore (spec §4.3): salts issued on the 30-minute grid
// and stored, the next slot issued ahead, a salt another process of the fleet added found by
// reloading on a miss (at most once a second), an unknown salt refused, future salts from the store.
import { describe, expect, it } from 'vitest';
import { MemoryAuthKeyStore } from '../../bindings/mtproto/server/memory-store.js';
import { SaltBook } from '../../bindings/mtproto/server/salt-book.js';
import { SALT_LIFETIME, SALT_PERIOD } from '../../bindings/mtproto/session/salts.js';

async function setup() {
  const store = new MemoryAuthKeyStore();
  await store.addKey({ id: 5n, key: new Uint8Array(256).fill(7), temp: false });
  // the store drops salts by the wall clock: keep the fake clock near it
  let now = Math.floor(Date.now() / 1000 / SALT_PERIOD) * SALT_PERIOD + 100;
  let n = 0;
  const random = (k: number) => Uint8Array.from({ length: k }, (_, i) => (++n * 31 + i) & 0xff);
  const book = new SaltBook(store, 5n, random, () => now);
  return { store, book, at: (t: number) => void (now = t), get now() { return now; } };
}

describe('SaltBook', () => {
  it('issues the current and the next slot, stores them, and hands out the current one', async () => {
    const s = await setup();
    const salt = await s.book.current();
    const stored = await s.store.getSalts(5n);
    const start = s.now - 100;
    expect(stored.map((x) => [x.validSince, x.validUntil])).toEqual([[start, start + SALT_LIFETIME], [start + SALT_PERIOD, start + SALT_PERIOD + SALT_LIFETIME]]);
    expect(salt).toBe(stored[0]!.salt);
    expect(s.book.currentSync()).toBe(salt);
    expect(await s.book.accepts(salt)).toBe(true);
    expect(await s.book.accepts(stored[1]!.salt)).toBe(false); // not before its time (− 30 s)
    s.at(start + SALT_PERIOD - 10);
    expect(await s.book.accepts(stored[1]!.salt)).toBe(true);
    // into the next slot: the old salt still accepted (overlap), the new one current
    s.at(start + SALT_PERIOD + 5);
    expect(await s.book.current()).toBe(stored[1]!.salt);
    expect(await s.book.accepts(salt)).toBe(true);
  });

  it('a salt another process stored is found by reloading on a miss, at most once a second', async () => {
    const s = await setup();
    await s.book.current();
    const start = s.now - 100;
    expect(await s.book.accepts(999n)).toBe(false);
    await s.store.addSalts(5n, [{ validSince: start, validUntil: start + SALT_LIFETIME, salt: 999n }]);
    expect(await s.book.accepts(999n)).toBe(false); // reloaded less than a second ago
    s.at(s.now + 2);
    expect(await s.book.accepts(999n)).toBe(true);
    expect(await s.book.accepts(1000n)).toBe(false);
  });

  it('future(num): one salt per slot from now on, issuing what is missing', async () => {
    const s = await setup();
    const salts = await s.book.future(5);
    expect(salts.length).toBe(5);
    expect(salts.map((x) => x.validSince - salts[0]!.validSince)).toEqual([0, 1, 2, 3, 4].map((k) => k * SALT_PERIOD));
    expect((await s.store.getSalts(5n)).length).toBe(5);
  });
});
