// RFC 9420 wire-format codecs against messages.json (300 entries × 17 serialized structs): every
// field decodes and re-encodes byte-identically. Beyond that: the KeyPackages are of suites 1, 2
// and 3 (100 each); the GroupInfo's ratchet_tree and external_pub extensions and its GroupContext's
// required_capabilities decode and re-encode; the signatures over KeyPackageTBS, LeafNodeTBS and
// GroupInfoTBS verify (so those encoders are right too); each bare proposal body, prefixed with its
// proposal_type, round-trips as a Proposal. Then hand-made cases for what the vectors lack:
// unknown / GREASE code points, and each MlsError code.
import { afterAll, describe, expect, it } from 'vitest';
import { ByteReader, DecodeError } from '../../bindings/codec/reader.js';
import { encode, writeOpaque, writeVector } from '../../bindings/codec/tls.js';
import { cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import { verifyWithLabel } from '../../bindings/mls/crypto/labels.js';
import { MlsError } from '../../bindings/mls/errors.js';
import { writeExtension } from '../../bindings/mls/group-context.js';
import * as M from '../../bindings/mls/messages/index.js';
import { referenceProvider } from '../../bindings/provider/reference.js';
import { countCases, hex, loadVectors, toHex } from '../helpers/vectors.js';

const FILE = 'mls/messages.json';

type Entry = Record<string, string>;
interface Field {
  decode(bytes: Uint8Array): unknown;
  encode(value: never): Uint8Array;
  /** Further checks on the decoded value; returns how many nested structs it decoded and re-encoded. */
  check?(value: never, entry: Entry): number;
}

const sameHex = (got: Uint8Array, want: Uint8Array | string, what: string) =>
  expect(toHex(got), what).toBe(typeof want === 'string' ? want : toHex(want));

/** An MLSMessage field whose wire format must be `kind`. */
function mlsMessage(kind: M.WireFormatName, check?: (m: never) => number): Field {
  return {
    decode: M.decodeMlsMessage,
    encode: M.encodeMlsMessage,
    check: (m: M.MlsMessage) => {
      expect(m.kind).toBe(kind);
      return check?.(m as never) ?? 0;
    },
  };
}

/** A PublicMessage from a member carrying content of type `body`. */
const publicMessage = (body: M.ContentTypeName) => mlsMessage('mls_public_message', (m: M.MlsMessage & { kind: 'mls_public_message' }) => {
  const { content, auth, membershipTag } = m.publicMessage;
  expect(content.body.kind).toBe(body);
  expect(content.sender.kind).toBe('member');
  expect(membershipTag).toBeDefined();
  expect(auth.confirmationTag !== undefined).toBe(body === 'commit');
  sameHex(M.encodeFramedContent(M.decodeFramedContent(M.encodeFramedContent(content))), M.encodeFramedContent(content), 'FramedContent');
  return 1;
});

// ---- signatures and suites ----------------------------------------------------------------------

const suites = new Map<number, number>();
let signatures = 0;

function verify(suiteId: number, key: Uint8Array, label: string, tbs: Uint8Array, signature: Uint8Array): void {
  expect(verifyWithLabel(cipherSuite(suiteId, referenceProvider), key, label, tbs, signature), label).toBe(true);
  signatures++;
}

/** §10: suite 1–3, and both signatures (the KeyPackage's and its leaf's) verify. */
function checkKeyPackage(kp: M.KeyPackage): number {
  expect(kp.version).toBe(M.ProtocolVersion.mls10);
  expect([1, 2, 3]).toContain(kp.cipherSuite);
  expect(kp.leafNode.source.kind).toBe('key_package');
  verify(kp.cipherSuite, kp.leafNode.signatureKey, 'KeyPackageTBS', M.encodeKeyPackageTbs(kp), kp.signature);
  verify(kp.cipherSuite, kp.leafNode.signatureKey, 'LeafNodeTBS', M.encodeLeafNodeTbs(kp.leafNode), kp.leafNode.signature);
  sameHex(M.encodeLeafNode(M.decodeLeafNode(M.encodeLeafNode(kp.leafNode))), M.encodeLeafNode(kp.leafNode), 'LeafNode');
  return 1;
}

/** The GroupInfo's extensions decode and re-encode; its signer's leaf (from the ratchet_tree extension) signed it. */
function checkGroupInfo(gi: M.GroupInfo): number {
  let nested = 0;
  let tree: M.RatchetTree | undefined;
  for (const e of gi.extensions) {
    if (e.type === M.ExtensionType.ratchet_tree) {
      tree = M.decodeRatchetTree(e.data);
      sameHex(M.encodeRatchetTree(tree), e.data, 'ratchet_tree extension');
      nested++;
    } else if (e.type === M.ExtensionType.external_pub) {
      sameHex(M.encodeExternalPub(M.decodeExternalPub(e.data)), e.data, 'external_pub extension');
      nested++;
    }
  }
  for (const e of gi.groupContext.extensions) {
    if (e.type === M.ExtensionType.required_capabilities) {
      sameHex(M.encodeRequiredCapabilities(M.decodeRequiredCapabilities(e.data)), e.data, 'required_capabilities extension');
      nested++;
    }
  }
  const signer = tree?.[2 * gi.signer];
  expect(signer?.kind, 'the signer is a leaf of the ratchet_tree extension').toBe('leaf');
  if (signer?.kind === 'leaf') verify(gi.groupContext.cipherSuite, signer.leaf.signatureKey, 'GroupInfoTBS', M.encodeGroupInfoTbs(gi), gi.signature);
  return nested;
}

/** A bare proposal body, prefixed with its proposal_type, is a Proposal of that kind. */
function asProposal(kind: M.ProposalTypeName): (value: never, entry: Entry) => number {
  const field = `${kind === 'psk' ? 'pre_shared_key' : kind === 'reinit' ? 're_init' : kind}_proposal`;
  return (_value, entry) => {
    const type = M.ProposalType[kind];
    const bytes = hex(`${type.toString(16).padStart(4, '0')}${entry[field]}`);
    const p = M.decodeProposal(bytes);
    expect(p.kind).toBe(kind);
    sameHex(M.encodeProposal(p), bytes, `Proposal(${kind})`);
    return 1;
  };
}

const FIELDS: Record<string, Field> = {
  mls_welcome: mlsMessage('mls_welcome'),
  mls_group_info: mlsMessage('mls_group_info', (m: { groupInfo: M.GroupInfo }) => checkGroupInfo(m.groupInfo)),
  mls_key_package: mlsMessage('mls_key_package', (m: { keyPackage: M.KeyPackage }) => {
    suites.set(m.keyPackage.cipherSuite, (suites.get(m.keyPackage.cipherSuite) ?? 0) + 1);
    return checkKeyPackage(m.keyPackage);
  }),
  ratchet_tree: {
    decode: M.decodeRatchetTree,
    encode: M.encodeRatchetTree,
    check: (tree: M.RatchetTree, e: Entry) => {
      const suite = (M.decodeMlsMessage(hex(e.mls_key_package!)) as { keyPackage: M.KeyPackage }).keyPackage.cipherSuite;
      let leaves = 0;
      for (const n of tree) {
        if (n?.kind !== 'leaf') continue;
        const kp = n.leaf.source.kind === 'key_package';
        if (kp) verify(suite, n.leaf.signatureKey, 'LeafNodeTBS', M.encodeLeafNodeTbs(n.leaf), n.leaf.signature);
        leaves += kp ? 1 : 0;
      }
      return leaves;
    },
  },
  group_secrets: { decode: M.decodeGroupSecrets, encode: M.encodeGroupSecrets },
  add_proposal: {
    decode: M.decodeAdd,
    encode: M.encodeAdd,
    check: (p: M.Add, e: Entry) => checkKeyPackage(p.keyPackage) + asProposal('add')(p as never, e),
  },
  update_proposal: { decode: M.decodeUpdate, encode: M.encodeUpdate, check: asProposal('update') },
  remove_proposal: { decode: M.decodeRemove, encode: M.encodeRemove, check: asProposal('remove') },
  pre_shared_key_proposal: { decode: M.decodePreSharedKey, encode: M.encodePreSharedKey, check: asProposal('psk') },
  re_init_proposal: { decode: M.decodeReInit, encode: M.encodeReInit, check: asProposal('reinit') },
  external_init_proposal: { decode: M.decodeExternalInit, encode: M.encodeExternalInit, check: asProposal('external_init') },
  group_context_extensions_proposal: {
    decode: M.decodeGroupContextExtensions,
    encode: M.encodeGroupContextExtensions,
    check: asProposal('group_context_extensions'),
  },
  commit: { decode: M.decodeCommit, encode: M.encodeCommit },
  public_message_application: publicMessage('application'),
  public_message_proposal: publicMessage('proposal'),
  public_message_commit: publicMessage('commit'),
  private_message: mlsMessage('mls_private_message'),
};

describe(FILE, () => {
  const vectors = loadVectors<Entry[]>(FILE);
  const passed = vectors.map(() => new Set<string>()); // per entry, the fields that round-tripped
  let nested = 0;

  it('has the 17 fields in every one of its 300 entries', () => {
    expect(vectors.length).toBe(300);
    for (const v of vectors) expect(Object.keys(v).sort()).toEqual(Object.keys(FIELDS).sort());
  });

  for (const [field, f] of Object.entries(FIELDS)) {
    it(`${field}: decodes and re-encodes byte-identically`, () => {
      const failures: string[] = []; // every entry is tried, so that the count says which ones fail
      vectors.forEach((v, i) => {
        try {
          const bytes = hex(v[field]!);
          const value = f.decode(bytes);
          sameHex(f.encode(value as never), bytes, `entry ${i} ${field}`);
          nested += f.check?.(value as never, v) ?? 0;
          passed[i]!.add(field);
        } catch (e) {
          failures.push(`entry ${i}: ${String(e)}`);
        }
      });
      expect(failures, `${field}: ${failures.length} of ${vectors.length} entries failed`).toEqual([]);
    });
  }

  it('every entry ran completely; the KeyPackages are of suites 1, 2 and 3 only', () => {
    const count = countCases(FILE, vectors.length);
    passed.forEach((fields, i) => {
      if (fields.size === Object.keys(FIELDS).length) count.ran(i);
    });
    count.done();
    expect(Object.fromEntries(suites)).toEqual({ 1: 100, 2: 100, 3: 100 });
  });

  afterAll(() => {
    const entries = passed.filter((s) => s.size === Object.keys(FIELDS).length).length;
    const structs = passed.reduce((n, s) => n + s.size, 0);
    console.log(`${FILE}: ${entries} of ${vectors.length} entries (${structs} structs) decoded and re-encoded; `
      + `${nested} nested structs round-tripped, ${signatures} signatures verified; `
      + `KeyPackage suites ${[...suites].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`).join(', ')}`);
  });
});

// ---- what the vectors do not exercise -----------------------------------------------------------

const leaf: M.LeafNode = {
  encryptionKey: hex('aa'.repeat(32)),
  signatureKey: hex('bb'.repeat(32)),
  credential: { kind: 'x509', certificates: [hex('3001'), hex('300200')] },
  capabilities: { versions: [1], cipherSuites: [1, 0x0a0a], extensions: [0x1a1a, 0xf000], proposals: [0x2a2a], credentials: [1, 2, 0xeaea] },
  source: { kind: 'commit', parentHash: hex('cc'.repeat(32)) },
  extensions: [{ type: 0x3a3a, data: hex('0102') }, { type: M.ExtensionType.application_id, data: M.encodeApplicationId(hex('0a0b')) }],
  signature: hex('dd'.repeat(64)),
};

function roundTrip<T>(value: T, encode: (v: T) => Uint8Array, decode: (b: Uint8Array) => T): Uint8Array {
  const bytes = encode(value);
  expect(decode(bytes)).toEqual(value);
  sameHex(encode(decode(bytes)), bytes, 'round trip');
  return bytes;
}

function expectMlsError(f: () => unknown, code: string): void {
  try {
    f();
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(MlsError);
    expect((e as MlsError).code).toBe(code);
    return;
  }
  expect.fail(`no MlsError ${code}`);
}

describe('codecs beyond the vectors', () => {
  it('GREASE and unknown code points survive: capabilities, extensions, credential and proposal types', () => {
    expect(M.GREASE_VALUES).toHaveLength(15);
    expect(M.GREASE_VALUES.every(M.isGrease)).toBe(true);
    expect([0xfafa, 0x0a0b, 1].some(M.isGrease)).toBe(false);
    roundTrip(leaf, M.encodeLeafNode, M.decodeLeafNode);
    const unknownCredential: M.Credential = { kind: 'unknown', credentialType: 0xf001, data: hex('00ff') };
    expect(M.credentialTypeOf(unknownCredential)).toBe(0xf001);
    roundTrip({ ...leaf, credential: unknownCredential }, M.encodeLeafNode, M.decodeLeafNode);
    const custom: M.Proposal = { kind: 'unknown', proposalType: 0xf00d, data: hex('010203') };
    sameHex(roundTrip(custom, M.encodeProposal, M.decodeProposal), 'f00d03010203', 'custom proposal');
    expect(() => M.encodeProposal({ kind: 'unknown', proposalType: 3, data: hex('') })).toThrow(TypeError);
    expect(() => M.encodeCredential({ kind: 'unknown', credentialType: 1, data: hex('') })).toThrow(TypeError);
  });

  it('known extension payloads, a ratchet tree with blanks, and a commit with an update path', () => {
    roundTrip({ extensionTypes: [3, 0x4a4a], proposalTypes: [], credentialTypes: [1] }, M.encodeRequiredCapabilities, M.decodeRequiredCapabilities);
    roundTrip([{ signatureKey: hex('01'), credential: { kind: 'basic', identity: hex('02') } }], M.encodeExternalSenders, M.decodeExternalSenders);
    roundTrip(hex('0a0b'), M.encodeApplicationId, M.decodeApplicationId);
    const parent: M.Node = { kind: 'parent', parent: { encryptionKey: hex('01'), parentHash: hex(''), unmergedLeaves: [2, 0xffffffff] } };
    const l: M.Node = { kind: 'leaf', leaf };
    roundTrip([l, parent, undefined, undefined, l], M.encodeRatchetTree, M.decodeRatchetTree);
    const path: M.UpdatePath = { leafNode: leaf, nodes: [{ encryptionKey: hex('02'), encryptedPathSecret: [{ kemOutput: hex('03'), ciphertext: hex('04') }] }] };
    roundTrip(path, M.encodeUpdatePath, M.decodeUpdatePath);
    roundTrip({ proposals: [{ kind: 'proposal', proposal: { kind: 'remove', removed: 7 } }, { kind: 'reference', reference: hex('05') }], path },
      M.encodeCommit, M.decodeCommit);
    roundTrip(hex('0102'), M.encodePathSecret, M.decodePathSecret);
  });

  it('the inner framing structs: AuthenticatedContent, PrivateMessageContent, SenderData, TBS and AAD', () => {
    const content: M.FramedContent = {
      groupId: hex('01'), epoch: 0xffffffffffffffffn, sender: { kind: 'external', senderIndex: 3 }, authenticatedData: hex(''),
      body: { kind: 'commit', commit: { proposals: [] } },
    };
    const auth = { signature: hex('02'), confirmationTag: hex('03') };
    roundTrip({ wireFormat: 1, content, auth }, M.encodeAuthenticatedContent, M.decodeAuthenticatedContent);
    roundTrip({ content, auth }, M.encodePublicMessage, M.decodePublicMessage);
    for (const sender of [{ kind: 'new_member_proposal' }, { kind: 'new_member_commit' }] as const) {
      roundTrip({ content: { ...content, sender }, auth }, M.encodePublicMessage, M.decodePublicMessage);
    }
    const pmc: M.PrivateMessageContent = { body: { kind: 'application', applicationData: hex('68690a') }, auth: { signature: hex('04') }, paddingLength: 5 };
    sameHex(M.encodePrivateMessageContent(pmc), '0368690a01040000000000', 'PrivateMessageContent');
    expect(M.decodePrivateMessageContent(M.encodePrivateMessageContent(pmc), 'application')).toEqual(pmc);
    roundTrip({ leafIndex: 1, generation: 2, reuseGuard: hex('01020304') }, M.encodeSenderData, M.decodeSenderData);
    sameHex(M.encodeSenderDataAad(hex('01'), 2n, 'proposal'), '0101000000000000000202', 'SenderDataAAD');
    sameHex(M.encodePrivateContentAad(hex('01'), 2n, 'commit', hex('09')), '010100000000000000020301' + '09', 'PrivateContentAAD');
    // FramedContentTBS: version, wire_format, content, and the GroupContext only for member / new_member_commit
    sameHex(M.encodeFramedContentTbs(1, content), `00010001${toHex(M.encodeFramedContent(content))}`, 'FramedContentTBS');
    expect(() => M.encodeFramedContentTbs(1, { ...content, sender: { kind: 'member', leafIndex: 0 } })).toThrow(TypeError);
    expect(() => M.encodePublicMessage({ content, auth: { signature: hex('') } })).toThrow(TypeError);
    expect(() => M.encodeLeafNodeTbs(leaf)).toThrow(TypeError);
    sameHex(M.encodeLeafNodeTbs(leaf, { groupId: hex('ee'), leafIndex: 1 }).subarray(-6), '01ee00000001', 'LeafNodeTBS tail');
  });

  it('refuses what cannot be framed, each with its MlsError code', () => {
    const kp = loadVectors<Entry[]>(FILE)[0]!.mls_key_package!;
    expectMlsError(() => M.decodeMlsMessage(hex(`0002${kp.slice(4)}`)), 'unsupported-version');
    expectMlsError(() => M.decodeMlsMessage(hex(`00010006${kp.slice(8)}`)), 'unsupported-wire-format');
    expectMlsError(() => M.decodeMlsMessage(hex(`0001f000${kp.slice(8)}`)), 'unsupported-wire-format');
    expectMlsError(() => M.decodeFramedContent(hex('01010000000000000000' + '05')), 'invalid-sender-type');
    expectMlsError(() => M.decodeFramedContent(hex('0101000000000000000003' + '00' + '04')), 'invalid-content-type');
    expectMlsError(() => M.decodePrivateMessage(hex('0101000000000000000000')), 'invalid-content-type');
    expectMlsError(() => M.decodeNode(hex('03')), 'invalid-node-type');
    expectMlsError(() => M.decodeCommit(hex('0103' + '00')), 'invalid-proposal-or-ref-type');
    // leaf_node_source sits just before the extensions and the signature
    const leafBytes = toHex(M.encodeLeafNode({ ...leaf, source: { kind: 'update' } }));
    const tail = toHex(encode((w) => {
      writeVector(w, leaf.extensions, writeExtension);
      writeOpaque(w, leaf.signature);
    }));
    expect(leafBytes.endsWith(`02${tail}`)).toBe(true);
    const at = leafBytes.length - tail.length - 2;
    expectMlsError(() => M.decodeLeafNode(hex(`${leafBytes.slice(0, at)}00${tail}`)), 'invalid-leaf-node-source');
    expectMlsError(() => M.decodeLeafNode(hex(`${leafBytes.slice(0, at)}04${tail}`)), 'invalid-leaf-node-source');
    expectMlsError(() => M.decodeRatchetTree(hex('00')), 'invalid-ratchet-tree');
    expectMlsError(() => M.decodeRatchetTree(hex('0100')), 'invalid-ratchet-tree');
    const parent = toHex(M.encodeNode({ kind: 'parent', parent: { encryptionKey: hex(''), parentHash: hex(''), unmergedLeaves: [] } }));
    expectMlsError(() => M.decodeRatchetTree(hex(`${(1 + parent.length / 2).toString(16).padStart(2, '0')}01${parent}`)), 'invalid-ratchet-tree');
    expectMlsError(() => M.decodePrivateMessageContent(hex('00' + '00' + '0001'), 'application'), 'invalid-padding');
    expectMlsError(() => M.decodePreSharedKey(hex('03')), 'invalid-psk-type');
  });

  it('refuses truncation, trailing bytes, bad presence bytes and non-minimal lengths with DecodeError', () => {
    const bytes = M.encodeCommit({ proposals: [], path: undefined });
    expect(toHex(bytes)).toBe('0000');
    for (const bad of ['', '00', '000000', '0002', '4000' + '00']) expect(() => M.decodeCommit(hex(bad)), bad).toThrow(DecodeError);
    expect(() => M.decodeSenderData(hex('01020304050607'))).toThrow(DecodeError);
    expect(() => M.readU16List(new ByteReader(hex('03000100')), 'odd')).toThrow(DecodeError);
  });
});
