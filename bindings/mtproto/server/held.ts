// Held outgoing messages (store.ts: holdMessages / releaseMessages / heldMessages): the rules every
// store follows, so a fleet behaves alike whichever store it shares.
//
// Why a store holds them: a content-related message (rpc_result, new_session_created, an update)
// stays unacknowledged until the client's msgs_ack (spec §7.2). If the client's connection drops
// first and it comes back to another server process of the fleet, that process must be able to
// send the message again with its original msg_id (inside a container, as any re-send), and must
// answer a query the client re-sends from the held rpc_result instead of running the handler again.
//
// How long: a held message is only of use while the client can still accept its msg_id and while
// the query it answers could still be re-sent with its own msg_id — both end MSG_ID_MAX_AGE (300 s,
// spec §3 item 6) after the message was made. A store keeps it HELD_TTL seconds after the time in its
// msg_id (300 s of grace beyond that window for clock skew between processes), then forgets it.
// How much: per session at most MAX_HELD_MESSAGES messages and MAX_HELD_BYTES bytes of bodies; past
// either cap the oldest (lowest msg_id) go first, as ServerSession forgets its oldest beyond
// maxUnacked. A message is never split: one larger than MAX_HELD_BYTES is not held at all.
//
// Per auth key as well: session_id is the client's choice, so per-session caps alone let one key
// open N sessions and make the store hold N × MAX_HELD_BYTES. A key therefore holds at most
// MAX_HOLDING_SESSIONS_PER_KEY sessions' messages and MAX_HELD_BYTES_PER_KEY bytes of bodies in all
// (expired messages do not count). When a hold would exceed either, the key's OTHER sessions are let
// go of whole, the stalest first (the one whose newest held message is oldest), until it fits
// (keyEvictions). The holding session is never the one let go: its new messages are the ones a
// client is waiting for, and its own caps are within the key's. Whole sessions, not single
// messages, so that every store can evict without rewriting what the other sessions hold (the file
// store only unlinks their files) — and a client that keeps a session busy keeps its messages.
//
// Bodies are answers and may be as sensitive as the auth keys beside them: the store holds them in
// the clear, exactly as it holds auth keys (so it needs the same protection), hands out copies, and
// wipes what it drops where it can.

import { copyOf, isUint8Array } from '../../bytes.js';
import { MSG_ID_MAX_AGE, msgIdTime } from '../crypto/msg-id.js';
import { DEFAULT_MAX_UNACKED } from '../session/limits.js';
import { int64 } from './memory-store.js';
import type { HeldMessage } from './store.js';

/** Seconds a held message is kept, counted from the time in its msg_id. */
export const HELD_TTL = MSG_ID_MAX_AGE + 300;

/** Held messages per session at most (as many as a ServerSession keeps unacknowledged). */
export const MAX_HELD_MESSAGES = DEFAULT_MAX_UNACKED;

/** Bytes of held bodies per session at most. */
export const MAX_HELD_BYTES = 1024 * 1024;

/**
 * Sessions of one auth key holding messages at once, at most. A client opens a handful per key
 * (TDLib: the main session plus a few for uploads and downloads); 16 covers that with room, and
 * bounds the other sessions a hold may have to look at (each store keeps the holding sessions of a
 * key in a small index, so a hold never walks all the sessions a client ever claimed).
 */
export const MAX_HOLDING_SESSIONS_PER_KEY = 16;

/**
 * Bytes of held bodies per auth key at most, all its sessions together: four sessions full to
 * MAX_HELD_BYTES (say four downloads with a large part each unacknowledged), far more than a
 * client's usual unacknowledged answers, while keeping the store's cost per key at 4 MiB instead of
 * sessions × 1 MiB. Must be at least MAX_HELD_BYTES, so a hold always fits once the others are gone.
 */
export const MAX_HELD_BYTES_PER_KEY = 4 * 1024 * 1024;

/**
 * Validates messages handed to holdMessages and returns copies (the bodies copied too). A held
 * message is a server's (msg_id odd, spec §4.1) and content-related (seq_no odd, §4.2); its body is
 * a serialized TL object (a non-empty multiple of 4 bytes); `answers`, for an rpc_result, is the
 * client's query msg_id.
 */
export function checkedHeld(value: unknown, fn: string): HeldMessage[] {
  if (!Array.isArray(value)) throw new TypeError(`${fn}: messages must be an array`);
  return value.map((m: unknown, i) => {
    if (typeof m !== 'object' || m === null) throw new TypeError(`${fn}: messages[${i}] must be a HeldMessage object`);
    const { msgId, seqNo, body, answers } = m as Partial<HeldMessage>;
    const id = int64(msgId, fn, `messages[${i}].msgId`);
    if ((id & 1n) !== 1n) throw new RangeError(`${fn}: messages[${i}].msgId is not a server's msg_id (it must be odd)`);
    if (typeof seqNo !== 'number' || !Number.isInteger(seqNo) || seqNo < 0 || seqNo > 0x7fffffff || (seqNo & 1) !== 1) {
      throw new RangeError(`${fn}: messages[${i}].seqNo must be an odd int32 (a content-related message)`);
    }
    if (!isUint8Array(body)) throw new TypeError(`${fn}: messages[${i}].body must be a Uint8Array`);
    if (body.length === 0 || body.length % 4 !== 0) throw new RangeError(`${fn}: messages[${i}].body must be a non-empty multiple of 4 bytes`);
    const copy = { msgId: id, seqNo, body: copyOf(body) };
    return answers === undefined ? copy : { ...copy, answers: int64(answers, fn, `messages[${i}].answers`) };
  });
}

