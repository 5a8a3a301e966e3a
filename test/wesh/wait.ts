// Shared by the Wesh tests: waiting for asynchronous replication (bounded polling, never a fixed
// sleep), and the code of the WeshError a call throws.
import { WeshError } from '../../bindings/wesh/errors.js';

/** Polls until `check` holds; throws after `ms` naming what was awaited. */
export async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The code of the WeshError `f` throws; 'returned' if it returns (anything else thrown propagates). */
export function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof WeshError) return err.code;
    throw err;
  }
  return 'returned';
}

/** The code of the WeshError `p` rejects with; 'resolved' if it resolves. */
export async function codeOfAsync(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof WeshError) return err.code;
    throw err;
  }
  return 'resolved';
}
