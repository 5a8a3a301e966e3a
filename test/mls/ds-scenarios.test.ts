// Groups over the MLS delivery service (issue 13, "Scenario tests over the delivery service"), over
// real loopback sockets: fifty members join one by one; two concurrent Commits converge on the
// winner; a member offline for twenty epochs catches up in order; a removed member can no longer
// read; a member restored from save() continues in a new process (the built dist/); two service
// processes sharing one Redis give one order and one winner per epoch. Suite 3, the wasm provider.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryClient, DeliveryError, type LogMessage } from '../../bindings/mls/ds/index.js';
import { RedisDeliveryStore } from '../../bindings/mls/ds/redis-store.js';
import { DeliveryService } from '../../bindings/mls/ds/service.js';
import type { ProcessResult } from '../../bindings/mls/index.js';
import { DsMember, WS, buildGroup, deliveryServiceForTests } from './ds-member.js';
import { removeDsBundles } from '../helpers/ds-bundle.js';
import { type ServiceProcess, runRestoredMember, startServiceProcess } from '../helpers/ds-child.js';
import { deleteByPrefix, redisUrl, uniquePrefix } from '../helpers/redis.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** One installation (ds-member.ts), recording what its channel reports. */
class Member extends DsMember {
  /** What onMessage reported, in order: plaintexts of application messages, 'commit@<epoch>' for Commits. */
  readonly seen: string[] = [];
  readonly seenSeqs: number[] = [];
  removedAt: number | undefined;
  /** Whether the channel follows the log live (a member joins offline with join(false)). */
  #live = true;

