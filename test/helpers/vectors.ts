// Known-answer data is read in place from ../shared/vectors (never copied into the repository).
import { readFileSync } from 'node:fs';

const VECTORS = new URL('../../../shared/vectors/', import.meta.url);

export function loadVectors<T = any>(relativePath: string): T {
  return JSON.parse(readFileSync(new URL(relativePath, VECTORS), 'utf8')) as T;
}

export function hex(text: string): Uint8Array {
  if (text.length % 2 !== 0) throw new Error(`odd-length hex: ${text}`);
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

export function repeat(byte: number, length: number): Uint8Array {
  return new Uint8Array(length).fill(byte);
}

/** Wycheproof test groups flattened to their tests, each with its group's parameters alongside. */
export function wycheproofTests<T>(relativePath: string): Array<T & { group: any }> {
  const file = loadVectors(relativePath);
  const out: Array<T & { group: any }> = [];
  for (const group of file.testGroups) for (const test of group.tests) out.push({ ...test, group });
  if (out.length !== file.numberOfTests) throw new Error(`${relativePath}: expected ${file.numberOfTests} tests, read ${out.length}`);
  return out;
}
