// 'wirecrypt/wesh' in browsers (and the portable part of it in Node, see ./node.ts): the pure layer
// of ./core.ts, the replicated group log and the group state machine over it. See docs/wesh.md.
export * from './core.js';
// the replicated group log (docs/wesh-log.md); its LevelDB store needs the optional classic-level
export * as log from './log/index.js';
export { WeshGroup } from './group/group.js';
export type { GroupMessage, GroupOptions } from './group/group.js';
export { openGroupLogs, groupLogIds } from './group/logs.js';
