// Saving and restoring a member's group state: a GroupState (join.ts) and the proposals the group
// object keeps beside it (CachedProposal, commit.ts), as bytes, so that a member can stop and later
// continue exactly where it was.
//
// THE SAVED FORM HOLDS SECRETS IN THE CLEAR. The caller encrypts it at rest (and wipes the bytes
// when done with them). Secrets in it: the signature private key; every EpochSecrets field (joiner,
// welcome, epoch, sender_data, encryption, exporter, external, confirmation key, membership key,
// resumption PSK, epoch authenticator, init_secret — init_secret alone gives every later epoch's
// secrets to anyone who also sees the commits); the HPKE secret keys of the TreeKEM private state
// (our leaf's and those on our direct path); and the secret tree's whole state (held node secrets,
// per ratchet the current ratchet secret and the keys and nonces of skipped generations). The
// integrity check at the end is a plain SHA-256, which detects truncation and corruption, not
// tampering: authenticating the saved form is the encryption's job (use an AEAD).
//
// Format (RFC 9420 §2.1 presentation language, the project's codec; wire structs with their MLS
// codecs):
//
//   "WCMLS"  uint8 version = 1
//   struct {
//     uint16 cipher_suite;
//     GroupContext group_context;                  // §8.1, its own version/suite/group_id/epoch
//     Extension group_info_extensions<V>;
//     uint32 leaf_count; opaque ratchet_tree<V>;   // ratchet_tree extension data (§12.4.3.3)
//     uint32 own_leaf;
//     opaque signature_private_key<V>;
//     opaque epoch_secrets[12]<V>;                 // in EPOCH_SECRET_FIELDS order
//     opaque confirmation_tag<V>;
//     opaque interim_transcript_hash<V>;
//     struct { uint32 node; opaque secret_key<V>; } treekem_keys<V>;      // ascending node
//     SecretTree secret_tree;                                              // below
//     struct { opaque ref<V>; uint64 epoch; Sender sender; Proposal proposal; } proposals<V>;
//     optional<ReInit> reinit;                     // the ReInit that closed the group (§11.2)
//     [DmlsSection dmls;]                          // only in a DMLS group's save (below)
//   } body;
//   opaque check[32];                              // SHA-256 of everything before it
//
//   DmlsSection = { uint8 present = 1; uint32 max_epochs;
//                   struct { opaque dmls_epoch<V>; optional<opaque parent<V>>; uint8 is_head;
//                            uint32 max_held_secrets;
//                            struct { uint16 depth; opaque prefix<V>; opaque secret<V>; } pprf_nodes<V>;  // canonical order
//                            [GroupStateBody state;]    // unless is_head: the body above, without its DmlsSection
//                   } epochs<V>; }                    // ascending epoch, winner first
//
// A DMLS group (group.ts, option `dmls`) keeps several epochs; the body is its head's state and
// the section lists every kept epoch with its parent_init PPRF (dmls/pprf.ts toState; its held node
// secrets are secrets too), the others' whole states after it. The section is appended: a save of
// a non-DMLS group ends after `reinit` exactly as before, so the layout of version 1 is unchanged
// for them; a loader that predates DMLS refuses a DMLS save (trailing bytes) rather than misread it.
//
//   SecretTree = { uint64 max_forward; uint64 max_skipped; uint32 n_leaves;
//                  struct { uint32 node; opaque secret<V>; } nodes<V>;     // ascending node
//                  struct { uint32 leaf; Ratchet handshake; Ratchet application; } leaves<V>; } // ascending leaf
//   Ratchet    = { uint64 next_generation; uint64 floor_generation; opaque secret<V>;
//                  struct { uint32 generation; opaque key<V>; opaque nonce<V>; } skipped<V>; } // ascending
//
// Everything is written in a canonical order (sorted node / leaf / generation indices, never a
// Map's insertion order) so that saving the same state twice gives the same bytes: tests compare
// saved bytes to prove a state unchanged. Nothing in the format depends on the crypto provider.
//
// Version policy: the version byte names the whole layout. Any change to it takes a new version;
// a loader reads the versions it knows (today only 1) and refuses any other with
// 'invalid-saved-state', so a blob from a newer wirecrypt is refused rather than misread. When a
// version 2 comes, version 1 stays loadable (its reader is kept) and saving writes the newest.
//
// Loading checks, before returning anything: magic, version, check value, that the body decodes
// with nothing left over, and that its contents agree with each other — suites, the tree hash
// against the GroupContext, the own leaf inside the tree and non-blank with our signature key, the
// private keys against the tree, the secret tree's leaf count and shape, secret lengths, the
// interim transcript hash. Any failure is MlsError 'invalid-saved-state'; secrets copied out of the
// input before the failure are wiped.

