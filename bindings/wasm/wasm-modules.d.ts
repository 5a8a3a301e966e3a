// The build embeds each .wasm file as a base64 string (esbuild `--loader:.wasm=base64`; the vitest
// config has a plugin doing the same), so importing wirecrypt needs no fetch and no file read.
declare module '*.wasm' {
  const base64: string;
  export default base64;
}
