// Device linking and multi-device accounts over js-libp2p on 127.0.0.1: three devices of one
// account — linked through the offer (QR), the PIN signed by the new device and the fingerprint both
// users compare — stay in sync: a contact made on one device and a group joined on another appear on
// all, and each reads what the others and the contact send. A wrong PIN or a rejected fingerprint
// links nothing.
import { afterAll, describe, expect, it } from 'vitest';
import { Account } from '../../bindings/wesh/account/account.js';
import type { WeshGroup } from '../../bindings/wesh/group/group.js';
import { WeshError } from '../../bindings/wesh/errors.js';
import { until } from './wait.js';

const text = (s: string) => new TextEncoder().encode(s);
const view = (g: WeshGroup) => g.list().map((m) => new TextDecoder().decode(m.plaintext));
const closers: Account[] = [];
afterAll(async () => {
  for (const c of closers) await c.close();
});

/** Links a new device to `existing`: the user reads the PIN off the existing device and confirms matching fingerprints. */
async function link(existing: Account, pin?: string, confirmNew = true): Promise<Account> {
  const shown: string[] = [];
  const { offer, pin: shownPin, linked } = await existing.offerDeviceLink({ confirm: (fp) => (shown.push(fp), true) });
  const device = await Account.linkDevice(offer, { pin: () => pin ?? shownPin, confirm: (fp) => (shown.push(fp), confirmNew) });
  closers.push(device);
  await linked;
  expect(shown[0]).toMatch(/^\d{4} \d{4} \d{4}$/);
  expect(shown[1]).toBe(shown[0]);
  return device;
}

describe('device linking', () => {
  it('three devices of one account stay in sync with a contact and a group', async () => {
    const a1 = await Account.create();
    const bob = await Account.create();
    closers.push(a1, bob);
    const a2 = await link(a1);
    const a3 = await link(a2); // linked from the second device
    expect(a2.publicKey).toEqual(a1.publicKey);
    expect(a3.publicKey).toEqual(a1.publicKey);
    await a3.connect(a1.addresses[0]);

    // bob adds the account through its first device; the others learn of the contact through the account group
    await bob.addContact(a1.contactLink);
    await until(() => [a1, a2, a3].every((d) => d.contactGroupWith(bob.publicKey) !== undefined), 'the contact on every device');
    const groups = [a1, a2, a3].map((d) => d.contactGroupWith(bob.publicKey)!);
    const gb = bob.contactGroupWith(a1.publicKey)!;
    // four devices, two members
    await until(() => [...groups, gb].every((g) => g.members().size === 2 && g.devicesWithoutChainKey === 0 && [...g.members().values()].flat().length === 4), 'every device and chain key in the contact group');
    await gb.send(text('hello, all of you'));
    await groups[2].send(text('hi bob, from my third device'));
    await until(() => [...groups, gb].every((g) => g.list().length === 2), 'both messages on every device');
    for (const g of groups) expect(view(g)).toEqual(view(gb));

    // a group created on the second device appears on the first and third
    const g2 = await a2.createGroup();
    await until(() => [a1, a3].every((d) => d.groups().length === 2), 'the group on every device');
    const mine = [a1, a3].map((d) => d.groups().find((g) => g.info.publicKey.every((b, i) => b === g2.info.publicKey[i]))!);
    await until(() => [g2, ...mine].every((g) => g.members().size === 1 && g.devicesWithoutChainKey === 0 && [...g.members().values()].flat().length === 3), 'three devices of one member');
    await mine[1].send(text('a note to myself'));
    await until(() => [g2, ...mine].every((g) => g.list().length === 1), 'the note everywhere');
  });

  it('a wrong PIN, or a fingerprint the new device\'s user rejects, links nothing', async () => {
    const a = await Account.create();
    closers.push(a);
    const bad = await a.offerDeviceLink({ confirm: () => true });
    await expect(Account.linkDevice(bad.offer, { pin: () => (bad.pin === '000000' ? '000001' : '000000'), confirm: () => true })).rejects.toBeInstanceOf(WeshError);
    await expect(bad.linked).rejects.toMatchObject({ code: 'bad-signature' });
    const rejected = await a.offerDeviceLink({ confirm: () => true });
    await expect(Account.linkDevice(rejected.offer, { pin: () => rejected.pin, confirm: () => false })).rejects.toMatchObject({ code: 'unexpected-message' });
    await expect(rejected.linked).rejects.toMatchObject({ code: 'unexpected-message' });
  });
});
