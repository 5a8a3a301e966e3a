// Held-message files of FileAuthKeyStore (file-store.ts documents the layout): one per holding
// session, `<key hex>.<session hex>.held`, in three lines (a CRC header, the msg_ids and sizes, the
// bodies), so that a hold or a release rewrites only that session's messages and the per-key caps
// can be checked from the first two lines of the key's other files.

import { type FileHandle, open, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from '../transport/crc32.js';
import type { HeldMessage } from './store.js';
import { corrupt, decimal64, hex16, isUint32, readIfPresent, syncDir } from './store-files.js';

export const HELD_HEADER = 'wirecrypt-held 1 ';
export const HELD_FILE = /^([0-9a-f]{16})\.([0-9a-f]{16})\.held$/;

/** The file of what session `sessionId` of auth key `authKeyId` holds (ids as in keyFileName). */
export function heldFileName(authKeyId: bigint, sessionId: bigint): string {
  return `${hex16(authKeyId)}.${hex16(sessionId)}.held`;
}

/** Removes the held files of `sessions` (those present), then syncs the directory once. */
export async function removeHeldFiles(dir: string, authKeyId: bigint, sessions: readonly bigint[]): Promise<void> {
  let removed = false;
  for (const session of sessions) {
    try {
      await unlink(join(dir, heldFileName(authKeyId, session)));
      removed = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  if (removed) await syncDir(dir);
}

/** The sessions with a held file of `authKeyId` in `dir`, found by listing it (only for a corrupt key file). */
export async function heldFilesOf(dir: string, authKeyId: bigint): Promise<bigint[]> {
  const sessions: bigint[] = [];
  for (const file of await readdir(dir)) {
    const m = HELD_FILE.exec(file);
    if (m && m[1] === hex16(authKeyId)) sessions.push(BigInt.asIntN(64, BigInt(`0x${m[2]}`)));
  }
  return sessions;
}

/** One message as line 2 of a held file describes it (its body is in line 3). */
export interface HeldMeta {
  readonly msgId: bigint;
  readonly seqNo: number;
  readonly answers?: bigint;
  readonly size: number;
}

/** A held file's bytes: `messages` (by ascending msg_id) in the documented three lines. */
export function encodeHeld(authKeyId: bigint, sessionId: bigint, messages: readonly HeldMessage[]): Uint8Array {
  const meta = messages.map((m) => [String(m.msgId), m.seqNo, m.answers === undefined ? null : String(m.answers), m.body.length]);
  const line2 = new TextEncoder().encode(`${JSON.stringify({ authKeyId: String(authKeyId), session: String(sessionId), messages: meta })}\n`);
  const bodies = messages.map((m) => Buffer.from(m.body.buffer, m.body.byteOffset, m.body.length).toString('base64'));
  const line3 = new TextEncoder().encode(`${JSON.stringify(bodies)}\n`);
  const line1 = new TextEncoder().encode(`${HELD_HEADER}${crcHex(line2)} ${crcHex(line3)}\n`);
  const out = new Uint8Array(line1.length + line2.length + line3.length);
  out.set(line1);
  out.set(line2, line1.length);
  out.set(line3, line1.length + line2.length);
  line3.fill(0);
  return out;
}

function crcHex(data: Uint8Array): string {
  return crc32(data).toString(16).padStart(8, '0');
}

/**
 * Lines 1 and 2 of held file `name` (what the per-key caps need: msg_ids and sizes), checked;
 * undefined if there is no such file. Reads no further than line 2 ends.
 */
export async function readHeldSummary(dir: string, name: string, authKeyId: bigint, sessionId: bigint): Promise<HeldMeta[] | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(join(dir, name), 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const chunks: Buffer[] = [];
  try {
    let newlines = 0;
    for (let position = 0; newlines < 2;) {
      const chunk = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      for (let i = 0; i < bytesRead; i++) if (chunk[i] === 0x0a) newlines++;
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
  const data = Buffer.concat(chunks);
  try {
    const [crc2, , line2] = heldLines(data, name, false);
    if (crc32(line2) !== crc2) throw corrupt(name, 'CRC-32 mismatch (line 2)');
    return decodeHeldMeta(line2, name, authKeyId, sessionId);
  } finally {
    data.fill(0);
    for (const c of chunks) c.fill(0);
  }
}

/** Held file `name`, checked whole; undefined if there is no such file. */
export async function readHeld(dir: string, name: string, authKeyId: bigint, sessionId: bigint): Promise<HeldMessage[] | undefined> {
  const data = await readIfPresent(dir, name);
  if (data === undefined) return undefined;
  try {
    const [crc2, crc3, line2, line3] = heldLines(data, name, true);
    if (crc32(line2) !== crc2 || crc32(line3) !== crc3) throw corrupt(name, 'CRC-32 mismatch');
    const meta = decodeHeldMeta(line2, name, authKeyId, sessionId);
    let bodies: unknown;
    try {
      bodies = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(line3));
    } catch {
      throw corrupt(name, 'malformed JSON (line 3)');
    }
    if (!Array.isArray(bodies) || bodies.length !== meta.length) throw corrupt(name, 'line 3 does not hold one body per message');
    return meta.map(({ size, ...m }, i) => {
      const b64 = bodies[i] as unknown;
      if (typeof b64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw corrupt(name, 'a malformed held body');
      const body = new Uint8Array(Buffer.from(b64, 'base64'));
      if (body.length !== size) throw corrupt(name, 'a held body of another size than line 2 says');
      return { ...m, body };
    });
  } finally {
    data.fill(0);
  }
}

/**
 * The CRCs of line 1 and the bytes of lines 2 and 3 (each with its newline). Without `whole`,
 * line 3 may be cut short (a summary read) and comes back empty.
 */
function heldLines(data: Uint8Array, name: string, whole: boolean): [number, number, Uint8Array, Uint8Array] {
  const end1 = data.indexOf(0x0a);
  const end2 = end1 < 0 ? -1 : data.indexOf(0x0a, end1 + 1);
  const line1 = new TextDecoder().decode(data.subarray(0, Math.max(end1, 0)));
  const m = /^([0-9a-f]{8}) ([0-9a-f]{8})$/.exec(line1.slice(HELD_HEADER.length));
  if (end1 < 0 || !line1.startsWith(HELD_HEADER) || !m) throw corrupt(name, 'no valid header line');
  if (end2 < 0) throw corrupt(name, 'cut short');
  const line3 = data.subarray(end2 + 1);
  if (whole && (line3.length === 0 || line3.indexOf(0x0a) !== line3.length - 1)) throw corrupt(name, 'cut short');
  return [Number.parseInt(m[1]!, 16), Number.parseInt(m[2]!, 16), data.subarray(end1 + 1, end2 + 1), whole ? line3 : new Uint8Array(0)];
}

/** Line 2 of a held file: its ids must match the file's name; each message server-made and content-related. */
function decodeHeldMeta(line2: Uint8Array, name: string, authKeyId: bigint, sessionId: bigint): HeldMeta[] {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(line2));
  } catch {
    throw corrupt(name, 'malformed JSON (line 2)');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw corrupt(name, 'line 2 is not a JSON object');
  const j = json as Record<string, unknown>;
  if (decimal64(j.authKeyId, name, 'authKeyId') !== authKeyId || decimal64(j.session, name, 'session') !== sessionId) {
    throw corrupt(name, `does not hold session ${sessionId} of auth key ${authKeyId}`);
  }
  if (!Array.isArray(j.messages)) throw corrupt(name, 'messages is not an array');
  return j.messages.map((m: unknown): HeldMeta => {
    if (!Array.isArray(m) || m.length !== 4 || !isUint32(m[1]) || (m[1] & 1) !== 1 || !isUint32(m[3]) || m[3] === 0 || m[3] % 4 !== 0) {
      throw corrupt(name, 'a malformed held message');
    }
    const msg = { msgId: decimal64(m[0], name, 'a held msg_id'), seqNo: m[1], size: m[3] };
    return m[2] === null ? msg : { ...msg, answers: decimal64(m[2], name, 'a held req_msg_id') };
  });
}
