// A DeliveryStore in Redis, shared by every delivery-service process that uses the same Redis and
// prefix: clients connected to different processes see one order per group, and the first Commit for
// an epoch wins across the fleet. Node only (ioredis, through RedisHandle: loaded on first use).
//
// Layout under the caller's prefix P (group ids and installation ids are lowercase hex):
//
//   P kp:<installation>  list    FIFO of "<15-digit ms timestamp><KeyPackage bytes>"; LPOP hands each
//                                out once (expired ones are skipped and dropped by the same script)
//   P gm:<group>         hash    epoch (the next Commit's epoch, decimal), seq (the last seq)
//   P g:<group>          stream  the log: entry id "<seq>-0" (explicit ids, so a cursor is the seq),
//                                fields t (content type), e (epoch, decimal), d (the MLSMessage bytes)
//   P w:<installation>   stream  the Welcome mailbox: auto ids ("ms-n", the cursor), fields g (group),
//                                s (seq of the Commit), d (Welcome bytes); XTRIM by MAXLEN and by MINID
//                                (age), and the key expires when idle
//   P changes            pub/sub channel: "g:<group>" / "w:<installation>" after each append
//
// First commit wins: APPEND below is one Lua script — read gm, compare epochs, bump seq and epoch,
// XADD to the log and to every Welcome mailbox, PUBLISH — so Redis runs it as one step and no two
// processes can both see epoch e free. (An XADD with an explicit id alone would also refuse a second
// "<seq>-0", but it cannot tie the epoch check and the Welcome to it.) The script touches keys of one
// group and several mailboxes: one Redis, not a Cluster (the keys do not share a slot).
//
// Durability is Redis's: an acknowledged append survives a Redis restart only with AOF
// (appendonly yes, appendfsync everysec or always) or a replica — configure Redis for it.
// Pub/sub is a hint: the data are in the streams, and a service process that reconnects re-reads
// every subscription ('resync'), so a lost notification delays nothing beyond the reconnect.

import { sha1 } from '../../hash.js';
import type { Redis } from 'ioredis';
import { RedisHandle, prefixOf } from '../../node/redis-handle.js';
import { compareCursor, cursorKey } from './memory-store.js';
import {
  type AppendMessage, type AppendResult, type AppendWelcome, DEFAULT_LIMITS, type DeliveryStore, type GroupLogPage,
  type LogEntry, type StoreChange, type StoreLimits, type WelcomeEntry,
} from './store.js';
import type { MessageType } from './wire.js';

export interface RedisDeliveryStoreOptions extends StoreLimits {
  /** An ioredis client (used, left open on close()) or a redis:// URL (connected, quit on close()). */
  readonly redis: Redis | string;
  /** Prefix of every key and of the channel; default `wirecrypt:mls-ds:`. No `{` or `}`. */
  readonly prefix?: string;
  /** The clock (ms since the Unix epoch), for expiry; for tests. */
  readonly now?: () => number;
}

export const DEFAULT_DS_PREFIX = 'wirecrypt:mls-ds:';
const FN = 'RedisDeliveryStore';
const STAMP = 15; // digits of the timestamp in front of a stored KeyPackage

/** A Lua script run by EVALSHA, loaded with EVAL the first time a Redis does not know it. */
class Script {
  #sha: string | undefined;
  constructor(readonly lua: string) {}

  /** EVALSHA's name for it, computed on first use (scripts are built when this module loads, before the engine may be). */
  get sha(): string {
    this.#sha ??= Buffer.from(sha1(new TextEncoder().encode(this.lua))).toString('hex');
    return this.#sha;
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | Buffer)[]): Promise<unknown> {
    try {
      return await redis.call('EVALSHA', this.sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      return redis.call('EVAL', this.lua, keys.length, ...keys, ...args);
    }
  }
}

