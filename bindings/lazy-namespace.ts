// Parts of 'wirecrypt' in Node that load on first use (issue 9 §4: import + instantiate of the
// engine must not pay for code it does not run): the protocol namespaces (`mls`, `mmtls`, `mtproto`,
// `wesh`) and the engine's `hpke`, `p256`, `ed25519` and `wasmProvider` objects.
//
// Each is an object with one getter per key of what it stands for (a protocol entry's exports,
// dist/mls.js, …, or the engine object's keys; scripts/build-node.mjs lists them at build time). The
// first read of any of them loads that file synchronously through require() of an ES module
// (Node ≥ 20.19), which shares Node's module map with `import`: `mls.createGroup` is the very
// function that `import { createGroup } from 'wirecrypt/mls'` gives, on the same engine and error
// classes, and `wasmProvider.hash` the very function the protocols call.

export function lazyNamespace<T extends object>(name: string, load: () => T, exportNames: readonly string[]): T {
  let loaded: T | undefined;
  const module = (): T => {
    if (loaded) return loaded;
    if (!process.features.require_module) { // Node before 20.19, which package.json's engines excludes
      throw new Error(`wirecrypt.${name} is loaded on first use with require() of an ES module, which needs Node ≥ 20.19`);
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
