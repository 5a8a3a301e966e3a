// Automatic post-compromise security over the delivery service (issue 13: "an option that makes a
// member propose or commit a self-update after a configurable number of messages or time"):
// GroupChannel's `selfUpdate` option, over a real DeliveryService (memory store) on loopback.
// A member's leaf encryption key is read from its group state and from the others' trees; every
// member agrees on the epoch authenticator after each update. Suite 3, the wasm provider.
import { describe, expect, it, vi } from 'vitest';
import type { GroupChannelOptions, LogMessage } from '../../bindings/mls/ds/index.js';
import type { SelfUpdateEvent, SelfUpdateOptions } from '../../bindings/mls/ds/channel.js';
import { type ProcessResult, createGroup } from '../../bindings/mls/index.js';
import { DsMember, buildGroup, deliveryServiceForTests } from './ds-member.js';
import { stateOf } from '../../bindings/mls/group/group.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One installation (ds-member.ts); its channel has `selfUpdate` if given. */
class Member extends DsMember {
  readonly seen: string[] = [];
  readonly errors: { error: unknown; message: LogMessage | undefined }[] = [];
  readonly updates: SelfUpdateEvent[] = [];
  #waitingUpdate: (() => void)[] = [];

  constructor(name: string, url: string, readonly selfUpdate?: SelfUpdateOptions) {
    super(name, url);
  }

  protected attachAt(cursor: number): void {
    this.attach(cursor);
  }