// KEYS: gm, g, then one mailbox per Welcome recipient.
// ARGV: type, epoch, data, channel, group, welcome data ('' if none), welcome MAXLEN, welcome MINID,
//       welcome TTL (ms), then the recipients' installation ids (for the notifications).
// Returns {'ok', next epoch, seq} or {reason, current epoch, last seq}.
const APPEND = new Script(`
local cur = redis.call('HMGET', KEYS[1], 'epoch', 'seq')
local epoch = tonumber(ARGV[2])
local seq = tonumber(cur[2] or '0')
if cur[1] then
  local e = tonumber(cur[1])
  if epoch > e then return {'epoch-ahead', cur[1], seq} end
  if epoch < e then
    if ARGV[1] == 'commit' then return {'epoch-conflict', cur[1], seq} end
    return {'stale-epoch', cur[1], seq}
  end
end
seq = seq + 1
local nextEpoch = epoch
if ARGV[1] == 'commit' then nextEpoch = epoch + 1 end
local sseq = string.format('%d', seq)
local snext = string.format('%d', nextEpoch)
redis.call('HSET', KEYS[1], 'epoch', snext, 'seq', sseq)
redis.call('XADD', KEYS[2], sseq .. '-0', 't', ARGV[1], 'e', ARGV[2], 'd', ARGV[3])
for i = 3, #KEYS do
  redis.call('XADD', KEYS[i], 'MAXLEN', ARGV[7], '*', 'g', ARGV[5], 's', sseq, 'd', ARGV[6])
  redis.call('XTRIM', KEYS[i], 'MINID', ARGV[8])
  redis.call('PEXPIRE', KEYS[i], ARGV[9])
end
redis.call('PUBLISH', ARGV[4], 'g:' .. ARGV[5])
for i = 10, #ARGV do redis.call('PUBLISH', ARGV[4], 'w:' .. ARGV[i]) end
return {'ok', snext, seq}
`);

// KEYS: kp list. ARGV: oldest timestamp still alive (ms). Pops until a live KeyPackage (or none).
const TAKE = new Script(`
while true do
  local v = redis.call('LPOP', KEYS[1])
  if not v then return false end
  if tonumber(string.sub(v, 1, ${STAMP})) > tonumber(ARGV[1]) then return string.sub(v, ${STAMP + 1}) end
end
`);

export class RedisDeliveryStore implements DeliveryStore {
  readonly #redis: RedisHandle;
  readonly #prefix: string;
  readonly #limits: Required<StoreLimits>;
  readonly #now: () => number;
  readonly #subscribers = new Set<Redis>();

  constructor(options: RedisDeliveryStoreOptions) {
    this.#redis = new RedisHandle(options.redis, FN);
    this.#prefix = prefixOf(options.prefix, DEFAULT_DS_PREFIX, FN);
    const { redis: _r, prefix: _p, now, ...limits } = options;
    this.#limits = { ...DEFAULT_LIMITS, ...Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)) };
    this.#now = now ?? Date.now;
  }