  protected attachAt(cursor: number): void {
    this.attach(cursor, this.#live);
  }

  override async join(live = true): Promise<this> {
    this.#live = live;
    return super.join();
  }

  attach(cursor: number, live: boolean): void {
    this.channel = this.client.attach(this.group, {
      cursor, live,
      onMessage: (r: ProcessResult, m: LogMessage) => {
        this.seen.push(r.kind === 'application' ? text(r.plaintext) : `${r.kind}@${r.kind === 'commit' ? r.epoch : ''}`);
        this.seenSeqs.push(m.seq);
      },
      onError: (e) => { throw e; },
      onRemoved: (m) => { this.removedAt = m.seq; },
    });
  }
}

function expectAgreement(members: readonly Member[]): void {
  const [first] = members;
  for (const m of members) {
    expect(m.group.epoch, m.name).toBe(first!.group.epoch);
    expect(hex(m.group.epochAuthenticator), m.name).toBe(hex(first!.group.epochAuthenticator));
  }
}

/** A group of `names.length` members built through the service (the first creates, adds the others one Commit each). */
function groupOf(url: string, names: readonly string[]): Promise<Member[]> {
  return buildGroup(names.map((n) => new Member(n, url)));
}

describe('MLS groups over the delivery service (memory store)', () => {
  const service = deliveryServiceForTests();
  const url = service.url;
  const track = (ms: Member[]) => (ms.forEach(service.track), ms);

  it('fifty members join one by one (KeyPackages uploaded, claimed, Welcomes delivered) and agree', async () => {
    const creator = new Member('member-0', url()).create();
    const members = track([creator]);
    for (let i = 1; i < 50; i++) {
      const joiner = await new Member(`member-${i}`, url()).upload();
      // Any member may add: the committer rotates through the group.
      const committer = members[(i * 7) % members.length]!;
      const { seq, added } = await committer.channel.add([joiner.installation]);
      expect(added).toEqual([joiner.installation]);
      await Promise.all(members.map((m) => m.channel.waitFor(seq))); // pushed over the WebSockets
      members.push(track([await joiner.join()])[0]!);
    }
    expect(members).toHaveLength(50);
    expect(creator.group.members).toHaveLength(50);
    expect(creator.group.epoch).toBe(49n);
    expectAgreement(members);
    // Each KeyPackage was consumed: nothing is left to claim.
    expect(await creator.client.claimKeyPackages(members.slice(1, 4).map((m) => m.installation))).toEqual([undefined, undefined, undefined]);
    // One message from the newest member reaches everyone.
    const last = members.at(-1)!;
    const { seq } = await last.channel.send(bytes('fifty'));
    await Promise.all(members.map((m) => m.channel.waitFor(seq)));
    for (const m of members.slice(0, -1)) expect(m.seen.at(-1)).toBe('fifty');
  });

  it('two members commit concurrently: one wins, the loser processes it and retries, all converge', async () => {
    const [a, b, c] = track(await groupOf(url(), ['a', 'b', 'c']));
    const epoch = a!.group.epoch;
    const ca = a!.group.commit({ update: true });
    const cb = b!.group.commit({ update: true });
    const [ra, rb] = await Promise.allSettled([a!.channel.publishCommit(ca), b!.channel.publishCommit(cb)]);
    const results = [ra, rb];
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(DeliveryError);
    expect((lost.reason as DeliveryError).code).toBe('epoch-conflict');
    expect((lost.reason as DeliveryError).epoch).toBe(epoch + 1n);
    const [winner, loser] = ra.status === 'fulfilled' ? [a!, b!] : [b!, a!];
    // The loser already processed the winner's Commit: same epoch, same group.
    expect(loser.group.epoch).toBe(epoch + 1n);
    expect(hex(loser.group.epochAuthenticator)).toBe(hex(winner.group.epochAuthenticator));
    const retried = await loser.channel.commit({ update: true });
    expect(retried.epoch).toBe(epoch + 2n);
    await Promise.all([a, b, c].map((m) => m!.channel.waitFor(retried.seq)));
    expectAgreement([a!, b!, c!]);

    // commit() retries by itself: three members commit at once, all three land, one epoch each.
    const before = a!.group.epoch;
    const done = await Promise.all([a, b, c].map((m) => m!.channel.commit({ update: true }, { retries: 5 })));
    expect(done.map((d) => d.epoch).sort()).toEqual([before + 1n, before + 2n, before + 3n]);
    await Promise.all([a, b, c].map((m) => m!.channel.waitFor(Math.max(...done.map((d) => d.seq)))));
    expectAgreement([a!, b!, c!]);
  });

  it('a member offline for twenty epochs catches up in order', async () => {
    const [a, b, c] = track(await groupOf(url(), ['p', 'q', 'r']));
    c!.channel.close(); // offline: no pushes, no catch-up
    const offlineAt = c!.channel.cursor;
    const expected: string[] = [];
    for (let i = 0; i < 20; i++) {
      const sender = i % 2 ? a! : b!;
      await sender.channel.send(bytes(`before commit ${i}`));
      expected.push(`before commit ${i}`);
      const { epoch } = await (i % 3 ? a! : b!).channel.commit({ update: true });
      expected.push(`commit@${epoch}`);
    }
    await a!.channel.send(bytes('after'));
    expected.push('after');
    expect(c!.group.epoch + 20n).toBe(a!.group.epoch);
    // Back online: a new channel from the old cursor, fetched page by page, processed in order.
    c!.attach(offlineAt, false);
    await c!.channel.catchUp();
    expect(c!.seen).toEqual(expected);
    expect(c!.seenSeqs).toEqual([...c!.seenSeqs].sort((x, y) => x - y));
    await b!.channel.catchUp();
    expectAgreement([a!, b!, c!]);
  });

  it('a removed member can no longer read', async () => {
    const [a, b, c] = track(await groupOf(url(), ['x', 'y', 'z']));
    const removal = await a!.channel.commit({ remove: [c!.group.leafIndex] });
    await Promise.all([b, c].map((m) => m!.channel.waitFor(removal.seq)));
    expect(c!.channel.removed).toBe(true);
    expect(c!.removedAt).toBe(removal.seq);
    expect(b!.group.members).toHaveLength(2);
    const { seq } = await b!.channel.send(bytes('after the removal'));
    await a!.channel.waitFor(seq);
    expect(a!.seen.at(-1)).toBe('after the removal');
    // The log is public to whoever asks, but the removed member's keys are of the old epoch.
    const { messages } = await c!.client.messages(c!.group.groupId, removal.seq);
    expect(messages.map((m) => m.seq)).toEqual([seq]);
    expect(() => c!.group.process(messages[0]!.data)).toThrow(expect.objectContaining({ code: 'wrong-epoch' }));
    expect(c!.seen).not.toContain('after the removal');
    await expect(c!.channel.send(bytes('still here?'))).rejects.toMatchObject({ code: 'closed' });
  });

  it("an answer lost on the way loses nothing: the log says the Commit was accepted, and it is applied there", async () => {
    const [a, b] = track(await groupOf(url(), ['u', 'v']));
    // b's client drops the service's answer to its next POST (the request itself went through).
    let drop = 0;
    const lossy: typeof fetch = async (input, init) => {
      const answer = await fetch(input, init);
      if (init?.method === 'POST' && drop > 0) {
        drop--;
        throw new TypeError('connection reset');
      }
      return answer;
    };
    const c = new Member('lossy', url());
    c.client.close();
    c.client = new DeliveryClient({ url: url(), WebSocket: WS, fetch: lossy });
    await c.upload();
    await a!.channel.add([c.installation]);
    await c.join(false);
    track([c]);
    const epoch = c.group.epoch;
    drop = 1;
    await expect(c.channel.commit({ update: true })).rejects.toMatchObject({ code: 'network' });
    expect(c.group.epoch).toBe(epoch); // still pending
    await c.channel.catchUp(); // the log holds it: applied at its place
    expect(c.group.epoch).toBe(epoch + 1n);
    drop = 1;
    await expect(c.channel.send(bytes('sent once'))).rejects.toMatchObject({ code: 'network' });
    await c.channel.catchUp(); // its own message comes back: skipped, not refused
    const { seq } = await c.channel.send(bytes('sent twice'));
    await Promise.all([a, b].map((m) => m!.channel.waitFor(seq)));
    expect(a!.seen.slice(-2)).toEqual(['sent once', 'sent twice']);
    expectAgreement([a!, b!, c]);
  });

  it('a member restored from save() in a new process (the built dist/) continues', async () => {
    const [a, b] = track(await groupOf(url(), ['s', 't']));
    await a!.channel.send(bytes('before the save'));
    await b!.channel.catchUp();
    const saved = b!.group.save();
    const cursor = b!.channel.cursor;
    b!.channel.close();
    b!.group.dispose();
    await a!.channel.send(bytes('while away'));
    await a!.channel.commit({ update: true });
    await a!.channel.send(bytes('in the new epoch'));

    const away = { epoch: String(a!.group.epoch), authenticator: hex(a!.group.epochAuthenticator) };

    const run = await runRestoredMember({ url: url(), saved, cursor });
    expect(run.received).toEqual(['while away', `commit@${away.epoch}`, 'in the new epoch']);
    expect(run.caughtUp).toEqual(away);
    await a!.channel.waitFor(run.commit);
    expect(a!.seen).toContain('hello from a new process');
    expect(String(a!.group.epoch)).toBe(run.epoch);
    expect(hex(a!.group.epochAuthenticator)).toBe(run.authenticator);
  });
});

describe('two service processes sharing one Redis', () => {
  let url: string;
  let prefix: string;
  let redis: Redis;
  let local: DeliveryService;
  let localStore: RedisDeliveryStore;
  let localUrl: string;
  let remote: ServiceProcess;
  const members: Member[] = [];
  beforeAll(async () => {
    url = await redisUrl();
    prefix = uniquePrefix('mls-ds');
    redis = new Redis(url);
    localStore = new RedisDeliveryStore({ redis: url, prefix });
    local = new DeliveryService({ store: localStore });
    localUrl = (await local.listen()).url;
    remote = await startServiceProcess(url, prefix);
  }, 60_000);
  afterAll(async () => {
    for (const m of members) m.close();
    await remote?.stop();
    await local?.close();
    await localStore?.close();
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
    removeDsBundles();
  });

  it('clients on either process see one order, and the first Commit for an epoch wins across processes', async () => {
    expect(remote.url).not.toBe(localUrl);
    const a = new Member('on-local', localUrl).create();
    const b = await new Member('on-remote', remote.url).upload(); // uploaded to the remote process …
    const c = await new Member('also-remote', remote.url).upload();
    members.push(a, b, c);
    await a.channel.add([b.installation]); // … claimed through the local one, Welcome read remotely
    await b.join();
    const added = await a.channel.add([c.installation]);
    await b.channel.waitFor(added.seq);
    await c.join();
    expectAgreement([a, b, c]);

    // Rounds of three concurrent Commits for one epoch, sent to both processes: exactly one wins each.
    for (let round = 0; round < 5; round++) {
      const epoch = a.group.epoch;
      const created = [a, b, c].map((m) => m.group.commit({ update: true }));
      const results = await Promise.allSettled([a, b, c].map((m, i) => m.channel.publishCommit(created[i]!)));
      expect(results.filter((r) => r.status === 'fulfilled'), `round ${round}`).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect((r.reason as DeliveryError).code).toBe('epoch-conflict');
      const { seq } = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ seq: number }>).value;
      await Promise.all([a, b, c].map((m) => m.channel.waitFor(seq)));
      expect(a.group.epoch).toBe(epoch + 1n);
      expectAgreement([a, b, c]);
    }

    // Messages from both processes at once: every member processes the same order.
    const sends = await Promise.all([0, 1, 2, 3, 4, 5].flatMap((i) => [a.channel.send(bytes(`a${i}`)), b.channel.send(bytes(`b${i}`))]));
    const last = Math.max(...sends.map((s) => s.seq));
    await Promise.all([a, b, c].map((m) => m.channel.waitFor(last)));
    const fromLocal = await a.client.messages(a.group.groupId);
    const fromRemote = await c.client.messages(c.group.groupId);
    expect(fromRemote.messages.map((m) => [m.seq, hex(m.data)])).toEqual(fromLocal.messages.map((m) => [m.seq, hex(m.data)]));
    // c (on the remote process, fed by pushes) processed every one of them in the log's order;
    // a (local) the same order, its own messages skipped.
    const appSeqs = fromLocal.messages.filter((m) => m.type === 'application').map((m) => m.seq);
    expect(appSeqs).toHaveLength(12);
    expect(c.seenSeqs.filter((s) => appSeqs.includes(s))).toEqual(appSeqs);
    const aOwn = new Set(sends.filter((_, i) => i % 2 === 0).map((s) => s.seq));
    expect(a.seenSeqs.filter((s) => appSeqs.includes(s))).toEqual(appSeqs.filter((s) => !aOwn.has(s)));
    expect([...c.seen.slice(-12)].sort()).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'b0', 'b1', 'b2', 'b3', 'b4', 'b5']);
  });
});
