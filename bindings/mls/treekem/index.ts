// TreeKEM (RFC 9420 §7.4–§7.6, §12.4.2, §12.4.3.1): path secrets and node key pairs, a member's
// private tree state, and creating and applying UpdatePaths.
export { type DerivedPath, derivePath, nodeKeyPair } from './path.js';
export { TreeKemPrivateState, nodePublicKey, wipeReplacedKeys } from './private-state.js';
export { type MergedPath, mergePathKeys, recipients, senderPath } from './merge.js';
export {
  type CreatedUpdatePath, type LeafNodeTemplate, type PathSecretAt, type ProvisionalContextInput,
  createUpdatePath, pathSecretForNewMember,
} from './create.js';
export { type AppliedUpdatePath, type ApplyUpdatePathOptions, applyUpdatePath, applyWelcomePathSecret } from './apply.js';
