// Replication node registrations over js-libp2p on 127.0.0.1: a token holder who registers a
// group's public key first, with its own sign_pub and link key, does not stop the members'
// registration from being stored and served; registrations per token are capped; a multi-member
// group's link key must carry link_key_sig.
import { afterAll, describe, expect, it } from 'vitest';
import { multiaddr } from '@multiformats/multiaddr';
import { Account } from '../../bindings/wesh/account/account.js';
import type { WeshGroup } from '../../bindings/wesh/group/group.js';
import { ReplicationNode, replicationGroup, requestReplication } from '../../bindings/wesh/node/replication.js';
import { createPeer } from '../../bindings/wesh/node/peer.js';
import { openGroup } from '../../bindings/wesh/crypto/groups.js';
import { encode } from '../../bindings/wesh/proto/codec.js';
import { GroupSchema, GroupType } from '../../bindings/wesh/proto/gen/protocoltypes_pb.js';
import { wasmProvider } from '../../bindings/provider/wasm.js';
import { WeshError } from '../../bindings/wesh/errors.js';
import { until } from './wait.js';

const text = (s: string) => new TextEncoder().encode(s);
const view = (g: WeshGroup) => g.list().map((m) => new TextDecoder().decode(m.plaintext));
const closers: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c.close().catch(() => undefined);
});

/** A Group claiming `publicKey`, with a secret (so sign_pub and the link key) of the squatter's own. */
function squatterGroup(publicKey: Uint8Array, groupType: GroupType): Uint8Array {
  return encode(GroupSchema, { publicKey, secret: wasmProvider.randomBytes(32), groupType });
}

describe('replication node registrations', () => {
  it('a squatter registering a contact group first, with its own sign_pub and link key, does not stop the members\' group from being stored and served', async () => {
    const node = await ReplicationNode.create({ tokens: ['token'] });
    closers.push(node);
    const [alice, bob] = await Promise.all([Account.create(), Account.create()]);
    closers.push(alice, bob);
    const ga = await alice.addContact(bob.contactLink);
    await until(() => bob.contactGroupWith(alice.publicKey) !== undefined, 'bob to have the contact');
    const gb = bob.contactGroupWith(alice.publicKey)!;
    const { publicKey } = openGroup(wasmProvider, alice.invitation(ga));

    // the squatter knows the group's public key and holds a token
    const squatter = await createPeer();
    closers.push({ close: () => squatter.stop() });
    await requestReplication(squatter, wasmProvider, multiaddr(node.addresses[0]), 'token', squatterGroup(publicKey, GroupType.GroupTypeContact));
    expect(node.groups()).toHaveLength(1);

    // alice and bob stop meeting, and both register with the node
    await alice.disconnect(bob.addresses[0]);
    await alice.registerReplication(ga, node.addresses[0], 'token');
    await bob.registerReplication(gb, node.addresses[0], 'token');
    expect(node.groups()).toHaveLength(2);
    await ga.send(text('through the node'));
    await until(() => view(gb).includes('through the node'), 'bob to read alice\'s message through the node');
    await gb.send(text('back through the node'));
    await until(() => view(ga).includes('back through the node'), 'alice to read bob\'s reply');
    // the members' registration holds their entries; the squatter's holds none of them
    const stored = node.groups().map((l) => l.messages.length);
    expect(stored.sort()).toEqual([0, ga.messages.length]);
  });

  it('caps registrations per token, and refuses a multi-member group whose link key is not signed by the group key', async () => {
    const node = await ReplicationNode.create({ tokens: ['small', 'other'], maxRegistrationsPerToken: 2 });
    closers.push(node);
    const client = await createPeer();
    closers.push({ close: () => client.stop() });
    const at = multiaddr(node.addresses[0]);
    // (public keys must be valid points: take them from real keys)
    const key = () => wasmProvider.signature('Ed25519').publicKey(wasmProvider.randomBytes(32));
    await requestReplication(client, wasmProvider, at, 'small', squatterGroup(key(), GroupType.GroupTypeContact));
    const second = squatterGroup(key(), GroupType.GroupTypeContact);
    await requestReplication(client, wasmProvider, at, 'small', second);
    await requestReplication(client, wasmProvider, at, 'small', second); // the same registration again: not counted twice
    await expect(requestReplication(client, wasmProvider, at, 'small', squatterGroup(key(), GroupType.GroupTypeContact))).rejects.toBeInstanceOf(WeshError);
    await requestReplication(client, wasmProvider, at, 'other', squatterGroup(key(), GroupType.GroupTypeContact));
    expect(node.groups()).toHaveLength(3);

    // a multi-member group: the squatter cannot sign its own link key with the group key
    const [carol] = [await Account.create()];
    closers.push(carol);
    const g = await carol.createGroup();
    const real = openGroup(wasmProvider, carol.invitation(g));
    const forged = encode(GroupSchema, {
      publicKey: real.publicKey, groupType: GroupType.GroupTypeMultiMember,
      signPub: key(), linkKey: wasmProvider.randomBytes(32), linkKeySig: new Uint8Array(64),
    });
    await expect(node.replicate(forged)).rejects.toMatchObject({ code: 'bad-signature' });
    // the real one (filtered as a member sends it) is accepted
    await node.replicate(replicationGroup(wasmProvider, carol.invitation(g)));
    expect(node.groups()).toHaveLength(4);
  });
});
