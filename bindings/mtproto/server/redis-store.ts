// An AuthKeyStore shared by several server processes through Redis (issue 10, "Real components"):
// a client that reconnects to another process of the fleet keeps its auth key, salts and sessions.
// Node only (ioredis).
//
// Layout, for auth key id N written as 16 lowercase hex digits of its unsigned 64-bit form, under
// the caller's prefix P (the braces are a Redis Cluster hash tag: the three keys of one auth key
// share a slot, so each script below touches one slot):
//
//   P{N}:key       hash   key (256 raw bytes), temp ("1"/"0"), expiresAt (Unix seconds, as JS prints
//                         the number), expiresAtMs (integer milliseconds), boundTo (decimal id)
//   P{N}:salts     zset   member = salt (int64 BE) ‖ validSince (int64 BE), score = validUntil
//   P{N}:sessions  set    member = session_id (int64 BE)
//   P{N}:held:S    hash   the held messages of session S (S: its 16 hex digits, unsigned, as N):
//                         field = msg_id as 16 lowercase hex digits (unsigned, so the fields sort
//                         by time), value = seq_no (uint32 BE) ‖ 1 if an rpc_result, else 0 (one
//                         byte) ‖ req_msg_id (int64 BE, 0 if none) ‖ body
//   P{N}:holding   hash   the key's sessions holding messages (held.ts, per-key caps): field = S (16
//                         hex digits), value = bytes of its bodies as of its last write (decimal; an
//                         upper bound: expiry only lowers it); expires with the latest held hash
//
// Temporary keys carry PEXPIREAT at expiresAt, and their salts and sessions the same deadline, so
// Redis drops them all at expiry (spec §6); a perm key's salts expire with the latest validUntil.
// A held hash expires HELD_TTL after the time in its newest msg_id (held.ts), never after its key;
// older fields past that age, or past the caps, are removed by the next hold and left out on read.
// The per-key caps: a hold sums the holding index (at most MAX_HOLDING_SESSIONS_PER_KEY fields, as the
// caps evict the rest); only if that bound is over a cap does it read the other sessions' hashes for
// their exact unexpired bytes and newest msg_id, then deletes the stalest sessions' hashes whole.
// releaseMessages is a script too, to keep the index's byte counts in step.
// Every write that must be atomic is one Lua script on one slot: addKey ("set if absent": EXISTS,
// then HSET + PEXPIREAT), bindTempKey (check and bind), addSalts, claimSession (SADD, whose answer
// says whether the session is new to the whole fleet), holdMessages (only into a claimed session,
// then the session's and the key's caps), releaseMessages, dropSession and deleteKey (with the held
// hashes and the holding index). The held hashes of a key are
// found through its sessions set, so deleteKey / addKey / dropSession touch keys they compute
// inside the script: all share the key's hash tag, hence its slot. Values are Buffers, never
// strings, so key bytes and held bodies (kept in the clear, like the keys) survive whatever they
// contain.

import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { MtprotoError } from '../errors.js';
import {
  AUTH_KEY_LENGTH, checkedKey, checkedSalts, closedStore, int64, isExpired, sortSalts, storeErrors,
} from './memory-store.js';
import type { AuthKeyStore, HeldMessage, StoredAuthKey, StoredSalt } from './store.js';
import {
  HELD_TTL, MAX_HELD_BYTES, MAX_HELD_BYTES_PER_KEY, MAX_HELD_MESSAGES, MAX_HOLDING_SESSIONS_PER_KEY, capHeld, checkedHeld,
  checkedMsgIds, heldCutoff,
} from './held.js';
import { msgIdTime } from '../crypto/msg-id.js';
import { RedisHandle, prefixOf } from '../../node/redis-handle.js';

export interface RedisAuthKeyStoreOptions {
  /**
   * An ioredis client (the store uses it and leaves it open on close()) or a Redis URL such as
   * `redis://127.0.0.1:6379/0` (the store connects, and close() quits that connection).
   */
  readonly redis: Redis | string;
  /** Prefix of every Redis key the store writes; default `wirecrypt:mtproto:`. No `{` or `}`. */
  readonly prefix?: string;
}

export const DEFAULT_REDIS_PREFIX = 'wirecrypt:mtproto:';