import { ctEqual } from '../../compare.js';
import { ByteReader } from '../../codec/reader.js';
import { readOpaque, readVector, writeOpaque, writeVector } from '../../codec/tls.js';
import { ByteWriter } from '../../codec/writer.js';
import type { CryptoProvider } from '../../provider/types.js';
import { type CipherSuite, cipherSuite } from '../crypto/cipher-suite.js';
import { MlsError } from '../errors.js';
import { encodeGroupContext, readExtension, readGroupContext, writeExtension } from '../group-context.js';
import { type EpochSecrets, exportSecret, wipeEpochSecrets } from '../key-schedule.js';
import { readSender, writeSender } from '../messages/framing.js';
import { type ReInit, readProposal, readReInit, writeProposal, writeReInit } from '../messages/proposal.js';
import {
  type RatchetSecretState, SecretTree, type SecretTreeState, type SkippedKeyState, wipeSecretTreeState,
} from '../secret-tree.js';
import { interimTranscriptHash } from '../transcript.js';
import { PublicRatchetTree } from '../tree/ratchet-tree.js';
import { treeHash } from '../tree/tree-hash.js';
import { TreeKemPrivateState, type TreeKemPrivateStateData } from '../treekem/private-state.js';
import { Pprf, type PprfState } from '../dmls/pprf.js';
import type { CachedProposal } from './commit.js';
import type { GroupState } from './join.js';

/** One epoch a DMLS group keeps (dmls/epoch-store.ts), as saved: its PPRF state is a copy (wiped by the saver). */
export interface SavedDmlsEpoch<P> {
  readonly dmlsEpoch: Uint8Array;
  readonly parent?: Uint8Array;
  /** The group's current epoch: its state is the saved body's. */
  readonly head: boolean;
  readonly parentInit: P;
  readonly state: GroupState;
  readonly proposals: readonly CachedProposal[];
}

/** A DMLS group's kept epochs (the optional section of the saved form). */
export interface SavedDmls<P> {
  readonly maxEpochs: number;
  readonly epochs: readonly SavedDmlsEpoch<P>[];
}

const MAGIC = new TextEncoder().encode('WCMLS');
/** The layout this module writes; see the version policy above. */
export const SAVED_STATE_VERSION = 1;
const CHECK_LENGTH = 32; // SHA-256

/** The EpochSecrets fields in the order the saved form holds them. */
const EPOCH_SECRET_FIELDS = [
  'joinerSecret', 'welcomeSecret', 'epochSecret', 'senderDataSecret', 'encryptionSecret', 'exporterSecret',
  'externalSecret', 'confirmationKey', 'membershipKey', 'resumptionPsk', 'epochAuthenticator', 'initSecret',
] as const satisfies readonly (keyof EpochSecrets)[];

function invalid(message: string): never {
  throw new MlsError('invalid-saved-state', message);
}

function check(suite: CipherSuite, bytes: Uint8Array): Uint8Array {
  return suite.provider.hash('SHA-256', bytes);
}

// ---- writing ----------------------------------------------------------------------------------

function writeRatchet(w: ByteWriter, r: RatchetSecretState): void {
  w.u64(BigInt(r.nextGeneration)).u64(BigInt(r.floorGeneration));
  writeOpaque(w, r.secret);
  writeVector(w, r.skipped, (v, k) => {
    v.u32(k.generation);
    writeOpaque(v, k.key);
    writeOpaque(v, k.nonce);
  });
}

