// The protocol namespaces of 'wirecrypt' in Node (`mls`, `mmtls`, `mtproto`, `wesh`), loaded on
// first use (issue 9 §4: import + instantiate of the engine must not pay for four protocols' code).
//
// Each namespace is an object with one getter per export of the protocol's own entry
// (dist/mls.js, …), whose names scripts/build.mjs reads from esbuild's metafile. The first read of
// any of them loads that entry synchronously through require() of an ES module (Node ≥ 20.19),
// which shares Node's module map with `import`: `mls.createGroup` is the very function that
// `import { createGroup } from 'wirecrypt/mls'` gives, on the same engine and error classes.

export function lazyNamespace<T extends object>(name: string, load: () => T, exportNames: readonly string[]): T {
  let loaded: T | undefined;
  const module = (): T => {
    if (loaded) return loaded;
    if (!process.features.require_module) { // Node before 20.19, which package.json's engines excludes
      throw new Error(`wirecrypt.${name} needs Node ≥ 20.19 (require of ES modules); import 'wirecrypt/${name}' instead`);
    }
    return (loaded = load());
  };
  const namespace = Object.create(null);
  for (const key of exportNames) {
    Object.defineProperty(namespace, key, { enumerable: true, get: () => (module() as Record<string, unknown>)[key] });
  }
  Object.defineProperty(namespace, Symbol.toStringTag, { value: 'Module' });
  return Object.freeze(namespace);
}