/** A Lua script run by EVALSHA, loaded with EVAL the first time a server does not know it. */
class Script {
  readonly sha: string;
  constructor(readonly lua: string, readonly keys: number) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(redis: Redis, args: (string | Buffer)[]): Promise<unknown> {
    try {
      return await redis.call('EVALSHA', this.sha, this.keys, ...args);
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      return redis.call('EVAL', this.lua, this.keys, ...args);
    }
  }
}

// The held hash of a session member (8 bytes): prefix .. its 16 hex digits. Scripts that drop
// sessions start with this.
const HELD_KEY_LUA = `
local function heldKey(prefix, member)
  return prefix .. (string.gsub(member, '.', function(c) return string.format('%02x', string.byte(c)) end))
end
local function dropAllHeld(sessions, prefix)
  for _, member in ipairs(redis.call('SMEMBERS', sessions)) do redis.call('DEL', heldKey(prefix, member)) end
end
`;

// KEYS: key, salts, sessions, holding. ARGV: key bytes, temp, expiresAt, expiresAtMs, boundTo
// ('' = none), held prefix. Stale salts, sessions and held messages of an earlier key with the same id are
// dropped. An expiry in the past makes Redis delete the key at once: accepted and forgotten, like
// the other stores.
const ADD_KEY = new Script(`${HELD_KEY_LUA}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
dropAllHeld(KEYS[3], ARGV[6])
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
redis.call('HSET', KEYS[1], 'key', ARGV[1], 'temp', ARGV[2])
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], 'expiresAt', ARGV[3], 'expiresAtMs', ARGV[4])
  if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'boundTo', ARGV[5]) end
  redis.call('PEXPIREAT', KEYS[1], ARGV[4])
end
return 1
`, 4);

// KEYS: temp key. ARGV: permId (decimal), the perm key's temp field as read just before ('' if
// absent). Returns 1 (bound), -1 (no temp key), -2 (not temp), -3 (no perm key), -4 (perm is temp),
// or the id it is already bound to. The perm key is read outside the script (another slot); a perm
// key deleted between the two steps leaves a binding to a missing key, which the server sees.
const BIND = new Script(`
local t = redis.call('HMGET', KEYS[1], 'temp', 'boundTo')
if not t[1] then return -1 end
if t[1] ~= '1' then return -2 end
if ARGV[2] == '' then return -3 end
if ARGV[2] ~= '0' then return -4 end
if t[2] then
  if t[2] == ARGV[1] then return 1 end
  return t[2]
end
redis.call('HSET', KEYS[1], 'boundTo', ARGV[1])
return 1
`, 1);

// KEYS: key, salts. ARGV: now (Unix seconds), then score, member pairs. Salts with validUntil <= now
// go; the set expires with its latest salt, or with a temp key if that comes first.
const ADD_SALTS = new Script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
for i = 2, #ARGV, 2 do redis.call('ZADD', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
local top = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
if top[2] then
  local at = tonumber(top[2]) * 1000
  local keyAt = redis.call('HGET', KEYS[1], 'expiresAtMs')
  if keyAt and tonumber(keyAt) < at then at = tonumber(keyAt) end
  redis.call('PEXPIREAT', KEYS[2], string.format('%d', at))
end
return 1
`, 2);

// KEYS: key, sessions. ARGV: session member. Returns 1 (new to the fleet), 0 (known), -1 (no key).
const CLAIM_SESSION = new Script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local added = redis.call('SADD', KEYS[2], ARGV[1])
local at = redis.call('HGET', KEYS[1], 'expiresAtMs')
if at then redis.call('PEXPIREAT', KEYS[2], at) end
return added
`, 2);

/** Bytes before the body in a held value: seq_no, the rpc_result flag, req_msg_id. */
const HEADER_LENGTH = 13;

// KEYS: key, salts, sessions, holding. ARGV: held prefix.
const DELETE_KEY = new Script(`${HELD_KEY_LUA}
dropAllHeld(KEYS[3], ARGV[1])
redis.call('DEL', KEYS[4])
return redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
`, 4);

// KEYS: sessions, held, holding. ARGV: session member, session hex. Returns whether the session existed.
const DROP_SESSION = new Script(`
redis.call('DEL', KEYS[2])
redis.call('HDEL', KEYS[3], ARGV[2])
return redis.call('SREM', KEYS[1], ARGV[1])
`, 3);