function writeSecretTree(w: ByteWriter, s: SecretTreeState): void {
  w.u64(BigInt(s.maxForward)).u64(BigInt(s.maxSkipped)).u32(s.nLeaves);
  writeVector(w, s.nodes, (v, n) => {
    v.u32(n.node);
    writeOpaque(v, n.secret);
  });
  writeVector(w, s.leaves, (v, l) => {
    v.u32(l.leaf);
    writeRatchet(v, l.handshake);
    writeRatchet(v, l.application);
  });
}

/**
 * The saved form of `state` and the proposals kept beside it (see the module comment: it holds
 * secrets in the clear). Deterministic: the same state and proposals give the same bytes. Changes
 * nothing. TypeError if the state is inconsistent with itself (not one join / processCommit
 * built); MlsError 'secret-tree-disposed' for a retired state.
 */
export function saveGroupState(state: GroupState, proposals: readonly CachedProposal[], dmls?: SavedDmls<PprfState>): Uint8Array {
  const { suite } = state;
  if (dmls !== undefined) {
    const heads = dmls.epochs.filter((e) => e.head);
    if (heads.length !== 1 || heads[0]!.state !== state) throw new TypeError('saveGroupState: the DMLS epochs must hold `state` as their one head');
    for (const e of dmls.epochs) if (e.state.suite.id !== suite.id) throw new TypeError('saveGroupState: the DMLS epochs mix cipher suites');
  }
  const w = new ByteWriter();
  w.bytes(MAGIC).u8(SAVED_STATE_VERSION);
  writeBody(w, state, proposals);
  if (dmls !== undefined) {
    w.u8(1).u32(dmls.maxEpochs);
    writeVector(w, dmls.epochs, (v, e) => {
      writeOpaque(v, e.dmlsEpoch);
      v.u8(e.parent === undefined ? 0 : 1);
      if (e.parent !== undefined) writeOpaque(v, e.parent);
      v.u8(e.head ? 1 : 0);
      v.u32(e.parentInit.maxHeldSecrets);
      writeVector(v, e.parentInit.nodes, (x, n) => {
        x.u16(n.depth);
        writeOpaque(x, n.prefix);
        writeOpaque(x, n.secret);
      });
      if (!e.head) writeBody(v, e.state, e.proposals);
    });
  }
  const body = w.finish();
  const out = new Uint8Array(body.length + CHECK_LENGTH);
  out.set(body);
  out.set(check(suite, body), body.length);
  body.fill(0);
  return out;
}

/** The body of the saved form for one state (see the module comment). */
function writeBody(w: ByteWriter, state: GroupState, proposals: readonly CachedProposal[]): void {
  const { suite, groupContext, tree } = state;
  if (groupContext.cipherSuite !== suite.id || tree.suite.id !== suite.id) throw new TypeError('saveGroupState: the state mixes cipher suites');
  if (groupContext.epoch !== state.epoch || !ctEqual(groupContext.groupId, state.groupId)) {
    throw new TypeError("saveGroupState: the state's group id / epoch differ from its GroupContext's");
  }
  if (state.privateState.leafIndex !== state.leafIndex) throw new TypeError("saveGroupState: the private state is another leaf's");
  if (state.secretTree.nLeaves !== tree.leafCount) throw new TypeError("saveGroupState: the secret tree's size is not the tree's");
  if (state.epochAuthenticator !== state.epochSecrets.epochAuthenticator && !ctEqual(state.epochAuthenticator, state.epochSecrets.epochAuthenticator)) {
    throw new TypeError("saveGroupState: the epoch authenticator is not the epoch secrets'");
  }

  const secretTree = state.secretTree.toState();
  const privateKeys = state.privateState.toState();
  // The copies this function makes are wiped below; the encoder's own growing buffers (ByteWriter
  // drops a buffer it outgrows, and vectors are encoded into nested writers) are left to the GC.
  try {
    w.u16(suite.id);
    w.bytes(encodeGroupContext(groupContext));
    writeVector(w, state.groupInfoExtensions, writeExtension);
    w.u32(tree.leafCount);
    writeOpaque(w, tree.encode());
    w.u32(state.leafIndex);
    writeOpaque(w, state.signaturePrivateKey);
    for (const f of EPOCH_SECRET_FIELDS) writeOpaque(w, state.epochSecrets[f]);
    writeOpaque(w, state.confirmationTag);
    writeOpaque(w, state.interimTranscriptHash);
    writeVector(w, privateKeys.keys, (v, k) => {
      v.u32(k.node);
      writeOpaque(v, k.secretKey);
    });
    writeSecretTree(w, secretTree);
    writeVector(w, proposals, (v, p) => {
      writeOpaque(v, p.ref);
      v.u64(p.epoch);
      writeSender(v, p.sender);
      writeProposal(v, p.proposal);
    });
    w.u8(state.reinit === undefined ? 0 : 1);
    if (state.reinit !== undefined) writeReInit(w, state.reinit);
  } finally {
    wipeSecretTreeState(secretTree);
    for (const k of privateKeys.keys) k.secretKey.fill(0);
  }
}

