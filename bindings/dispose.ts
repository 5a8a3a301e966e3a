// One helper for objects made for a single call (a secretbox, an AEAD): use, then dispose() them
// whatever happens, so what they hold is wiped on every exit.

/** `use(resource)`, then resource.dispose(), also when `use` throws. */
export function disposing<T extends { dispose(): void }, R>(resource: T, use: (resource: T) => R): R {
  try {
    return use(resource);
  } finally {
    resource.dispose();
  }
}
