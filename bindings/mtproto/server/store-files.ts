// The files under FileAuthKeyStore's directory (file-store.ts documents the layout): atomic writes
// (temp file, fsync, rename or link, directory fsync), the cleanup of a crash's leftovers, and the
// field checks both of its file formats share.

import { link, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { MtprotoError } from '../errors.js';

export const TEMP_FILE = /^[0-9a-f]{16}\.(?:key|[0-9a-f]{16}\.held)\.(\d+)\.\d+\.tmp$/;
/** A temp file older than this is a crash's leftover even if its pid now belongs to another process. */
export const TEMP_FILE_MAX_AGE_MS = 3600_000;
let tempCounter = 0;

/** An id as file names spell it: its unsigned 64-bit form in 16 hex digits. */
export function hex16(id: bigint): string {
  return BigInt.asUintN(64, id).toString(16).padStart(16, '0');
}

// ---- the directory ------------------------------------------------------------------------------

export async function openDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const now = Date.now(); // file times are real times, whatever clock decides key expiry
  for (const file of await readdir(dir)) {
    const m = TEMP_FILE.exec(file);
    if (!m) continue;
    const pid = Number(m[1]);
    const path = join(dir, file);
    const age = await stat(path).then((s) => now - s.mtimeMs, () => undefined);
    if (age === undefined) continue;
    if ((pid !== process.pid && !processAlive(pid)) || age > TEMP_FILE_MAX_AGE_MS) {
      await unlink(path).catch(() => {});
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** Makes renames and unlinks in `dir` durable. Windows cannot open a directory: it skips this step. */
export async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `data` to `dir/name` atomically (temp file, fsync, rename or link, fsync of the directory).
 * With `exclusive`, resolves false and changes nothing if `name` already exists.
 */
export async function writeAtomic(dir: string, name: string, data: Uint8Array, exclusive: boolean): Promise<boolean> {
  const tmp = join(dir, `${name}.${process.pid}.${tempCounter++}.tmp`);
  const target = join(dir, name);
  try {
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.chmod(0o600); // the mode given to open() is reduced by the umask, never raised
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (!exclusive) {
      await rename(tmp, target);
    } else {
      try {
        await link(tmp, target);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw e;
      }
    }
  } finally {
    data.fill(0);
    // After a rename the temp name is gone; after link() or a failure it is removed here.
    await unlink(tmp).catch(() => {});
  }
  await syncDir(dir);
  return true;
}

export async function removeFile(dir: string, name: string): Promise<void> {
  try {
    await unlink(join(dir, name));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  await syncDir(dir);
}

/** The bytes of `dir/name`, or undefined if there is no such file; the caller wipes them. */
export async function readIfPresent(dir: string, name: string): Promise<Buffer | undefined> {
  try {
    return await readFile(join(dir, name));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

// ---- fields ---------------------------------------------------------------------------------------

export function corrupt(name: string, reason: string): MtprotoError {
  return new MtprotoError('store-corrupt', `FileAuthKeyStore: ${name} is corrupt: ${reason}`);
}

export function decimal64(value: unknown, name: string, what: string): bigint {
  if (typeof value !== 'string' || !/^-?(0|[1-9]\d{0,18})$/.test(value)) throw corrupt(name, `${what} is not a decimal integer`);
  const n = BigInt(value);
  if (BigInt.asIntN(64, n) !== n) throw corrupt(name, `${what} is outside the signed 64-bit range`);
  return n;
}

export function isUint32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += b[i]!.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}