// ---- reading ----------------------------------------------------------------------------------

/** What the body decodes to, secrets as views into the input (nothing copied yet). */
interface Decoded {
  readonly suite: CipherSuite;
  readonly groupContext: GroupState['groupContext'];
  readonly groupInfoExtensions: GroupState['groupInfoExtensions'];
  readonly tree: PublicRatchetTree;
  readonly leafIndex: number;
  readonly signaturePrivateKey: Uint8Array;
  readonly epochSecrets: EpochSecrets;
  readonly confirmationTag: Uint8Array;
  readonly interimTranscriptHash: Uint8Array;
  readonly privateKeys: TreeKemPrivateStateData;
  readonly secretTree: SecretTreeState;
  readonly proposals: CachedProposal[];
  readonly reinit?: ReInit;
}

function readSafeU64(r: ByteReader, what: string): number {
  const v = r.u64(what);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) invalid(`${what} ${v} is too large`);
  return Number(v);
}

function readRatchet(r: ByteReader): RatchetSecretState {
  const nextGeneration = readSafeU64(r, 'next_generation');
  const floorGeneration = readSafeU64(r, 'floor_generation');
  const secret = readOpaque(r, 'ratchet secret');
  const skipped = readVector(r, 'skipped', (v): SkippedKeyState => ({
    generation: v.u32('generation'), key: readOpaque(v, 'skipped key'), nonce: readOpaque(v, 'skipped nonce'),
  }));
  return { nextGeneration, floorGeneration, secret, skipped };
}

function readSecretTree(r: ByteReader): SecretTreeState {
  const maxForward = readSafeU64(r, 'max_forward');
  const maxSkipped = readSafeU64(r, 'max_skipped');
  const nLeaves = r.u32('n_leaves');
  const nodes = readVector(r, 'nodes', (v) => ({ node: v.u32('node'), secret: readOpaque(v, 'node secret') }));
  const leaves = readVector(r, 'leaves', (v) => ({ leaf: v.u32('leaf'), handshake: readRatchet(v), application: readRatchet(v) }));
  return { nLeaves, maxForward, maxSkipped, nodes, leaves };
}

interface DecodedDmlsEpoch {
  readonly dmlsEpoch: Uint8Array;
  readonly parent?: Uint8Array;
  readonly head: boolean;
  readonly parentInit: PprfState;
  /** Absent for the head, whose state is the body's. */
  readonly body?: Decoded;
}

