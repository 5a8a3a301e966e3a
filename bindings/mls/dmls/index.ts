// DMLS, decentralised MLS (draft-kohbrok-mls-dmls; ../shared/specs/mls.md §7, docs/mls.md "DMLS"):
// the GGM puncturable PRF, epoch identifiers and the DMLSMessage wrapper, the parent_init key
// schedule and the store of past epochs with deterministic fork resolution. The group object uses
// them under its `dmls` option (group/group.ts).
export * from './pprf.js';
export * from './epoch.js';
export * from './key-schedule.js';
export * from './epoch-store.js';