// KEYS: held, holding. ARGV: session hex, then msg_id fields. The freed bytes come off the session's
// count in the holding index; a session left with nothing leaves the index.
const RELEASE = new Script(`
local freed = 0
for i = 2, #ARGV do
  local size = redis.call('HSTRLEN', KEYS[1], ARGV[i])
  if size > 0 then
    freed = freed + size - ${HEADER_LENGTH}
    redis.call('HDEL', KEYS[1], ARGV[i])
  end
end
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HDEL', KEYS[2], ARGV[1])
elseif freed > 0 then
  local bytes = redis.call('HGET', KEYS[2], ARGV[1])
  if bytes then redis.call('HSET', KEYS[2], ARGV[1], math.max(0, tonumber(bytes) - freed)) end
end
return 1
`, 2);

// The per-key caps (held.ts keyEvictions) after a hold into session \`own\` that left it \`ownBytes\`.
// The index's counts are upper bounds, so a key within the caps by them is within them; otherwise
// each other session's hash is read for its exact unexpired bytes and newest field (dropping its
// expired fields, and from the index a session with nothing left), and the stalest are deleted
// whole until the key fits. Field order is msg_id order (16 hex digits), ties by session hex.
const CAP_KEY_LUA = `
local function capKey(holding, prefix, own, ownBytes, cutoff, maxBytes, maxSessions)
  local entries = redis.call('HGETALL', holding)
  local bytes, count = ownBytes, 0
  if ownBytes > 0 then count = 1 end
  for i = 1, #entries, 2 do
    if entries[i] ~= own then bytes = bytes + tonumber(entries[i + 1]); count = count + 1 end
  end
  if bytes <= maxBytes and count <= maxSessions then return end
  local others = {}
  for i = 1, #entries, 2 do
    local s = entries[i]
    if s ~= own then
      local h, size, newest = prefix .. s, 0, nil
      for _, f in ipairs(redis.call('HKEYS', h)) do
        if f < cutoff then
          redis.call('HDEL', h, f)
        else
          size = size + redis.call('HSTRLEN', h, f) - ${HEADER_LENGTH}
          if newest == nil or f > newest then newest = f end
        end
      end
      if newest == nil then
        redis.call('HDEL', holding, s)
      else
        redis.call('HSET', holding, s, size)
        table.insert(others, { s, size, newest })
      end
    end
  end
  table.sort(others, function(a, b)
    if a[3] ~= b[3] then return a[3] < b[3] end
    return a[1] < b[1]
  end)
  bytes, count = ownBytes, #others
  if ownBytes > 0 then count = count + 1 end
  for _, o in ipairs(others) do bytes = bytes + o[2] end
  for _, o in ipairs(others) do
    if bytes <= maxBytes and count <= maxSessions then break end
    redis.call('DEL', prefix .. o[1])
    redis.call('HDEL', holding, o[1])
    bytes = bytes - o[2]
    count = count - 1
  end
end
`;

// KEYS: key, sessions, held, holding. ARGV: session member, cutoff (the lowest unexpired msg_id
// field), max messages, max bytes, deadline (ms: HELD_TTL after the newest new msg_id), now (ms),
// session hex, held prefix, max bytes per key, max holding sessions per key, then field, value
// pairs. Returns 1, -1 (no key) or -2 (no such session). The session's caps as held.ts capHeld:
// newest first, and once one does not fit nothing older stays; a single body over the byte cap is
// left out by itself. Then the key's caps (capKey).
const HOLD = new Script(`${CAP_KEY_LUA}
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then return -2 end
for i = 11, #ARGV, 2 do redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]) end
local fields = redis.call('HKEYS', KEYS[3])
table.sort(fields)
local maxCount, maxBytes = tonumber(ARGV[3]), tonumber(ARGV[4])
local count, bytes, full = 0, 0, false
for i = #fields, 1, -1 do
  local f = fields[i]
  local size = redis.call('HSTRLEN', KEYS[3], f) - ${HEADER_LENGTH}
  if size > maxBytes then
    redis.call('HDEL', KEYS[3], f)
  else
    full = full or f < ARGV[2] or count >= maxCount or bytes + size > maxBytes
    if full then redis.call('HDEL', KEYS[3], f) else count = count + 1; bytes = bytes + size end
  end
end
if count > 0 then
  local at = tonumber(ARGV[5])
  local left = redis.call('PTTL', KEYS[3])
  if left >= 0 and tonumber(ARGV[6]) + left > at then at = tonumber(ARGV[6]) + left end
  local keyAt = redis.call('HGET', KEYS[1], 'expiresAtMs')
  if keyAt and tonumber(keyAt) < at then at = tonumber(keyAt) end
  redis.call('PEXPIREAT', KEYS[3], string.format('%d', at))
  -- The index lives as long as the longest-lived held hash of the key.
  redis.call('HSET', KEYS[4], ARGV[7], bytes)
  local indexLeft = redis.call('PTTL', KEYS[4])
  if indexLeft < 0 or tonumber(ARGV[6]) + indexLeft < at then redis.call('PEXPIREAT', KEYS[4], string.format('%d', at)) end
else
  redis.call('HDEL', KEYS[4], ARGV[7])
end
capKey(KEYS[4], ARGV[8], ARGV[7], bytes, ARGV[2], tonumber(ARGV[9]), tonumber(ARGV[10]))
return 1
`, 4);