  attach(cursor: number, selfUpdate = this.selfUpdate): void {
    const options: GroupChannelOptions = {
      cursor,
      onMessage: (r: ProcessResult) => { this.seen.push(r.kind === 'application' ? text(r.plaintext) : `${r.kind}@${this.group.epoch}`); },
      onError: (error, message) => { this.errors.push({ error, message }); },
      ...(selfUpdate !== undefined ? {
        selfUpdate: {
          ...selfUpdate,
          onUpdated: (e: SelfUpdateEvent) => {
            this.updates.push(e);
            for (const w of this.#waitingUpdate.splice(0)) w();
          },
        },
      } : {}),
    };
    this.channel = this.client.attach(this.group, options);
  }

  /** Resolves at the `n`th leaf update (counted from the channel's start). */
  async updated(n: number, timeoutMs = 10_000): Promise<SelfUpdateEvent> {
    const deadline = Date.now() + timeoutMs;
    while (this.updates.length < n) {
      if (Date.now() > deadline) throw new Error(`${this.name}: no leaf update #${n} within ${timeoutMs} ms (errors: ${this.errors.map((e) => String(e.error)).join('; ')})`);
      await new Promise<void>((resolve) => {
        this.#waitingUpdate.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.updates[n - 1]!;
  }

  /** This member's leaf encryption key as `viewer` (default: itself) has it in its tree. */
  leafKey(viewer: Member = this): string {
    return hex(stateOf(viewer.group).tree.leaf(this.group.leafIndex)!.encryptionKey);
  }
}

/** Everyone reached the end of the log, and agrees on epoch, epoch authenticator and exporter. */
async function settle(members: readonly Member[]): Promise<void> {
  const { seq } = await members[0]!.client.messages(members[0]!.group.groupId, 0, 1);
  await Promise.all(members.map((m) => m.channel.waitFor(seq)));
  const [first] = members;
  for (const m of members) {
    expect(m.group.epoch, m.name).toBe(first!.group.epoch);
    expect(hex(m.group.epochAuthenticator), m.name).toBe(hex(first!.group.epochAuthenticator));
    expect(hex(m.group.exportSecret('pcs', bytes('ctx'), 32)), m.name).toBe(hex(first!.group.exportSecret('pcs', bytes('ctx'), 32)));
  }
}

describe('automatic self-updates over the delivery service', () => {
  const { url, track } = deliveryServiceForTests();

  /** A group: the first member creates, adds the others one Commit each; `options[i]` is member i's selfUpdate. */
  function groupOf(names: readonly string[], options: readonly (SelfUpdateOptions | undefined)[] = []): Promise<Member[]> {
    return buildGroup(names.map((n, i) => track(new Member(n, url(), options[i]))));
  }

  it('after N messages (sent and received) a member commits a full-path update; its leaf key changes and all agree', async () => {
    const [a, b, c] = await groupOf(['a1', 'b1', 'c1'], [undefined, { afterMessages: 4 }]);
    // Messages during the joins do not count: b's counter starts with its channel.
    expect(b!.channel.selfUpdateStatus).toMatchObject({ messages: 0, pending: false });
    expect(a!.channel.selfUpdateStatus).toBeUndefined();
    const before = b!.leafKey();
    const epoch = b!.group.epoch;
    await a!.channel.send(bytes('m1'));
    await c!.channel.send(bytes('m2'));
    await b!.channel.send(bytes('m3')); // sent by b: counts too
    await settle([a!, b!, c!]);
    expect(b!.channel.selfUpdateStatus!.messages).toBe(3);
    expect(b!.group.epoch).toBe(epoch); // below the threshold: nothing yet
    await a!.channel.send(bytes('m4'));
    const event = await b!.updated(1);
    expect(event).toMatchObject({ by: 'commit', automatic: true, epoch: epoch + 1n, messages: 4 });
    await settle([a!, b!, c!]);
    expect(b!.group.epoch).toBe(epoch + 1n);
    const after = b!.leafKey();
    expect(after).not.toBe(before);
    expect(b!.leafKey(a!)).toBe(after); // the others' trees hold the new key
    expect(b!.leafKey(c!)).toBe(after);
    expect(b!.channel.selfUpdateStatus).toMatchObject({ messages: 0, pending: false });
    expect(a!.seen.at(-1)).toBe(`commit@${epoch + 1n}`);
    // The next four messages trigger the next update.
    for (let i = 0; i < 4; i++) await (i % 2 ? a! : c!).channel.send(bytes(`n${i}`));
    await b!.updated(2);
    await settle([a!, b!, c!]);
    expect(b!.group.epoch).toBe(epoch + 2n);
    expect(b!.leafKey(c!)).not.toBe(after);
    expect(b!.errors).toEqual([]);
  });

  it("count: 'sent' counts only the member's own messages", async () => {
    const [a, b] = await groupOf(['a2', 'b2'], [undefined, { afterMessages: 2, count: 'sent' }]);
    const epoch = a!.group.epoch;
    for (let i = 0; i < 5; i++) await a!.channel.send(bytes(`from a ${i}`));
    await settle([a!, b!]);
    expect(b!.channel.selfUpdateStatus!.messages).toBe(0);
    expect(b!.group.epoch).toBe(epoch);
    const before = b!.leafKey(a!);
    await b!.channel.send(bytes('b once'));
    await b!.channel.send(bytes('b twice'));
    await b!.updated(1);
    await settle([a!, b!]);
    expect(b!.group.epoch).toBe(epoch + 1n);
    expect(b!.leafKey(a!)).not.toBe(before);
    expect(a!.seen.filter((s) => s.startsWith('b '))).toEqual(['b once', 'b twice']);
  });

  it('every member with the option, one burst: the concurrent self-update Commits lose and retry, all land, all agree', async () => {
    const opts: SelfUpdateOptions = { afterMessages: 3, retries: 5 };
    const members = await groupOf(['a3', 'b3', 'c3'], [opts, opts, opts]);
    const [a] = members;
    const epoch = a!.group.epoch;
    const keys = members.map((m) => m.leafKey());
    for (let i = 0; i < 3; i++) await a!.channel.send(bytes(`burst ${i}`));
    await Promise.all(members.map((m) => m.updated(1)));
    await settle(members);
    // Each member re-keyed exactly once: three epochs, three new leaf keys in everyone's tree.
    expect(a!.group.epoch).toBe(epoch + 3n);
    members.forEach((m, i) => {
      expect(m.leafKey()).not.toBe(keys[i]);
      for (const viewer of members) expect(m.leafKey(viewer)).toBe(m.leafKey());
      expect(m.updates).toHaveLength(1);
      expect(m.errors).toEqual([]);
    });
  });

  it('after a time (short real timers); the timer is unref\'d, re-armed after each update, and stops on close', async () => {
    const [a, b] = await groupOf(['a4', 'b4']);
    // Re-attach b with a 300 ms self-update, watching the timers the channel makes.
    b!.channel.close();
    const spy = vi.spyOn(globalThis, 'setTimeout');
    b!.attach(b!.channel.cursor, { afterMs: 300 });
    const made = spy.mock.results.filter((_, i) => spy.mock.calls[i]![1] === 300).map((r) => r.value as NodeJS.Timeout);
    spy.mockRestore();
    expect(made.length).toBeGreaterThan(0);
    for (const t of made) expect(t.hasRef()).toBe(false);

    const epoch = b!.group.epoch;
    const k0 = b!.leafKey(a!);
    const first = await b!.updated(1, 5_000);
    expect(first).toMatchObject({ by: 'commit', automatic: true, messages: 0 });
    expect(first.elapsedMs).toBeGreaterThanOrEqual(300);
    await settle([a!, b!]);
    const k1 = b!.leafKey(a!);
    expect(k1).not.toBe(k0);
    const second = await b!.updated(2, 5_000); // re-armed
    expect(second.epoch).toBeGreaterThan(first.epoch);
    await settle([a!, b!]);
    expect(b!.leafKey(a!)).not.toBe(k1);
    b!.channel.close();
    const closedAt = b!.group.epoch;
    await sleep(900);
    expect(b!.group.epoch).toBe(closedAt); // no more updates after close
    expect(b!.updates).toHaveLength(2);
    await a!.channel.catchUp();
    expect(a!.group.epoch).toBe(closedAt);
    expect(closedAt).toBeGreaterThanOrEqual(epoch + 2n);
    expect(b!.errors).toEqual([]);
  });

  it("'propose' mode: an Update proposal, carried by another member's Commit; counters reset; re-proposed if an epoch ends without it", async () => {
    const [a, b, c] = await groupOf(['a5', 'b5', 'c5'], [undefined, { afterMessages: 2, mode: 'propose' }]);
    const epoch = a!.group.epoch;
    const before = b!.leafKey();
    await a!.channel.send(bytes('p1'));
    await a!.channel.send(bytes('p2'));
    // b proposes (once) and waits: the proposal reaches the others, the epoch does not move.
    await vi.waitFor(() => expect(a!.seen.at(-1)).toBe(`proposal@${epoch}`), { timeout: 5_000 });
    await settle([a!, b!, c!]);
    expect(b!.channel.selfUpdateStatus).toMatchObject({ messages: 2, pending: true });
    await c!.channel.send(bytes('p3')); // over the threshold, but one Update per epoch is enough
    await settle([a!, b!, c!]);
    expect(a!.seen.filter((s) => s === `proposal@${epoch}`)).toHaveLength(1);
    expect(b!.group.epoch).toBe(epoch);
    expect(b!.updates).toEqual([]);
    // a commits (nothing of its own): the Commit carries b's Update by reference.
    await a!.channel.commit();
    const event = await b!.updated(1);
    expect(event).toMatchObject({ by: 'proposal', automatic: true, epoch: epoch + 1n, messages: 3 });
    await settle([a!, b!, c!]);
    const after = b!.leafKey();
    expect(after).not.toBe(before);
    expect(b!.leafKey(a!)).toBe(after);
    expect(b!.leafKey(c!)).toBe(after);
    expect(b!.channel.selfUpdateStatus).toMatchObject({ messages: 0, pending: false });

    // An epoch that ends without b's Update (c's Commit was built before the proposal arrived):
    // b proposes again in the next epoch.
    const e1 = a!.group.epoch;
    await c!.channel.catchUp();
    const early = c!.group.commit({ update: true });
    await a!.channel.send(bytes('q1'));
    await a!.channel.send(bytes('q2'));
    await vi.waitFor(() => expect(a!.seen.at(-1)).toBe(`proposal@${e1}`), { timeout: 5_000 });
    // c's Commit (made before the proposal, so without it) still wins the epoch.
    await c!.channel.publishCommit(early);
    await vi.waitFor(() => expect(a!.seen.filter((s) => s === `proposal@${e1 + 1n}`)).toHaveLength(1), { timeout: 5_000 });
    expect(b!.updates).toHaveLength(1);
    await c!.channel.commit();
    await b!.updated(2);
    await settle([a!, b!, c!]);
    expect(b!.leafKey(c!)).not.toBe(after);
    expect(b!.errors).toEqual([]);
  });

  it("counters reset on the member's own Commit with a path (not on others' Commits, nor on an Add-only Commit)", async () => {
    const [a, b] = await groupOf(['a6', 'b6'], [undefined, { afterMessages: 4 }]);
    const epoch = a!.group.epoch;
    for (let i = 0; i < 3; i++) await a!.channel.send(bytes(`r${i}`));
    await settle([a!, b!]);
    expect(b!.channel.selfUpdateStatus!.messages).toBe(3);
    // Another member's Commit updates a's leaf, not b's: no reset.
    await a!.channel.commit({ update: true });
    await settle([a!, b!]);
    expect(b!.channel.selfUpdateStatus!.messages).toBe(3);
    // b's own Add-only Commit has no path: no reset either.
    const joiner = track(new Member('joiner6', url()));
    await joiner.upload();
    await b!.channel.add([joiner.installation]);
    await joiner.join();
    expect(b!.channel.selfUpdateStatus!.messages).toBe(3);
    // b's own update Commit (the application's, not automatic): reset.
    await b!.channel.commit({ update: true });
    expect(b!.updates.at(-1)).toMatchObject({ by: 'commit', automatic: false, messages: 3 });
    expect(b!.channel.selfUpdateStatus!.messages).toBe(0);
    // A Remove forces a path too: reset again.
    for (let i = 0; i < 2; i++) await a!.channel.send(bytes(`s${i}`));
    await settle([a!, b!, joiner]);
    expect(b!.channel.selfUpdateStatus!.messages).toBe(2);
    await b!.channel.commit({ remove: [joiner.group.leafIndex] });
    expect(b!.updates.at(-1)).toMatchObject({ by: 'commit', automatic: false, messages: 2 });
    // Three more messages after the reset: still below 4, so no automatic update happened at all.
    for (let i = 0; i < 3; i++) await a!.channel.send(bytes(`t${i}`));
    await settle([a!, b!]);
    expect(b!.updates.every((u) => !u.automatic)).toBe(true);
    expect(b!.group.epoch).toBe(epoch + 4n);
    expect(b!.errors).toEqual([]);
  });

  it('a failed automatic update surfaces through onError with a typed error, and is tried again', async () => {
    const [a, b] = await groupOf(['a7', 'b7'], [undefined, { afterMessages: 2 }]);
    await b!.channel.catchUp();
    // The application left a Commit pending in the group (made, never published): the automatic
    // Commit cannot be built.
    b!.group.commit({ update: true });
    await a!.channel.send(bytes('e1'));
    await a!.channel.send(bytes('e2'));
    await vi.waitFor(() => expect(b!.errors).toHaveLength(1), { timeout: 5_000 });
    expect(b!.errors[0]!.message).toBeUndefined();
    expect(b!.errors[0]!.error).toMatchObject({ code: 'commit-pending' });
    b!.group.discardPendingCommit();
    // The next message tries again, and succeeds.
    await a!.channel.send(bytes('e3'));
    await b!.updated(1);
    await settle([a!, b!]);
    expect(b!.errors).toHaveLength(1);
  });

  it('refuses bad options', () => {
    const m = track(new Member('opts', url()));
    m.group = createGroup({ identity: bytes('opts') });
    expect(() => m.client.attach(m.group, { live: false, selfUpdate: {} })).toThrow(TypeError);
    expect(() => m.client.attach(m.group, { live: false, selfUpdate: { afterMessages: 0 } })).toThrow(RangeError);
    expect(() => m.client.attach(m.group, { live: false, selfUpdate: { afterMs: -5 } })).toThrow(RangeError);
    expect(() => m.client.attach(m.group, { live: false, selfUpdate: { afterMs: 5, mode: 'sometimes' as 'commit' } })).toThrow(TypeError);
  });
});
