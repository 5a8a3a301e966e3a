// wesh.Account end to end over js-libp2p on 127.0.0.1: two accounts become contacts through the
// handshake and talk in their contact group; a multi-member group replicates through explicit
// dials; an account restarted from its LevelDB directory continues where it left off.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../bindings/provider/types.js';
import { referenceProvider } from '../../bindings/provider/reference.js';
import { wasmProvider } from '../../bindings/provider/wasm.js';
import { Account } from '../../bindings/wesh/account/account.js';
import type { WeshGroup } from '../../bindings/wesh/group/group.js';
import { until } from './wait.js';

const text = (s: string) => new TextEncoder().encode(s);
const view = (g: WeshGroup) => g.list().map((m) => new TextDecoder().decode(m.plaintext));
const open: Account[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(open.map((a) => a.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function accountOn(provider: CryptoProvider, dir?: string): Promise<Account> {
  const a = await Account.create({ dir, provider });
  open.push(a);
  return a;
}

/** Polls until `check` holds (bounded): replication is asynchronous. */
for (const provider of [wasmProvider, referenceProvider]) describe(`wesh.Account on ${provider.name}`, () => {
  const account = (dir?: string) => accountOn(provider, dir);

  it('two accounts become contacts through the handshake and exchange messages in their contact group', async () => {
    const alice = await account(), bob = await account();
    const incoming = new Promise<Uint8Array>((resolve) => bob.onContact(({ contact }) => resolve(contact.publicKey)));
    const ga = await alice.addContact(bob.contactLink);
    expect(await incoming).toEqual(alice.publicKey);
    const gb = bob.contactGroupWith(alice.publicKey)!;
    expect(gb).toBeDefined();
    await until(() => [ga, gb].every((g) => g.members().size === 2 && g.devicesWithoutChainKey === 0), 'both chain keys on both sides');
    await ga.send(text('hi bob'));
    await gb.send(text('hi alice'));
    await until(() => view(ga).length === 2 && view(gb).length === 2, 'both messages on both sides');
    expect(view(ga)).toEqual(view(gb));
    expect(alice.contacts().map((c) => c.publicKey)).toEqual([bob.publicKey]);
  });

  it('a contact request to the wrong account key fails and records no contact', async () => {
    const alice = await account(), bob = await account(), eve = await account();
    await expect(alice.addContact({ ...bob.contactLink, publicKey: eve.publicKey })).rejects.toThrow();
    expect(alice.contacts()).toHaveLength(0);
    expect(bob.contacts()).toHaveLength(0);
  });

  it('a three-member group: invitations, explicit dials, one ordered list everywhere', async () => {
    const [a, b, c] = [await account(), await account(), await account()];
    const ga = await a.createGroup();
    const invitation = a.invitation(ga);
    const gb = await b.joinGroup(invitation), gc = await c.joinGroup(invitation);
    await b.connect(a.addresses[0]);
    await c.connect(b.addresses[0]); // c reaches a's entries through b
    await until(() => [ga, gb, gc].every((g) => g.members().size === 3 && g.devicesWithoutChainKey === 0), 'three members and their chain keys everywhere');
    await ga.send(text('from a'));
    await gb.send(text('from b'));
    await gc.send(text('from c'));
    await until(() => [ga, gb, gc].every((g) => g.list().length === 3), 'three messages everywhere');
    expect(view(gb)).toEqual(view(ga));
    expect(view(gc)).toEqual(view(ga));
  });

  it('an account restarted from its directory keeps its keys, contacts and history, and goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wesh-account-'));
    dirs.push(dir);
    const first = await Account.create({ dir, provider });
    const bob = await account();
    const g1 = await first.addContact(bob.contactLink);
    const gb = bob.contactGroupWith(first.publicKey)!;
    await until(() => [g1, gb].every((g) => g.members().size === 2 && g.devicesWithoutChainKey === 0), 'members and chain keys');
    await g1.send(text('before restart'));
    await until(() => view(gb).length === 1, 'bob reads it');
    const publicKey = first.publicKey;
    await first.close();
    const again = await account(dir);
    expect(again.publicKey).toEqual(publicKey);
    expect(again.contacts().map((c) => c.publicKey)).toEqual([bob.publicKey]);
    const g2 = again.contactGroupWith(bob.publicKey)!;
    expect(view(g2)).toEqual(['before restart']);
    await again.connect(bob.addresses[0]);
    await gb.send(text('while you were away'));
    await g2.send(text('after restart'));
    await until(() => view(g2).length === 3 && view(gb).length === 3, 'both sides hold three');
    expect(view(g2)).toEqual(view(gb));
  });
});
