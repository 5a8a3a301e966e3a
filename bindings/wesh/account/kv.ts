// The account's small records (its keys, its groups and their device states): a key-value store in
// memory or in LevelDB (classic-level, an optional dependency, imported when first used). Every put
// is synced to disk before it resolves.

export interface Kv {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, value: Uint8Array): Promise<void>;
  /** Every record whose key starts with `prefix`. */
  entries(prefix: string): Promise<[string, Uint8Array][]>;
  close(): Promise<void>;
}

export function memoryKv(): Kv {
  const m = new Map<string, Uint8Array>();
  return {
    get: async (k) => m.get(k)?.slice(),
    put: async (k, v) => void m.set(k, v.slice()),
    entries: async (prefix) => [...m].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k, v.slice()]),
    close: async () => {},
  };
}

interface Level {
  open(): Promise<void>;
  close(): Promise<void>;
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, value: Uint8Array, options: { sync: boolean }): Promise<void>;
  iterator(options: { gte: string; lt: string }): AsyncIterable<[string, Uint8Array]>;
}

export async function levelKv(location: string): Promise<Kv> {
  const { ClassicLevel } = (await import('classic-level')) as unknown as { ClassicLevel: new (l: string, o: object) => Level };
  const db = new ClassicLevel(location, { keyEncoding: 'utf8', valueEncoding: 'view' });
  await db.open();
  return {
    get: (k) => db.get(k),
    put: (k, v) => db.put(k, v, { sync: true }),
    async entries(prefix) {
      const out: [string, Uint8Array][] = [];
      for await (const e of db.iterator({ gte: prefix, lt: prefix + '\uffff' })) out.push(e);
      return out;
    },
    close: () => db.close(),
  };
}
