// A mixed group of wirecrypt and ts-mls members through one delivery service (issue 13, "Scenario
// tests over the delivery service": "a mixed group of wirecrypt and ts-mls members through the same
// service"). A DeliveryService (memory store) on loopback; suite 3.
//
// * wirecrypt members use GroupChannel (client.attach).
// * ts-mls members (test/helpers/ts-mls.ts's TsMember, ts-mls 1.6.x) talk to the service through
//   DeliveryClient directly (TsDsMember below): upload their KeyPackage to the directory, claim
//   others', publish Commits (as PrivateMessages, ts-mls's own default, unless a step says otherwise)
//   with their Welcomes and application messages, subscribe to the log and process every entry in
//   order, skipping their own (recognised by bytes, as GroupChannel does). ts-mls has no pending
//   Commit: a ts-mls member keeps its state from before the Commit and goes back to it when the
//   service refuses the Commit ('epoch-conflict'), then processes the winner and builds again.
//
// After every step all current members agree on the epoch, epoch_authenticator and an
// MLS-Exporter output.
import { describe, expect, it } from 'vitest';
import { DeliveryClient, DeliveryError, type LogMessage, type Subscription } from '../../bindings/mls/ds/index.js';
import { toBase64 } from '../../bindings/mls/ds/wire.js';
import type { ProcessResult } from '../../bindings/mls/index.js';
import { DsMember, WS, deliveryServiceForTests } from './ds-member.js';
import { stateOf } from '../../bindings/mls/group/group.js';
import { type TsCommitRequest, TsMember, type TsPendingJoin, tsKeyPackage } from '../helpers/ts-mls.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const SUITE = 3;
const EXPORT_LABEL = 'wirecrypt/ts-mls over the delivery service';

interface AnyMember {
  readonly name: string;
  readonly kind: 'wirecrypt' | 'ts-mls';
  readonly client: DeliveryClient;
  installation: string;
  /** Plaintexts of application messages and 'commit@<epoch>' / 'proposal', in log order. */
  readonly seen: string[];
  /** What went wrong processing the log (must stay empty). */
  readonly errors: unknown[];
  readonly epoch: bigint;
  readonly epochAuthenticator: Uint8Array;
  readonly leafIndex: number;
  readonly removed: boolean;
  exportSecret(): Promise<string>;
  send(plaintext: string): Promise<{ seq: number }>;
  waitFor(seq: number): Promise<void>;
  close(): void;
}

/** A wirecrypt member on a GroupChannel (ds-member.ts). */
class WcMember extends DsMember implements AnyMember {
  readonly kind = 'wirecrypt';
  readonly seen: string[] = [];
  readonly errors: unknown[] = [];

  constructor(name: string, url: string) {
    super(name, url, SUITE);
  }

  get epoch() { return this.group.epoch; }
  get epochAuthenticator() { return this.group.epochAuthenticator; }
  get leafIndex() { return this.group.leafIndex; }
  get removed() { return this.channel.removed; }

  protected attachAt(cursor: number): void {
    this.channel = this.client.attach(this.group, {
      cursor,
      onMessage: (r: ProcessResult) => { this.seen.push(r.kind === 'application' ? text(r.plaintext) : r.kind === 'commit' ? `commit@${r.epoch}` : 'proposal'); },
      onError: (e) => { this.errors.push(e); },
    });
  }

  async exportSecret(): Promise<string> {
    return hex(this.group.exportSecret(EXPORT_LABEL, bytes('context'), 32));
  }

  send(plaintext: string): Promise<{ seq: number }> {
    return this.channel.send(bytes(plaintext));
  }

  waitFor(seq: number): Promise<void> {
    return this.channel.waitFor(seq);
  }
}

/** A ts-mls Commit built on the current epoch (its state already moved on), waiting to be published. */
interface TsPrepared {
  readonly commit: Uint8Array;
  /** Publishes it; on a refusal the member goes back to its previous state and processes the winner. */
  publish(): Promise<{ seq: number; epoch: bigint }>;
}

/** A ts-mls member driving DeliveryClient itself. Every operation and every pushed batch runs one at a time. */
class TsDsMember implements AnyMember {
  readonly kind = 'ts-mls';
  readonly client: DeliveryClient;
  installation = '';
  member!: TsMember;
  groupHex = '';
  cursor = 0;
  readonly seen: string[] = [];
  readonly errors: unknown[] = [];
  #pending!: TsPendingJoin;
  #keyPackage!: Uint8Array;
  /** base64 of what this member published and has not seen come back in the log. */
  readonly #own = new Set<string>();
  #queue: Promise<unknown> = Promise.resolve();
  #subscription: Subscription | undefined;
  readonly #waiters: { seq: number; resolve: () => void }[] = [];

