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
import { decodeGroupState } from '../../bindings/wesh/group/state.js';
import { forEachProvider } from '../helpers/providers.js';
import { toHex } from '../helpers/vectors.js';

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
    const readKeys = new Map<string, readonly [Uint8Array, Uint8Array]>();
    const keep = { onState: (s: Uint8Array) => void (saved = s), onReadKey: (cid: Uint8Array, mk: Uint8Array) => void readKeys.set(toHex(cid), [cid, mk.slice()]) };
    const info = openGroup(provider, g);
    const logs = await openGroupLogs(provider, info);
    const aliceKeys = { member: ed.generateKeyPair(), device: ed.generateKeyPair() };
    const alice = await WeshGroup.open({ provider, group: info, ...aliceKeys, ...logs, ...keep });
    await sync([alice, bob.group]);
    await alice.send(text('one'));
    await bob.group.send(text('two'));
    await sync([alice, bob.group]);
    const before = view(alice);
    await alice.close();
    await expect(WeshGroup.open({ provider, group: info, ...aliceKeys, ...logs })).rejects.toThrow(WeshError);
    const again = await WeshGroup.open({ provider, group: info, ...aliceKeys, ...logs, state: saved, readKeys: readKeys.values(), ...keep });
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
    expect(b.refusals).toEqual({ 'message replayed': 1, 'message authentication-failed': 1 });
  });

  it('a member who holds a device\'s chain key cannot replay its signed message at another counter', async () => {
    const { group: g } = wesh.createMultiMemberGroup();
    const h = await member(g), v = await member(g);
    const x = await member(g);
    await sync([h.group, v.group, x.group]);
    const sent = await h.group.send(text('transfer 10 to Bob'));
    await sync([h.group, v.group, x.group]);
    // X opens H's message, then seals the same signed EncryptedMessage again under H's next counter
    const entry = x.group.messages.get(sent.cid)!;
    const { headers } = wesh.openMessageHeaders(openGroup(provider, g).secret, entry.payload);
    const info = openGroup(provider, g);
    // X holds H's chain (boxed to it); here taken from H's saved state: the key of counter 2
    const hState = decodeGroupState(h.group.save());
    const next = wesh.ratchet(hState.chainKey, info.publicKey, 1).messageKeys[0];
    const replay = wesh.sealMessageEnvelope({
      groupSecret: info.secret, messageKey: next, counter: hState.counter + 1n, plaintext: text('transfer 10 to Bob'),
      device: { publicKey: h.device.publicKey, sign: () => headers.sig },
    });
    await x.group.messages.append(replay.envelope);
    await sync([h.group, v.group, x.group]);
    expect(view(v.group)).toEqual(['transfer 10 to Bob']);
    expect(v.group.refusals).toEqual({ 'message replayed': 1 });
    // and H's real next message still opens
    await h.group.send(text('meet at 5'));
    await sync([h.group, v.group, x.group]);
    expect([...view(v.group)].sort()).toEqual(['meet at 5', 'transfer 10 to Bob']);
  });

  it('a chain key with an absurd counter is refused, and the saved state still reads back', async () => {
    const { group: g } = wesh.createMultiMemberGroup();
    let saved: Uint8Array | undefined;
    const info = openGroup(provider, g);
    const logs = await openGroupLogs(provider, info);
    const victimKeys = { member: ed.generateKeyPair(), device: ed.generateKeyPair() };
    const victim = await WeshGroup.open({ provider, group: info, ...victimKeys, ...logs, onState: (st) => void (saved = st) });
    const attacker = await member(g);
    await sync([victim, attacker.group]);
    const { event } = wesh.sealSecretEntry({ senderDeviceSecret: attacker.device.secretKey, destMemberPublic: victimKeys.member.publicKey, groupPublicKey: info.publicKey, chainKey: new Uint8Array(32).fill(9), counter: 1n << 63n });
    const { envelope } = wesh.sealGroupEnvelope({ groupSecret: info.secret, eventType: 2, event, signer: attacker.device.secretKey });
    // a second device of the attacker's member would carry it; here the attacker's own device posts it again
    await attacker.group.metadata.append(envelope);
    await sync([victim, attacker.group]);
    await victim.close();
    const again = await WeshGroup.open({ provider, group: info, ...victimKeys, ...logs, state: saved });
    expect(again.members().size).toBe(2);
  });

  it('a device restored from an older saved state refuses to send (its message keys are used already)', async () => {
    const { group: g } = wesh.createMultiMemberGroup();
    const info = openGroup(provider, g);
    const logs = await openGroupLogs(provider, info);
    const keys = { member: ed.generateKeyPair(), device: ed.generateKeyPair() };
    let saved: Uint8Array | undefined;
    const first = await WeshGroup.open({ provider, group: info, ...keys, ...logs, onState: (st) => void (saved = st) });
    await first.send(text('one'));
    const old = saved;
    await first.send(text('two'));
    await first.close();
    const restored = await WeshGroup.open({ provider, group: info, ...keys, ...logs, state: old });
    await expect(restored.send(text('three'))).rejects.toMatchObject({ code: 'wrong-counter' });
  });

  it('a contact group refuses a member it cannot have (a device announcement replayed from another group)', async () => {
    const alice = ed.generateKeyPair(), bob = ed.generateKeyPair(), carol = ed.generateKeyPair();
    const g = wesh.contactGroup(alice.secretKey, bob.publicKey).group;
    const info = openGroup(provider, g);
    const open = async (m: typeof alice) => WeshGroup.open({ provider, group: info, member: m, device: ed.generateKeyPair(), ...(await openGroupLogs(provider, info)), members: [alice.publicKey, bob.publicKey] });
    const a = await open(alice), b = await open(bob);
    // carol (who learned the group secret) announces herself: a and b keep two members
    const intruder = await WeshGroup.open({ provider, group: info, member: carol, device: ed.generateKeyPair(), ...(await openGroupLogs(provider, info)) });
    await sync([a, b, intruder]);
    expect(a.members().size).toBe(2);
    expect(b.members().size).toBe(2);
    expect(a.refusals['metadata unexpected-message']).toBeGreaterThan(0);
  });
});