  get #channel(): string {
    return `${this.#prefix}changes`;
  }

  async addKeyPackage(installation: string, keyPackage: Uint8Array): Promise<void> {
    const redis = await this.#redis.get();
    const key = `${this.#prefix}kp:${installation}`;
    const value = Buffer.concat([Buffer.from(String(this.#now()).padStart(STAMP, '0')), Buffer.from(keyPackage)]);
    await redis.multi()
      .rpush(key, value)
      .ltrim(key, -this.#limits.maxKeyPackages, -1)
      .pexpire(key, this.#limits.keyPackageTtlMs)
      .exec()
      .then(failed);
  }

  async takeKeyPackage(installation: string): Promise<Uint8Array | undefined> {
    const redis = await this.#redis.get();
    const oldest = String(this.#now() - this.#limits.keyPackageTtlMs);
    // EVALSHA through callBuffer: the KeyPackage comes back as bytes, not as a UTF-8 string.
    const key = `${this.#prefix}kp:${installation}`;
    let v: unknown;
    try {
      v = await redis.callBuffer('EVALSHA', TAKE.sha, 1, key, oldest);
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      v = await redis.callBuffer('EVAL', TAKE.lua, 1, key, oldest);
    }
    return v instanceof Buffer ? new Uint8Array(v) : undefined;
  }

  async append(group: string, message: AppendMessage, welcome?: AppendWelcome): Promise<AppendResult> {
    const redis = await this.#redis.get();
    const to = [...new Set(welcome?.to ?? [])];
    const l = this.#limits;
    const keys = [`${this.#prefix}gm:${group}`, `${this.#prefix}g:${group}`, ...to.map((i) => `${this.#prefix}w:${i}`)];
    const args = [
      message.type, message.epoch.toString(), Buffer.from(message.data), this.#channel, group,
      welcome === undefined ? '' : Buffer.from(welcome.data), String(l.maxWelcomes), String(Math.max(0, this.#now() - l.welcomeTtlMs)),
      String(l.welcomeTtlMs), ...to,
    ];
    const [status, epoch, seq] = (await APPEND.run(redis, keys, args)) as [string, string, number];
    if (status === 'ok') return { accepted: true, seq: Number(seq), epoch: BigInt(epoch) };
    return { accepted: false, reason: status as 'epoch-conflict' | 'stale-epoch' | 'epoch-ahead', epoch: BigInt(epoch), seq: Number(seq) };
  }

  async read(group: string, after: number, limit: number): Promise<GroupLogPage> {
    const redis = await this.#redis.get();
    // One MULTI: the page and the group's head come from the same instant.
    const replies = await redis.multi()
      .hmget(`${this.#prefix}gm:${group}`, 'epoch', 'seq')
      .xrangeBuffer(`${this.#prefix}g:${group}`, `${after + 1}-0`, '+', 'COUNT', limit)
      .exec()
      .then(failed);
    const [epoch, seq] = replies[0] as [string | null, string | null];
    const entries = (replies[1] as [Buffer, Buffer[]][]).map(([id, fields]): LogEntry => {
      const f = fieldsOf(fields);
      return { seq: Number(id.toString().split('-')[0]), type: f.t!.toString() as MessageType, epoch: BigInt(f.e!.toString()), data: new Uint8Array(f.d!) };
    });
    return { entries, epoch: epoch === null ? undefined : BigInt(epoch), seq: seq === null ? 0 : Number(seq) };
  }

  async readWelcomes(installation: string, after: string | undefined, limit: number): Promise<WelcomeEntry[]> {
    const redis = await this.#redis.get();
    // From the later of `after` (exclusive) and the oldest live Welcome: expired entries not yet
    // trimmed are never answered, as in the memory store.
    const oldest: [number, number] = [this.#now() - this.#limits.welcomeTtlMs, 0];
    const start = after !== undefined && compareCursor(cursorKey(after), oldest) >= 0 ? `(${after}` : `${Math.max(0, oldest[0] + 1)}-0`;
    const raw = (await redis.xrangeBuffer(`${this.#prefix}w:${installation}`, start, '+', 'COUNT', limit)) as unknown as [Buffer, Buffer[]][];
    return raw.map(([id, fields]) => {
      const f = fieldsOf(fields);
      return { cursor: id.toString(), group: f.g!.toString(), seq: Number(f.s!.toString()), data: new Uint8Array(f.d!) };
    });
  }

  async watch(listener: (change: StoreChange) => void): Promise<() => void> {
    const redis = await this.#redis.get();
    // A subscribed connection can do nothing else: a dedicated one per watcher.
    const sub = redis.duplicate();
    this.#subscribers.add(sub);
    let ready = 0;
    sub.on('ready', () => { if (ready++ > 0) listener({ kind: 'resync' }); });
    sub.on('error', () => {}); // ioredis reconnects; 'ready' then triggers a resync
    sub.on('messageBuffer', (_channel: Buffer, message: Buffer) => {
      const text = message.toString();
      if (text.startsWith('g:')) listener({ kind: 'group', id: text.slice(2) });
      else if (text.startsWith('w:')) listener({ kind: 'welcome', id: text.slice(2) });
    });
    await sub.subscribe(this.#channel);
    return () => {
      this.#subscribers.delete(sub);
      sub.disconnect();
    };
  }

  async close(): Promise<void> {
    for (const sub of this.#subscribers) sub.disconnect();
    this.#subscribers.clear();
    await this.#redis.close();
  }
}

/** A MULTI's replies, or its first error thrown. */
function failed(replies: [Error | null, unknown][] | null): unknown[] {
  if (replies === null) throw new Error(`${FN}: the transaction was aborted`);
  for (const [error] of replies) if (error) throw error;
  return replies.map(([, value]) => value);
}

function fieldsOf(fields: Buffer[]): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i]!.toString()] = fields[i + 1]!;
  return out;
}
