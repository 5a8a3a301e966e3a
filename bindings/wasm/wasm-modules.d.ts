// Importing a .wasm file gives a function returning its bytes. The build supplies it (scripts/build.mjs:
// a synchronous file read next to dist/index.js in Node, embedded base64 in the browser bundle), and so
// does the vitest config for tests that import the sources. Either way no fetch and no await.
declare module '*.wasm' {
  const load: () => Uint8Array<ArrayBuffer>;
  export default load;
}
