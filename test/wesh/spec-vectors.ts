// The known answers the Wesh reference (../shared/specs/wesh.md) lists inline, in §5 (handshake),
// §6.1 (contact group) and §7.3 (secret entry), read from the document in place: every line
// `name = … = hex` of a fenced block becomes name → bytes (the first all-hex token after an '=').
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SPEC = fileURLToPath(new URL('../../../shared/specs/wesh.md', import.meta.url));

export type SpecBlock = Map<string, Uint8Array>;

/** The fenced blocks of the section whose heading starts with `heading` (e.g. '## 5.'), each as name → bytes. */
export function specBlocks(heading: string): SpecBlock[] {
  const text = readFileSync(SPEC, 'utf8');
  const start = text.split('\n').findIndex((l) => l.startsWith(heading));
  if (start < 0) throw new Error(`wesh.md: no section ${heading}`);
  const lines = text.split('\n').slice(start + 1);
  const end = lines.findIndex((l) => /^#{2,3} /.test(l));
  const blocks: SpecBlock[] = [];
  let current: SpecBlock | null = null;
  for (const line of end < 0 ? lines : lines.slice(0, end)) {
    if (line.startsWith('```')) {
      if (current) blocks.push(current);
      current = current ? null : new Map();
      continue;
    }
    if (!current) continue;
    const parts = line.split('=');
    if (parts.length < 2) continue;
    const value = parts.slice(1).map((p) => p.trim().split(/\s+/)[0]).find((t) => /^([0-9a-f]{2})+$/.test(t));
    if (value) current.set(parts[0].trim(), Uint8Array.from(Buffer.from(value, 'hex')));
  }
  return blocks.filter((b) => b.size > 0);
}

/** The one value named `name` in the section (throws if it is missing, so a test cannot pass on nothing). */
export function specValue(blocks: SpecBlock[], name: string): Uint8Array {
  for (const b of blocks) {
    const v = b.get(name);
    if (v) return v;
  }
  throw new Error(`wesh.md: no value named ${name}`);
}