function decodeDmls(r: ByteReader, provider: CryptoProvider, suiteId: number): { maxEpochs: number; epochs: DecodedDmlsEpoch[] } {
  const present = r.u8('dmls present');
  if (present !== 1) invalid(`DMLS section marker ${present}`);
  const maxEpochs = r.u32('max_epochs');
  const epochs = readVector(r, 'dmls epochs', (v): DecodedDmlsEpoch => {
    const dmlsEpoch = readOpaque(v, 'dmls_epoch').slice();
    const hasParent = v.u8('parent present');
    if (hasParent > 1) invalid(`optional<parent> presence byte ${hasParent}`);
    const parent = hasParent === 1 ? readOpaque(v, 'parent').slice() : undefined;
    const head = v.u8('is_head');
    if (head > 1) invalid(`is_head ${head}`);
    const maxHeldSecrets = v.u32('max_held_secrets');
    const nodes = readVector(v, 'pprf_nodes', (x) => ({ depth: x.u16('depth'), prefix: readOpaque(x, 'prefix'), secret: readOpaque(x, 'pprf secret') }));
    const body = head === 1 ? undefined : decodeBody(v, provider);
    if (body !== undefined && body.suite.id !== suiteId) invalid(`a kept epoch is of suite ${body.suite.id}, the state of ${suiteId}`);
    return { dmlsEpoch, ...(parent !== undefined ? { parent } : {}), head: head === 1, parentInit: { maxHeldSecrets, nodes }, ...(body !== undefined ? { body } : {}) };
  });
  if (epochs.filter((e) => e.head).length !== 1) invalid('the DMLS section does not name exactly one head epoch');
  return { maxEpochs, epochs };
}

function decodeBody(r: ByteReader, provider: CryptoProvider): Decoded {
  const suite = cipherSuite(r.u16('cipher_suite'), provider);
  const groupContext = readGroupContext(r);
  if (groupContext.cipherSuite !== suite.id) invalid(`the GroupContext is of suite ${groupContext.cipherSuite}, the state of ${suite.id}`);
  const groupInfoExtensions = readVector(r, 'group_info_extensions', readExtension);
  const leafCount = r.u32('leaf_count');
  const tree = PublicRatchetTree.decode(suite, readOpaque(r, 'ratchet_tree'));
  // PublicRatchetTree keeps trees minimal (its shape invariant), so the tree a ratchet_tree encoding
  // rebuilds is the saved one; the saved count makes a mismatch a precise error.
  if (leafCount !== tree.leafCount) invalid(`leaf count ${leafCount} is not the saved ratchet tree's (${tree.leafCount})`);
  const leafIndex = r.u32('own_leaf');
  const signaturePrivateKey = readOpaque(r, 'signature_private_key');
  const secrets: Partial<Record<keyof EpochSecrets, Uint8Array>> = {};
  for (const f of EPOCH_SECRET_FIELDS) secrets[f] = readOpaque(r, f);
  const epochSecrets = secrets as EpochSecrets;
  const confirmationTag = readOpaque(r, 'confirmation_tag');
  const interim = readOpaque(r, 'interim_transcript_hash');
  const keys = readVector(r, 'treekem_keys', (v) => ({ node: v.u32('node'), secretKey: readOpaque(v, 'secret_key') }));
  const secretTree = readSecretTree(r);
  const proposals = readVector(r, 'proposals', (v): CachedProposal => {
    const ref = readOpaque(v, 'ref').slice();
    const epoch = v.u64('epoch');
    const sender = readSender(v);
    return { ref, epoch, sender, proposal: readProposal(v) };
  });
  const present = r.u8('reinit present');
  if (present > 1) invalid(`optional<ReInit> presence byte ${present}`);
  const reinit = present === 1 ? readReInit(r) : undefined;
  return {
    ...(reinit !== undefined ? { reinit } : {}),
    suite, groupContext, groupInfoExtensions, tree, leafIndex, signaturePrivateKey, epochSecrets, confirmationTag,
    interimTranscriptHash: interim, privateKeys: { leafIndex, keys }, secretTree, proposals,
  };
}

