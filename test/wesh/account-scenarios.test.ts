// Wesh scenarios over js-libp2p on 127.0.0.1: a five-member group in which two members go offline,
// talk to each other in a partition and come back, after which every peer holds the same ordered
// message list; and a replication node that relays a group between members who never meet, holds
// every entry, and has no key that opens one.
import { afterAll, describe, expect, it } from 'vitest';
import { Account } from '../../bindings/wesh/account/account.js';
import type { WeshGroup } from '../../bindings/wesh/group/group.js';
import { ReplicationNode } from '../../bindings/wesh/node/replication.js';
import { openMessageHeaders } from '../../bindings/wesh/crypto/messages.js';
import { openGroupEnvelope } from '../../bindings/wesh/crypto/entries.js';
import { groupDerivedKeys, openGroup } from '../../bindings/wesh/crypto/groups.js';
import { wasmProvider } from '../../bindings/provider/wasm.js';
import { WeshError } from '../../bindings/wesh/errors.js';
import { until } from './wait.js';

const text = (s: string) => new TextEncoder().encode(s);
const view = (g: WeshGroup) => g.list().map((m) => new TextDecoder().decode(m.plaintext));
const closers: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const c of closers) await c.close();
});

async function accounts(n: number): Promise<Account[]> {
  const list = await Promise.all(Array.from({ length: n }, () => Account.create()));
  closers.push(...list);
  return list;
}

const ready = (groups: WeshGroup[], members: number) => () => groups.every((g) => g.members().size === members && g.devicesWithoutChainKey === 0);

describe('Wesh over libp2p: scenarios', () => {
  it('five members; two go offline and talk in a partition; after they come back every peer holds the same ordered list', async () => {
    const acc = await accounts(5);
    const g0 = await acc[0].createGroup();
    const invitation = acc[0].invitation(g0);
    const groups = [g0, ...(await Promise.all(acc.slice(1).map((a) => a.joinGroup(invitation))))];
    for (const a of acc.slice(1)) await a.connect(acc[0].addresses[0]);
    await until(ready(groups, 5), 'five members and their chain keys everywhere');
    await groups[1].send(text('all: hello'));
    await until(() => groups.every((g) => g.list().length === 1), 'the first message everywhere');

    // members 3 and 4 go offline together: they keep a link to each other only
    await acc[3].connect(acc[4].addresses[0]);
    await acc[3].disconnect(acc[0].addresses[0]);
    await acc[4].disconnect(acc[0].addresses[0]);
    await groups[0].send(text('main: one'));
    await groups[3].send(text('side: one'));
    await groups[2].send(text('main: two'));
    await groups[4].send(text('side: two'));
    await until(() => [0, 1, 2].every((i) => groups[i].list().length === 3) && [3, 4].every((i) => groups[i].list().length === 3), 'each side reads its own');
    expect([0, 1, 2].map((i) => view(groups[i]).includes('side: one'))).toEqual([false, false, false]);

    // back online
    await acc[3].connect(acc[1].addresses[0]);
    await until(() => groups.every((g) => g.list().length === 5), 'all five messages everywhere');
    const order = view(groups[0]);
    for (const g of groups) {
      expect(view(g)).toEqual(order);
      expect(g.refusals).toEqual({});
    }
  });

  it('a replication node relays a group between members who never meet, holds every entry, and opens none', async () => {
    const node = await ReplicationNode.create({ tokens: ['s3cret-token'] });
    closers.push(node);
    const [a, b] = await accounts(2);
    const ga = await a.createGroup();
    const gb = await b.joinGroup(a.invitation(ga));
    await expect(a.registerReplication(ga, node.addresses[0], 'wrong-token')).rejects.toBeInstanceOf(WeshError);
    expect(node.groups()).toHaveLength(0);
    await a.registerReplication(ga, node.addresses[0], 's3cret-token');
    await b.registerReplication(gb, node.addresses[0], 's3cret-token');
    await until(ready([ga, gb], 2), 'members and chain keys through the node');
    await ga.send(text('via the node'));
    await gb.send(text('reply via the node'));
    await until(() => ga.list().length === 2 && gb.list().length === 2, 'both messages on both sides');
    expect(view(ga)).toEqual(view(gb));

    const [logs] = node.groups();
    await until(() => logs.messages.length === ga.messages.length && logs.metadata.length === ga.metadata.length, 'the node holds every entry');
    // the node has the public key, the signing public key and the link key: none opens an envelope
    const info = openGroup(wasmProvider, a.invitation(ga));
    const { linkKey } = groupDerivedKeys(wasmProvider, info.publicKey, info.secret);
    for (const key of [linkKey, info.publicKey, info.signingPublicKey]) {
      for (const e of logs.messages.values()) expect(() => openMessageHeaders(wasmProvider, key, e.payload)).toThrow(WeshError);
      for (const e of logs.metadata.values()) expect(() => openGroupEnvelope(wasmProvider, key, e.payload)).toThrow(WeshError);
    }
    // and they are the members' entries, byte for byte
    expect([...logs.messages.values()].map((e) => e.cid.toString())).toEqual([...ga.messages.values()].map((e) => e.cid.toString()));
  });
});