export class RedisAuthKeyStore implements AuthKeyStore {
  /** Every process of the fleet reads it. */
  readonly sharedAcrossProcesses = true;
  readonly #redis: RedisHandle;
  readonly #prefix: string;

  constructor(options: RedisAuthKeyStoreOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('RedisAuthKeyStore: options must be an object');
    this.#prefix = prefixOf(options.prefix, DEFAULT_REDIS_PREFIX, 'RedisAuthKeyStore');
    this.#redis = new RedisHandle(options.redis, 'RedisAuthKeyStore');
  }

  async getKey(id: bigint): Promise<StoredAuthKey | undefined> {
    int64(id, 'getKey', 'id');
    const fields = await (await this.#client('getKey')).hgetallBuffer(this.#key(id, 'key'));
    if (!fields.key) return undefined;
    try {
      const key = parseKey(id, fields);
      // Redis drops the key at expiresAtMs by its own clock; this process's clock has the last word.
      if (!isExpired(key, Date.now())) return key;
      key.key.fill(0);
      return undefined;
    } finally {
      fields.key.fill(0);
    }
  }

  async addKey(key: StoredAuthKey): Promise<boolean> {
    const k = checkedKey(key, 'addKey');
    const keyBytes = Buffer.from(k.key);
    k.key.fill(0);
    try {
      const expiresAt = k.expiresAt === undefined ? '' : String(k.expiresAt);
      const expiresAtMs = k.expiresAt === undefined ? '' : String(Math.ceil(k.expiresAt * 1000));
      const boundTo = k.boundTo === undefined ? '' : String(k.boundTo);
      const added = await ADD_KEY.run(await this.#client('addKey'), [
        this.#key(k.id, 'key'), this.#key(k.id, 'salts'), this.#key(k.id, 'sessions'), this.#key(k.id, 'holding'),
        keyBytes, k.temp ? '1' : '0', expiresAt, expiresAtMs, boundTo, this.#key(k.id, 'held:'),
      ]);
      return added === 1;
    } finally {
      keyBytes.fill(0);
    }
  }

