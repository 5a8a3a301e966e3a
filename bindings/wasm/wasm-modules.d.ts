// Importing a .wasm file gives a function returning its bytes. The build supplies it (scripts/build.mjs:
// the bytes embedded as base64 in every bundle), and the vitest config does for tests that import the
// sources (a file read). Either way no fetch and no await.
declare module '*.wasm' {
  const load: () => Uint8Array<ArrayBuffer>;
  export default load;
}