  constructor(readonly name: string, readonly url: string) {
    this.client = new DeliveryClient({ url, WebSocket: WS });
  }

  get epoch() { return this.member.epoch; }
  get epochAuthenticator() { return this.member.epochAuthenticator; }
  get leafIndex() { return this.member.leafIndex; }
  get removed() { return this.member.removed; }

  async upload(): Promise<this> {
    const { keyPackage, pending } = await tsKeyPackage(SUITE, this.name);
    this.#keyPackage = keyPackage;
    this.#pending = pending;
    this.installation = await this.client.uploadKeyPackage(this.#keyPackage);
    return this;
  }

  /** Joins from the Welcome in its mailbox and follows the log from the Commit that added it. */
  async join(): Promise<this> {
    const welcome = await this.client.nextWelcome(this.installation, { timeoutMs: 10_000 });
    this.member = await this.#pending.join(welcome.data);
    this.groupHex = welcome.group;
    expect(hex(this.member.state.groupContext.groupId)).toBe(welcome.group);
    this.cursor = welcome.seq;
    this.#subscription = this.client.subscribe(this.groupHex, this.cursor, (messages) => {
      void this.#locked(() => this.#applyAll(messages)).catch((e: unknown) => { this.errors.push(e); });
    });
    return this;
  }

  async exportSecret(): Promise<string> {
    return hex(await this.member.exportSecret(EXPORT_LABEL, bytes('context'), 32));
  }

  /** Everything after the cursor, fetched and processed in order. */
  catchUp(): Promise<void> {
    return this.#locked(() => this.#catchUp());
  }

  waitFor(seq: number): Promise<void> {
    if (this.cursor >= seq || this.removed) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ seq, resolve }));
  }

  send(plaintext: string): Promise<{ seq: number }> {
    return this.#locked(async () => {
      await this.#catchUp();
      const message = await this.member.encrypt(bytes(plaintext));
      const key = toBase64(message);
      this.#own.add(key);
      try {
        const { seq } = await this.client.publish(this.groupHex, message);
        return { seq };
      } catch (e) {
        this.#own.delete(key);
        throw e;
      }
    });
  }

  /**
   * Builds a Commit on the newest epoch (add: KeyPackages claimed from the directory for
   * `addInstallations`) and holds this member's queue until publish() is called, so nothing is
   * processed in between (the state has already moved to the new epoch, as ts-mls does).
   */
  prepareCommit(request: Omit<TsCommitRequest, 'add'> & { readonly addInstallations?: readonly string[] } = {}): Promise<TsPrepared> {
    return new Promise<TsPrepared>((resolveHandle, rejectHandle) => {
      void this.#locked(async () => {
        let built: { commit: Uint8Array; welcome?: Uint8Array; saved: TsMember['state']; to: readonly string[] };
        try {
          await this.#catchUp();
          const { addInstallations = [], ...rest } = request;
          const claimed = addInstallations.length === 0 ? [] : await this.client.claimKeyPackages(addInstallations);
          if (claimed.some((kp) => kp === undefined)) throw new Error(`${this.name}: a KeyPackage to add is missing`);
          const saved = this.member.state;
          const out = await this.member.commit({ wireFormat: 'private', ...rest, add: claimed as Uint8Array[] });
          built = { ...out, saved, to: addInstallations };
        } catch (e) {
          rejectHandle(e);
          return;
        }
        let go!: () => void;
        const started = new Promise<void>((r) => { go = r; });
        let settle!: { resolve: (v: { seq: number; epoch: bigint }) => void; reject: (e: unknown) => void };
        const result = new Promise<{ seq: number; epoch: bigint }>((resolve, reject) => { settle = { resolve, reject }; });
        resolveHandle({ commit: built.commit, publish: () => (go(), result) });
        await started;
        try {
          settle.resolve(await this.#publishBuilt(built));
        } catch (e) {
          settle.reject(e);
        }
      });
    });
  }

  /** prepareCommit + publish, built again after losing the epoch (up to `retries` times). */
  async commit(request: Parameters<TsDsMember['prepareCommit']>[0] = {}, retries = 3): Promise<{ seq: number; epoch: bigint }> {
    for (let attempt = 0; ; attempt++) {
      const prepared = await this.prepareCommit(request);
      try {
        return await prepared.publish();
      } catch (e) {
        if (!(e instanceof DeliveryError) || e.code !== 'epoch-conflict' || attempt >= retries) throw e;
      }
    }
  }

  close(): void {
    this.#subscription?.close();
    this.client.close();
  }

  // ---- under the lock ----

  #locked<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => {});
    return run;
  }

  async #publishBuilt(built: { commit: Uint8Array; welcome?: Uint8Array; saved: TsMember['state']; to: readonly string[] }): Promise<{ seq: number; epoch: bigint }> {
    const key = toBase64(built.commit);
    this.#own.add(key);
    let accepted: { seq: number; epoch: bigint };
    try {
      accepted = await this.client.publish(this.groupHex, built.commit, built.welcome !== undefined ? { data: built.welcome, to: built.to } : undefined);
    } catch (e) {
      // Refused: back to the epoch before the Commit, and take in the Commit that won.
      this.#own.delete(key);
      this.member.state = built.saved;
      await this.#catchUp();
      throw e;
    }
    await this.#catchUp(); // up to (and past) our own Commit, already applied by ts-mls
    expect(this.#own.has(key)).toBe(false);
    return accepted;
  }

  async #catchUp(): Promise<void> {
    for (;;) {
      if (this.removed) return;
      const page = await this.client.messages(this.groupHex, this.cursor, 500);
      await this.#applyAll(page.messages);
      if (page.messages.length === 0 || this.cursor >= page.seq) return;
    }
  }

  async #applyAll(messages: readonly LogMessage[]): Promise<void> {
    for (const m of messages) {
      if (this.removed) break;
      if (m.seq <= this.cursor) continue;
      if (m.seq !== this.cursor + 1) {
        await this.#catchUp();
        break;
      }
      if (this.#own.delete(m.encoded)) {
        this.cursor = m.seq; // our own message or Commit (ts-mls applied the Commit when it made it)
        continue;
      }
      let r;
      try {
        r = await this.member.process(m.data);
      } catch (e) {
        throw new Error(`${this.name} (ts-mls) refused log entry ${m.seq} (${m.type}, epoch ${m.epoch}): ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      if (r.kind !== 'application') expect(r.action, `${this.name}: entry ${m.seq}`).toBe('accept');
      this.seen.push(r.kind === 'application' ? text(r.plaintext) : r.kind === 'commit' ? `commit@${this.member.epoch}` : 'proposal');
      this.cursor = m.seq;
    }
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const w = this.#waiters[i]!;
      if (w.seq <= this.cursor || this.removed) {
        this.#waiters.splice(i, 1);
        w.resolve();
      }
    }
  }
}

/** Everyone (not removed) reached the end of the log and agrees on epoch, epoch_authenticator and exporter. */
async function agree(members: readonly AnyMember[]): Promise<void> {
  const anyone = members.find((m) => !m.removed)!;
  const { seq } = await anyone.client.messages(groupHexOf(anyone), 0, 1);
  // A member removed by an entry up to `seq` stops there (waitFor resolves): it is left out after.
  await Promise.all(members.map((m) => withTimeout(m.waitFor(seq), `${m.name} waiting for seq ${seq}`)));
  const live = members.filter((m) => !m.removed);
  for (const m of live) expect(m.errors, m.name).toEqual([]);
  const view = async (m: AnyMember) => ({ epoch: m.epoch, epochAuthenticator: hex(m.epochAuthenticator), exporter: await m.exportSecret() });
  const first = await view(live[0]!);
  for (const m of live.slice(1)) expect({ who: m.name, ...await view(m) }).toEqual({ who: m.name, ...first });
}

function groupHexOf(m: AnyMember): string {
  return m instanceof WcMember ? hex(m.group.groupId) : (m as TsDsMember).groupHex;
}

async function withTimeout<T>(p: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** Each member sends one message; every other current member reads all of them. */
async function chat(members: readonly AnyMember[], tag: string): Promise<void> {
  const live = members.filter((m) => !m.removed);
  const sent: string[] = [];
  for (const m of live) {
    const message = `${tag} from ${m.name} (${m.kind})`;
    await m.send(message);
    sent.push(message);
  }
  await agree(live);
  for (const m of live) {
    const expected = sent.filter((s) => !s.includes(`from ${m.name} (`));
    expect(m.seen.slice(-expected.length), m.name).toEqual(expected);
  }
}

describe('a mixed group of wirecrypt and ts-mls members through one delivery service (suite 3)', () => {
  const { url, track } = deliveryServiceForTests();

  it('joins through the directory, messages both ways, Commits from both kinds, concurrent Commits across kinds', async () => {
    // 1. wirecrypt creates the group and adds a ts-mls and a wirecrypt member in one Commit,
    //    claiming their KeyPackages from the directory; both join from their mailboxes.
    const w1 = track(new WcMember('w1', url())).create();
    const t1 = await track(new TsDsMember('t1', url())).upload();
    const w2 = await track(new WcMember('w2', url())).upload();
    const added = await w1.channel.add([t1.installation, w2.installation]);
    expect(added.added).toEqual([t1.installation, w2.installation]);
    await t1.join();
    await w2.join();
    const group: AnyMember[] = [w1, t1, w2];
    await agree(group);
    expect(w1.group.members).toHaveLength(3);

    // 2. Application messages both ways.
    await chat(group, 'hello');

    // 3. ts-mls commits. Add (a ts-mls and a wirecrypt newcomer, from the directory) as a PrivateMessage:
    const t2 = await track(new TsDsMember('t2', url())).upload();
    const w3 = await track(new WcMember('w3', url())).upload();
    const addByTs = await t1.commit({ addInstallations: [t2.installation, w3.installation] });
    await t2.join();
    await w3.join();
    group.push(t2, w3);
    await agree(group);
    expect(w1.epoch).toBe(addByTs.epoch);
    expect(w2.seen.at(-1)).toBe(`commit@${addByTs.epoch}`);
    await chat(group, 'five');
    //    … an update (an empty commit: ts-mls gives it a path), t1's leaf key changes for wirecrypt:
    const t1Key = () => hex(stateOf(w1.group).tree.leaf(t1.leafIndex)!.encryptionKey);
    const keyBefore = t1Key();
    await t1.commit({});
    await agree(group);
    expect(t1Key()).not.toBe(keyBefore);
    //    … and a remove of the wirecrypt newcomer, as a PublicMessage this time.
    await t1.commit({ remove: [w3.leafIndex], wireFormat: 'public' });
    await agree(group);
    expect(w3.removed).toBe(true);
    await chat(group, 'after w3');
    expect(w3.seen).not.toContain('after w3 from w1 (wirecrypt)');

    // 4. wirecrypt commits: an update, then the removal of a ts-mls member.
    await w2.channel.commit({ update: true });
    await agree(group);
    await w2.channel.commit({ remove: [t2.leafIndex] });
    await agree(group);
    expect(t2.removed).toBe(true);
    await chat(group, 'after t2');
    expect(t2.seen).not.toContain('after t2 from w1 (wirecrypt)');

    // 5. Concurrent Commits for one epoch from a wirecrypt and a ts-mls member: both built on the
    //    same epoch, published at once; the service orders one, refuses the other; the loser
    //    processes the winner and commits again; everyone converges. Rounds alternate who sends first.
    const winners: string[] = [];
    for (let round = 0; round < 4; round++) {
      const epoch = w1.epoch;
      expect(t1.epoch).toBe(epoch);
      const wc = w1.group.commit({ update: true });
      const ts = await t1.prepareCommit({});
      const publishWc = () => w1.channel.publishCommit(wc);
      const [rw, rt] = round % 2 === 0
        ? await Promise.allSettled([publishWc(), ts.publish()])
        : await Promise.allSettled([ts.publish(), publishWc()]).then(([a, b]) => [b, a] as const);
      const fulfilled = [rw, rt].filter((r) => r.status === 'fulfilled');
      expect(fulfilled, `round ${round}`).toHaveLength(1);
      const lost = [rw, rt].find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(DeliveryError);
      expect((lost.reason as DeliveryError).code).toBe('epoch-conflict');
      const wcWon = rw.status === 'fulfilled';
      winners.push(wcWon ? 'wirecrypt' : 'ts-mls');
      // The loser has processed the winner already.
      expect(w1.epoch).toBe(epoch + 1n);
      expect(t1.epoch).toBe(epoch + 1n);
      expect(hex(t1.epochAuthenticator)).toBe(hex(w1.epochAuthenticator));
      // … and retries on the new epoch.
      if (wcWon) await t1.commit({});
      else await w1.channel.commit({ update: true });
      await agree(group);
      expect(w1.epoch).toBe(epoch + 2n);
    }

    // 5b. Each kind losing for certain: the other's Commit is accepted first (sequential, not a race).
    for (const first of ['ts-mls', 'wirecrypt'] as const) {
      const epoch = w1.epoch;
      const wc = w1.group.commit({ update: true });
      const ts = await t1.prepareCommit({ wireFormat: 'public' });
      if (first === 'ts-mls') {
        await ts.publish();
        await expect(w1.channel.publishCommit(wc)).rejects.toMatchObject({ code: 'epoch-conflict', epoch: epoch + 1n });
        expect(w1.epoch).toBe(epoch + 1n); // processed the winner
        await w1.channel.commit({ update: true });
      } else {
        await w1.channel.publishCommit(wc);
        await expect(ts.publish()).rejects.toMatchObject({ code: 'epoch-conflict', epoch: epoch + 1n });
        expect(t1.epoch).toBe(epoch + 1n); // back from its own Commit, then the winner
        await t1.commit({});
      }
      await agree(group);
      expect(w1.epoch).toBe(epoch + 2n);
    }

    // 6. Still talking both ways at the end.
    await chat(group, 'bye');
    expect(winners).toHaveLength(4);
    console.log(`ds-mixed: concurrent rounds won by ${winners.join(', ')}`);
  });
});