/** The checks that need no secret copied: lengths and agreement between the parts. */
function checkDecoded(d: Decoded): void {
  const { suite, tree, groupContext } = d;
  const nh = suite.hashLength;
  for (const f of EPOCH_SECRET_FIELDS) if (d.epochSecrets[f].length !== nh) invalid(`${f} is ${d.epochSecrets[f].length} bytes, not ${nh}`);
  if (d.confirmationTag.length !== nh) invalid(`the confirmation tag is ${d.confirmationTag.length} bytes, not ${nh}`);
  if (!ctEqual(treeHash(tree), groupContext.treeHash)) invalid("the ratchet tree's hash is not the GroupContext's tree_hash");
  if (d.leafIndex >= tree.leafCount) invalid(`own leaf ${d.leafIndex} is outside the ${tree.leafCount}-leaf tree`);
  const own = tree.leaf(d.leafIndex);
  if (own === undefined) invalid(`own leaf ${d.leafIndex} is blank`);
  let signaturePublic: Uint8Array;
  try {
    signaturePublic = suite.provider.signature(suite.signature).publicKey(d.signaturePrivateKey);
  } catch (e) {
    invalid(`the signature private key is not a ${suite.signature} key: ${(e as Error).message}`);
  }
  if (!ctEqual(signaturePublic, own.signatureKey)) invalid("the signature private key is not the own leaf's");
  const interim = interimTranscriptHash(suite, groupContext.confirmedTranscriptHash, d.confirmationTag);
  if (d.interimTranscriptHash.length !== interim.length || !ctEqual(d.interimTranscriptHash, interim)) {
    invalid('the interim transcript hash does not follow from the confirmed one and the confirmation tag');
  }
  if (d.secretTree.nLeaves !== tree.leafCount) invalid(`the secret tree has ${d.secretTree.nLeaves} leaves, the ratchet tree ${tree.leafCount}`);
  for (const p of d.proposals) if (p.ref.length !== nh) invalid(`a proposal reference is ${p.ref.length} bytes, not ${nh}`);
}

/**
 * Restores what saveGroupState saved, its crypto done by `provider` (any provider: the saved form
 * does not depend on the one that saved it). The result holds its own copies of every secret; the
 * caller still owns (and wipes) `bytes`. Throws MlsError 'invalid-saved-state' — and returns
 * nothing, with every secret copied so far wiped — for a wrong magic or version, a failed check
 * value (truncation, corruption), trailing bytes, a body that does not decode, or contents that do
 * not agree with each other (see the module comment). TypeError if `bytes` is not a Uint8Array.
 */
export function loadGroupState(bytes: Uint8Array, provider: CryptoProvider): LoadedGroupState {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('loadGroupState: bytes must be a Uint8Array'); // a programmer error stays one
  try {
    return load(bytes, provider);
  } catch (e) {
    if (e instanceof MlsError && e.code === 'invalid-saved-state') throw e;
    const error = new MlsError('invalid-saved-state', `the saved group state is invalid: ${e instanceof Error ? e.message : String(e)}`);
    (error as { cause?: unknown }).cause = e;
    throw error;
  }
}

/** What loadGroupState restores; `dmls` for a DMLS group's save (its head's state is `state`). */
export interface LoadedGroupState {
  readonly state: GroupState;
  readonly proposals: CachedProposal[];
  readonly dmls?: SavedDmls<Pprf>;
}