/** msg_ids as handed to releaseMessages, checked. */
export function checkedMsgIds(value: unknown, fn: string): bigint[] {
  if (!Array.isArray(value)) throw new TypeError(`${fn}: msgIds must be an array`);
  return value.map((id: unknown, i) => int64(id, fn, `msgIds[${i}]`));
}

/** A held message is gone HELD_TTL seconds after the time in its msg_id. */
export function heldExpired(msgId: bigint, nowMs: number): boolean {
  return nowMs >= (msgIdTime(msgId) + HELD_TTL) * 1000;
}

/**
 * The lowest msg_id (unsigned) not expired at `nowMs`: msgIdTime is whole seconds T, and T is kept
 * while T + HELD_TTL > now, so exactly the ids from (floor(now) − HELD_TTL + 1) << 32 on are kept.
 */
export function heldCutoff(nowMs: number): bigint {
  const seconds = Math.floor(nowMs / 1000) - HELD_TTL + 1;
  return seconds <= 0 ? 0n : BigInt(seconds) << 32n;
}

/** Unsigned order of msg_ids (the time order). */
export function byMsgId(a: HeldMessage, b: HeldMessage): number {
  const x = BigInt.asUintN(64, a.msgId), y = BigInt.asUintN(64, b.msgId);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * What a session's held messages become after a write: the unexpired ones within the caps, by
 * ascending msg_id, and what was dropped (for wiping). `messages` may be in any order.
 */
export function capHeld(messages: readonly HeldMessage[], nowMs: number): { kept: HeldMessage[]; dropped: HeldMessage[] } {
  const sorted = [...messages].sort(byMsgId);
  const dropped: HeldMessage[] = [];
  let bytes = 0;
  const kept: HeldMessage[] = [];
  // Newest first, so the oldest are the ones left out: once one does not fit, neither does anything
  // older (expiry goes by time too). A single body over MAX_HELD_BYTES is left out by itself.
  let full = false;
  for (let i = sorted.length - 1; i >= 0; i--) {
    const m = sorted[i]!;
    if (m.body.length > MAX_HELD_BYTES) {
      dropped.push(m);
      continue;
    }
    full ||= heldExpired(m.msgId, nowMs) || kept.length >= MAX_HELD_MESSAGES || bytes + m.body.length > MAX_HELD_BYTES;
    if (full) {
      dropped.push(m);
      continue;
    }
    bytes += m.body.length;
    kept.push(m);
  }
  return { kept: kept.reverse(), dropped };
}

/** A fresh copy of a held message (the body too), for handing out. */
export function copyHeld(m: HeldMessage): HeldMessage {
  const copy = { msgId: m.msgId, seqNo: m.seqNo, body: copyOf(m.body) };
  return m.answers === undefined ? copy : { ...copy, answers: m.answers };
}

/** What a store knows of one of a key's holding sessions for the per-key caps (unexpired messages only). */
export interface HoldingSession {
  readonly sessionId: bigint;
  /** Bytes of its unexpired bodies. */
  readonly bytes: number;
  /** Its newest unexpired msg_id. */
  readonly newest: bigint;
}

/**
 * The per-key caps: which of `others` (the key's other sessions holding something unexpired) to let
 * go of once the holding session holds `ownBytes`, stalest first (lowest newest msg_id, unsigned;
 * ties by session id, unsigned, so every store picks the same). Empty when the key is within its caps.
 */
export function keyEvictions(ownBytes: number, others: readonly HoldingSession[]): bigint[] {
  const live = others.filter((o) => o.bytes > 0);
  const stalest = [...live].sort((a, b) => unsignedOrder(a.newest, b.newest) || unsignedOrder(a.sessionId, b.sessionId));
  let sessions = live.length + (ownBytes > 0 ? 1 : 0);
  let bytes = live.reduce((n, o) => n + o.bytes, ownBytes);
  const evicted: bigint[] = [];
  for (const o of stalest) {
    if (sessions <= MAX_HOLDING_SESSIONS_PER_KEY && bytes <= MAX_HELD_BYTES_PER_KEY) break;
    evicted.push(o.sessionId);
    sessions--;
    bytes -= o.bytes;
  }
  return evicted;
}

/** A held message, or what a store keeps of one without its body (its size). */
export type HeldSize = { readonly msgId: bigint } & ({ readonly body: Uint8Array } | { readonly size: number });

/** The unexpired bytes and newest msg_id of a session's held messages (undefined if none is left). */
export function holdingOf(sessionId: bigint, messages: Iterable<HeldSize>, nowMs: number): HoldingSession | undefined {
  const cutoff = heldCutoff(nowMs);
  let bytes = 0;
  let newest: bigint | undefined;
  for (const m of messages) {
    const id = BigInt.asUintN(64, m.msgId);
    if (id < cutoff) continue;
    bytes += 'body' in m ? m.body.length : m.size;
    if (newest === undefined || id > newest) newest = id;
  }
  return newest === undefined ? undefined : { sessionId, bytes, newest };
}

function unsignedOrder(a: bigint, b: bigint): number {
  const x = BigInt.asUintN(64, a), y = BigInt.asUintN(64, b);
  return x < y ? -1 : x > y ? 1 : 0;
}