  async bindTempKey(tempId: bigint, permId: bigint): Promise<void> {
    int64(tempId, 'bindTempKey', 'tempId');
    int64(permId, 'bindTempKey', 'permId');
    const redis = await this.#client('bindTempKey');
    const permTemp = await redis.hget(this.#key(permId, 'key'), 'temp');
    const result = await BIND.run(redis, [this.#key(tempId, 'key'), String(permId), permTemp ?? '']);
    if (result === 1) return;
    if (result === -1) throw storeErrors.unknownTemp(tempId);
    if (result === -2) throw storeErrors.notTemp(tempId);
    if (result === -3) throw storeErrors.unknownPerm(permId);
    if (result === -4) throw storeErrors.notPerm(permId);
    if (typeof result === 'string' && /^-?\d{1,19}$/.test(result)) throw storeErrors.alreadyBound(tempId, BigInt(result));
    throw corrupt(tempId, `bindTempKey got ${String(result)}`);
  }

  async deleteKey(id: bigint): Promise<void> {
    int64(id, 'deleteKey', 'id');
    await DELETE_KEY.run(await this.#client('deleteKey'), [
      this.#key(id, 'key'), this.#key(id, 'salts'), this.#key(id, 'sessions'), this.#key(id, 'holding'), this.#key(id, 'held:'),
    ]);
  }

  async getSalts(authKeyId: bigint): Promise<StoredSalt[]> {
    int64(authKeyId, 'getSalts', 'authKeyId');
    const now = Date.now() / 1000;
    // Scores above now: validUntil > now, the salts not yet expired.
    const reply = await (await this.#client('getSalts')).zrangebyscoreBuffer(this.#key(authKeyId, 'salts'), `(${now}`, '+inf', 'WITHSCORES');
    const salts: StoredSalt[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) {
      const member = reply[i]!;
      const validUntil = Number(reply[i + 1]!.toString());
      if (member.length !== 16 || !Number.isInteger(validUntil)) throw corrupt(authKeyId, 'a malformed salt entry');
      salts.push({ salt: member.readBigInt64BE(0), validSince: Number(member.readBigInt64BE(8)), validUntil });
    }
    return sortSalts(salts);
  }

  async addSalts(authKeyId: bigint, salts: readonly StoredSalt[]): Promise<void> {
    int64(authKeyId, 'addSalts', 'authKeyId');
    const checked = checkedSalts(salts, 'addSalts');
    const args: (string | Buffer)[] = [this.#key(authKeyId, 'key'), this.#key(authKeyId, 'salts'), String(Date.now() / 1000)];
    for (const s of checked) {
      const member = Buffer.alloc(16);
      member.writeBigInt64BE(s.salt, 0);
      member.writeBigInt64BE(BigInt(s.validSince), 8);
      args.push(String(s.validUntil), member);
    }
    const result = await ADD_SALTS.run(await this.#client('addSalts'), args);
    if (result === -1) throw storeErrors.unknownKey('addSalts', authKeyId);
  }

  async claimSession(authKeyId: bigint, sessionId: bigint): Promise<boolean> {
    int64(authKeyId, 'claimSession', 'authKeyId');
    int64(sessionId, 'claimSession', 'sessionId');
    const result = await CLAIM_SESSION.run(await this.#client('claimSession'), [
      this.#key(authKeyId, 'key'), this.#key(authKeyId, 'sessions'), int64Bytes(sessionId),
    ]);
    if (result === -1) throw storeErrors.unknownKey('claimSession', authKeyId);
    return result === 1;
  }

  async dropSession(authKeyId: bigint, sessionId: bigint): Promise<boolean> {
    int64(authKeyId, 'dropSession', 'authKeyId');
    int64(sessionId, 'dropSession', 'sessionId');
    const result = await DROP_SESSION.run(await this.#client('dropSession'), [
      this.#key(authKeyId, 'sessions'), this.#heldKey(authKeyId, sessionId), this.#key(authKeyId, 'holding'),
      int64Bytes(sessionId), hex16(sessionId),
    ]);
    return result === 1;
  }

  async holdMessages(authKeyId: bigint, sessionId: bigint, messages: readonly HeldMessage[]): Promise<void> {
    int64(authKeyId, 'holdMessages', 'authKeyId');
    int64(sessionId, 'holdMessages', 'sessionId');
    const checked = checkedHeld(messages, 'holdMessages');
    const values: Buffer[] = [];
    try {
      const now = Date.now();
      // A body over the cap would be dropped by the script at once: not sent at all.
      const fitting = checked.filter((m) => m.body.length <= MAX_HELD_BYTES);
      const newest = fitting.reduce((t, m) => Math.max(t, msgIdTime(m.msgId)), 0);
      const args: (string | Buffer)[] = [
        this.#key(authKeyId, 'key'), this.#key(authKeyId, 'sessions'), this.#heldKey(authKeyId, sessionId),
        this.#key(authKeyId, 'holding'), int64Bytes(sessionId), hex16(heldCutoff(now)), String(MAX_HELD_MESSAGES),
        String(MAX_HELD_BYTES), String((newest + HELD_TTL) * 1000), String(now), hex16(sessionId),
        this.#key(authKeyId, 'held:'), String(MAX_HELD_BYTES_PER_KEY), String(MAX_HOLDING_SESSIONS_PER_KEY),
      ];
      for (const m of fitting) {
        const value = Buffer.alloc(HEADER_LENGTH + m.body.length);
        value.writeUInt32BE(m.seqNo, 0);
        value[4] = m.answers === undefined ? 0 : 1;
        value.writeBigInt64BE(m.answers ?? 0n, 5);
        value.set(m.body, HEADER_LENGTH);
        values.push(value);
        args.push(hex16(m.msgId), value);
      }
      const result = await HOLD.run(await this.#client('holdMessages'), args);
      if (result === -1) throw storeErrors.unknownKey('holdMessages', authKeyId);
      if (result === -2) throw storeErrors.unknownSession('holdMessages', authKeyId, sessionId);
    } finally {
      for (const m of checked) m.body.fill(0);
      for (const v of values) v.fill(0);
    }
  }

  async releaseMessages(authKeyId: bigint, sessionId: bigint, msgIds: readonly bigint[]): Promise<void> {
    int64(authKeyId, 'releaseMessages', 'authKeyId');
    int64(sessionId, 'releaseMessages', 'sessionId');
    const ids = checkedMsgIds(msgIds, 'releaseMessages');
    if (ids.length === 0) return;
    await RELEASE.run(await this.#client('releaseMessages'), [
      this.#heldKey(authKeyId, sessionId), this.#key(authKeyId, 'holding'), hex16(sessionId), ...ids.map(hex16),
    ]);
  }

  async heldMessages(authKeyId: bigint, sessionId: bigint): Promise<HeldMessage[]> {
    int64(authKeyId, 'heldMessages', 'authKeyId');
    int64(sessionId, 'heldMessages', 'sessionId');
    const fields = await (await this.#client('heldMessages')).hgetallBuffer(this.#heldKey(authKeyId, sessionId));
    const messages: HeldMessage[] = [];
    try {
      for (const [field, value] of Object.entries(fields)) {
        if (!/^[0-9a-f]{16}$/.test(field) || value.length < HEADER_LENGTH + 4 || (value.length - HEADER_LENGTH) % 4 !== 0) {
          throw corrupt(authKeyId, `a malformed held message in session ${sessionId}`);
        }
        const msg = { msgId: BigInt.asIntN(64, BigInt(`0x${field}`)), seqNo: value.readUInt32BE(0), body: new Uint8Array(value.subarray(HEADER_LENGTH)) };
        messages.push(value[4] === 1 ? { ...msg, answers: value.readBigInt64BE(5) } : msg);
      }
    } finally {
      for (const v of Object.values(fields)) v.fill(0);
    }
    // Redis drops the hash HELD_TTL after its newest message; older fields are left out here.
    const { kept, dropped } = capHeld(messages, Date.now());
    for (const m of dropped) m.body.fill(0);
    return kept;
  }

  /** The store is unusable afterwards; a connection the store opened from a URL is quit, a client passed in stays open. */
  async close(): Promise<void> {
    await this.#redis.close();
  }

  async #client(fn: string): Promise<Redis> {
    if (this.#redis.closed) throw closedStore(fn);
    return this.#redis.get();
  }

  #key(id: bigint, part: 'key' | 'salts' | 'sessions' | 'holding' | 'held:'): string {
    return `${this.#prefix}{${hex16(id)}}:${part}`;
  }

  #heldKey(authKeyId: bigint, sessionId: bigint): string {
    return `${this.#key(authKeyId, 'held:')}${hex16(sessionId)}`;
  }
}

/** 16 lowercase hex digits of the unsigned 64-bit form (ids in key names and held fields). */
function hex16(v: bigint): string {
  return BigInt.asUintN(64, v).toString(16).padStart(16, '0');
}

function int64Bytes(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return b;
}

function corrupt(id: bigint, reason: string): MtprotoError {
  return new MtprotoError('store-corrupt', `RedisAuthKeyStore: auth key ${id}: ${reason}`);
}

/** The hash of one auth key, checked field by field (it may have been written by something else). */
function parseKey(id: bigint, f: Record<string, Buffer>): StoredAuthKey {
  if (f.key!.length !== AUTH_KEY_LENGTH) throw corrupt(id, `key is ${f.key!.length} bytes`);
  const temp = f.temp?.toString();
  if (temp === '0') {
    if (f.expiresAt || f.boundTo) throw corrupt(id, 'a permanent key with expiresAt or boundTo');
    return { id, key: new Uint8Array(f.key!), temp: false };
  }
  if (temp !== '1') throw corrupt(id, 'temp is neither "1" nor "0"');
  const expiresAt = Number(f.expiresAt?.toString());
  if (!f.expiresAt || !Number.isFinite(expiresAt) || expiresAt < 0) throw corrupt(id, 'a temporary key without a valid expiresAt');
  const key = new Uint8Array(f.key!);
  if (!f.boundTo) return { id, key, temp: true, expiresAt };
  const boundTo = f.boundTo.toString();
  if (!/^-?\d{1,19}$/.test(boundTo) || BigInt.asIntN(64, BigInt(boundTo)) !== BigInt(boundTo)) {
    key.fill(0);
    throw corrupt(id, 'boundTo is not a 64-bit id');
  }
  return { id, key, temp: true, expiresAt, boundTo: BigInt(boundTo) };
}