function load(bytes: Uint8Array, provider: CryptoProvider): LoadedGroupState {
  const header = MAGIC.length + 1;
  if (bytes.length < header + CHECK_LENGTH) invalid(`${bytes.length} bytes is too short for a saved group state`);
  if (!ctEqual(bytes.subarray(0, MAGIC.length), MAGIC)) invalid('not a saved group state (bad magic)');
  const version = bytes[MAGIC.length]!;
  if (version !== SAVED_STATE_VERSION) invalid(`saved group state version ${version} is not supported (this build reads ${SAVED_STATE_VERSION})`);
  const end = bytes.length - CHECK_LENGTH;
  const digest = provider.hash('SHA-256', bytes.subarray(0, end));
  if (!ctEqual(digest, bytes.subarray(end))) invalid('the check value does not match: the saved state is truncated or corrupted');

  const r = new ByteReader(bytes, header, end);
  const d = decodeBody(r, provider);
  const dmls = r.remaining > 0 ? decodeDmls(r, provider, d.suite.id) : undefined;
  r.done('saved group state');
  checkDecoded(d);
  for (const e of dmls?.epochs ?? []) if (e.body !== undefined) checkDecoded(e.body);

  // Build: every secret is copied out of `bytes` from here on, and wiped again if a step fails.
  const built: GroupState[] = [];
  const pprfs: Pprf[] = [];
  try {
    const state = build(d);
    built.push(state);
    if (dmls === undefined) return { state, proposals: d.proposals };
    const epochs = dmls.epochs.map((e): SavedDmlsEpoch<Pprf> => {
      const parentInit = Pprf.fromState(d.suite, e.parentInit);
      pprfs.push(parentInit);
      let s = state;
      if (e.body !== undefined) {
        const own = build(e.body);
        built.push(own);
        if (!ctEqual(own.groupId, state.groupId)) invalid('a kept epoch is of another group');
        if (!ctEqual(own.signaturePrivateKey, state.signaturePrivateKey)) invalid("a kept epoch has another signature key");
        own.signaturePrivateKey.fill(0);
        s = { ...own, signaturePrivateKey: state.signaturePrivateKey }; // one key for all epochs, as in the group
      }
      return {
        dmlsEpoch: e.dmlsEpoch, ...(e.parent !== undefined ? { parent: e.parent } : {}), head: e.head, parentInit,
        state: s, proposals: e.body === undefined ? d.proposals : e.body.proposals,
      };
    });
    return { state, proposals: d.proposals, dmls: { maxEpochs: dmls.maxEpochs, epochs } };
  } catch (e) {
    for (const s of built) {
      for (const x of s.privateState.nodes()) s.privateState.keyPair(x)!.secretKey.fill(0);
      s.secretTree.dispose();
      wipeEpochSecrets(s.epochSecrets);
      s.signaturePrivateKey.fill(0);
    }
    for (const p of pprfs) p.dispose();
    throw e;
  }
}

/** A GroupState with its own copies of the decoded secrets; on failure those copied are wiped. */
function build(d: Decoded): GroupState {
  const { suite, tree } = d;

  // Build: every secret is copied out of `bytes` from here on, and wiped again if a step fails.
  let privateState: TreeKemPrivateState | undefined;
  let secretTree: SecretTree | undefined;
  let epochSecrets: EpochSecrets | undefined;
  let signaturePrivateKey: Uint8Array | undefined;
  try {
    privateState = TreeKemPrivateState.fromState(suite, tree, d.privateKeys);
    secretTree = SecretTree.fromState(suite, d.secretTree);
    const copied: Partial<Record<keyof EpochSecrets, Uint8Array>> = {};
    epochSecrets = copied as EpochSecrets; // wipeEpochSecrets wipes whatever fields exist
    for (const f of EPOCH_SECRET_FIELDS) copied[f] = d.epochSecrets[f].slice();
    const finalSecrets = copied as EpochSecrets;
    signaturePrivateKey = d.signaturePrivateKey.slice();
    const state: GroupState = {
      suite,
      groupId: d.groupContext.groupId,
      epoch: d.groupContext.epoch,
      groupContext: d.groupContext,
      groupInfoExtensions: d.groupInfoExtensions,
      tree,
      leafIndex: d.leafIndex,
      privateState,
      signaturePrivateKey,
      epochSecrets: finalSecrets,
      secretTree,
      epochAuthenticator: finalSecrets.epochAuthenticator,
      confirmationTag: d.confirmationTag.slice(),
      interimTranscriptHash: d.interimTranscriptHash.slice(),
      exportSecret: (label, exportContext, length) => exportSecret(suite, finalSecrets.exporterSecret, label, exportContext, length),
      ...(d.reinit !== undefined ? { reinit: d.reinit } : {}),
    };
    return state;
  } catch (e) {
    if (privateState !== undefined) for (const x of privateState.nodes()) privateState.keyPair(x)!.secretKey.fill(0);
    secretTree?.dispose();
    if (epochSecrets !== undefined) wipeEpochSecrets(epochSecrets);
    signaturePrivateKey?.fill(0);
    throw e;
  }
}
