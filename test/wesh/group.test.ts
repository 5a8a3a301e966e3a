// The group layer (bindings/wesh/group) on in-process replicas whose logs are exchanged by hand:
// two contacts, a five-member group split by a partition and merged, a device restarted from its
// saved state, and the refusals (a forged message, a replayed counter, a device reopened without its
// state). On both providers.
import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/provider/types.js';
import { WeshError, weshCrypto } from '../../bindings/wesh/index.js';
import { openGroup } from '../../bindings/wesh/crypto/groups.js';
import { WeshGroup } from '../../bindings/wesh/group/group.js';
import { openGroupLogs } from '../../bindings/wesh/group/logs.js';
import { forEachProvider } from '../helpers/providers.js';

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

/** Exchanges every entry of both logs between all replicas until nothing new moves. */
async function sync(groups: readonly WeshGroup[]): Promise<void> {
  for (let round = 0; round < 10; round++) {
    let moved = 0;
    for (const a of groups) {
      for (const b of groups) {
        if (a === b) continue;
        moved += (await b.metadata.join(a.metadata.values())).added.length;
        moved += (await b.messages.join(a.messages.values())).added.length;
      }
    }
    await Promise.all(groups.map((g) => g.settled()));
    if (moved === 0) return;
  }
  throw new Error('replicas did not settle');
}

const view = (g: WeshGroup) => g.list().map((m) => str(m.plaintext));

forEachProvider((provider: CryptoProvider) => {
  const wesh = weshCrypto(provider);
  const ed = provider.signature('Ed25519');

  async function member(groupBytes: Uint8Array, memberKey = ed.generateKeyPair(), state?: Uint8Array, logs?: Awaited<ReturnType<typeof openGroupLogs>>) {
    const info = openGroup(provider, groupBytes);
    const l = logs ?? (await openGroupLogs(provider, info));
    const device = ed.generateKeyPair();
    return { group: await WeshGroup.open({ provider, group: info, member: memberKey, device, ...l, state }), memberKey, device };
  }

  it('two contacts: each reads the other once the chain keys are exchanged; both hold one ordered list', async () => {
    const alice = ed.generateKeyPair(), bob = ed.generateKeyPair();
    const g = wesh.contactGroup(alice.secretKey, bob.publicKey).group;
    const a = (await member(g, alice)).group, b = (await member(g, bob)).group;
    await a.send(text('before bob joined')); // sealed before bob's member was known: bob gets the chain state after it
    await sync([a, b]);
    await a.send(text('hello bob'));
    await sync([a, b]);
    await b.send(text('hello alice'));
    await a.send(text('how are you'));
    await sync([a, b]);
    expect(view(a).filter((m) => m !== 'before bob joined')).toEqual(view(b));
    expect(view(b).sort()).toEqual(['hello alice', 'hello bob', 'how are you']);
    expect(a.members().size).toBe(2);
    expect(a.refusals).toEqual({});
    // weshnet's rule: a member receives a device's chain as it is when the member appears, not its past
    expect(b.refusals).toEqual({ 'message wrong-counter': 1 });
  });

  it('five members; two go offline and talk in a partition; after the merge every replica holds the same ordered list', async () => {
    const { group: g } = wesh.createMultiMemberGroup();
    const all = await Promise.all(Array.from({ length: 5 }, () => member(g).then((m) => m.group)));
    await sync(all);
    for (const x of all) expect(x.members().size).toBe(5);
    const [m0, m1, m2, m3, m4] = all;
    await m0.send(text('before 0'));
    await sync(all);
    // partition: {m0, m1, m2} and {m3, m4}
    await m0.send(text('main 1'));
    await m3.send(text('side 1'));
    await m1.send(text('main 2'));
    await m4.send(text('side 2'));
    await sync([m0, m1, m2]);
    await sync([m3, m4]);
    await m2.send(text('main 3'));
    await m3.send(text('side 3'));
    await sync([m0, m1, m2]);
    await sync([m3, m4]);
    expect([...view(m0)].sort()).toEqual(['before 0', 'main 1', 'main 2', 'main 3']);
    expect([...view(m4)].sort()).toEqual(['before 0', 'side 1', 'side 2', 'side 3']);
    await sync(all);
    const expected = view(m0);
    expect(expected).toHaveLength(7);
    for (const x of all) {
      expect(view(x)).toEqual(expected);
      expect(x.refusals).toEqual({});
      expect(x.waitingCount).toBe(0);
    }
  });

  it('a message arriving before its sender\'s chain key is held, then opened', async () => {
    const { group: g } = wesh.createMultiMemberGroup();
    const a = (await member(g)).group, b = (await member(g)).group;
    await sync([a, b]);
    const late = (await member(g)).group;
    await b.metadata.join(late.metadata.values()); // b learns of the new member…
    await b.settled();
    await b.messages.join([]);
    await sync([a, b]);
    await a.send(text('to everyone'));
    // the newcomer gets the message entries first, the metadata (a's chain key for it) later
    await late.messages.join(a.messages.values());
    await late.settled();
    expect(late.waitingCount).toBe(1);
    await sync([a, b, late]);
    expect(late.waitingCount).toBe(0);
    expect(view(late)).toContain('to everyone');
  });

  it('a device restarted from its saved state reads its history again and goes on', async () => {
    const { group: g } = wesh.createMultiMemberGroup();
    const bob = await member(g);
    let saved: Uint8Array | undefined;
    const info = openGroup(provider, g);
    const logs = await openGroupLogs(provider, info);
    const aliceKeys = { member: ed.generateKeyPair(), device: ed.generateKeyPair() };
    const alice = await WeshGroup.open({ provider, group: info, ...aliceKeys, ...logs, onState: (s) => void (saved = s) });
    await sync([alice, bob.group]);
    await alice.send(text('one'));
    await bob.group.send(text('two'));
    await sync([alice, bob.group]);
    const before = view(alice);
    await alice.close();
    await expect(WeshGroup.open({ provider, group: info, ...aliceKeys, ...logs })).rejects.toThrow(WeshError);
    const again = await WeshGroup.open({ provider, group: info, ...aliceKeys, ...logs, state: saved, onState: (s) => void (saved = s) });
    expect(view(again)).toEqual(before);
    await again.send(text('three'));
    await bob.group.send(text('four'));
    await sync([again, bob.group]);
    expect(view(again)).toEqual(view(bob.group));
    expect(view(again)).toHaveLength(4);
    expect(bob.group.refusals).toEqual({});
  });

  it('refusals: an envelope under another group secret, and a second entry with a used counter', async () => {
    const { group: g } = wesh.createMultiMemberGroup();
    const a = (await member(g)).group, b = (await member(g)).group;
    await sync([a, b]);
    const sent = await a.send(text('once'));
    await sync([a, b]);
    // replay the same envelope as a new entry (a new CID: the log accepts it; the group must not show it twice)
    const entry = a.messages.get(sent.cid)!;
    await a.messages.append(entry.payload);
    // an envelope sealed under another group's secret
    const other = wesh.createMultiMemberGroup();
    const forged = wesh.sealMessageEnvelope({ groupSecret: other.secret, messageKey: new Uint8Array(32), counter: 2n, device: ed.generateKeyPair().secretKey, plaintext: text('forged') });
    await a.messages.append(forged.envelope);
    await sync([a, b]);
    expect(view(b)).toEqual(['once']);
    expect(b.refusals).toEqual({ 'message wrong-counter': 1, 'message authentication-failed': 1 });
  });
});
