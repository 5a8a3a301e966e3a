// The ratchet tree (RFC 9420 §4.1, §7, §12.1.1–§12.1.3): array math, the public tree with cached
// tree hashes, resolutions, parent hashes, validation, and the edits Add / Update / Remove make.
export * from './math.js';
export * from './ratchet-tree.js';
export * from './resolution.js';
export { encodeLeafTreeHashInput, encodeParentTreeHashInput, originalTreeHash, treeHash, treeHashes } from './tree-hash.js';
export * from './parent-hash.js';
export * from './validate.js';
export * from './edits.js';
