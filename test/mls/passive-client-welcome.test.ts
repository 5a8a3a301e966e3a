// Joining a group from a Welcome (RFC 9420 §12.4.3.1) against passive-client-welcome.json, suites
// 1–3, both providers: the public joinGroup (after keyPackageSecretsFrom) builds the member's state (tree from the out-of-band option or the
// GroupInfo's ratchet_tree extension, external PSKs) and its epoch authenticator is the vector's
// initial_epoch_authenticator. The vectors' `epochs` are not processed here. Altered inputs are
// refused with their codes: a tree with another tree hash, a missing PSK, a missing tree, private
// keys that are not the KeyPackage's.
import { afterAll, describe, expect, it } from 'vitest';
import { cipherSuite } from '../../bindings/mls/crypto/cipher-suite.js';
import { stateOf } from '../../bindings/mls/group/group.js';
import { joinGroup } from '../../bindings/mls/group/join.js';
import { ExtensionType } from '../../bindings/mls/messages/constants.js';
import { type Node, type RatchetTree, decodeRatchetTree } from '../../bindings/mls/messages/ratchet-tree.js';
import { PublicRatchetTree } from '../../bindings/mls/tree/ratchet-tree.js';
import { openWelcome } from '../../bindings/mls/welcome.js';
import { forEachProvider } from '../helpers/providers.js';
import { loadVectors } from '../helpers/vectors.js';
import { joinAsPassiveClient, passiveInputs } from './passive-vectors.js';
import { bySuite } from './suites.js';

const FILE = 'mls/passive-client-welcome.json';

const parse = passiveInputs;

/** The group's tree nodes as the joiner receives them (out of band, or from the GroupInfo). */
function treeNodes(suite: ReturnType<typeof cipherSuite>, v: any): RatchetTree {
  const { welcome, keys, psks, ratchetTree } = parse(v);
  if (ratchetTree !== undefined) return decodeRatchetTree(ratchetTree);
  let nodes: RatchetTree | undefined;
  openWelcome(suite, welcome, keys.keyPackage, keys.initPrivateKey, (gi) => {
    const ext = gi.extensions.find((e) => e.type === ExtensionType.ratchet_tree)!;
    nodes = decodeRatchetTree(ext.data);
    return PublicRatchetTree.fromNodes(suite, nodes).leaf(gi.signer)!.signatureKey;
  }, (id) => (id.type === 1 ? psks.find((p) => Buffer.from(p.id).equals(Buffer.from(id.pskId)))?.secret : undefined));
  return nodes!;
}

/** The same tree with its root changed (blanked, or given a fresh parent key): same leaves, another tree hash. */
function withOtherRoot(suite: ReturnType<typeof cipherSuite>, nodes: RatchetTree): RatchetTree {
  const tree = PublicRatchetTree.fromNodes(suite, nodes);
  const full: (Node | undefined)[] = [];
  for (let x = 0; x < tree.nodeCount; x++) full.push(tree.node(x));
  const r = tree.root;
  full[r] = full[r] === undefined
    ? { kind: 'parent', parent: { encryptionKey: suite.hpke.generateKeyPair().publicKey, parentHash: new Uint8Array(0), unmergedLeaves: [] } }
    : undefined;
  return full;
}

const code = (c: string) => expect.objectContaining({ code: c });

forEachProvider((provider) => {
  describe('passive-client-welcome.json', () => {
    const tally = bySuite(FILE, loadVectors<any[]>(FILE), provider.name);
    let withPathKeys = 0; // joins whose GroupSecrets carried a path_secret that yielded parent keys
    afterAll(() => console.log(`${FILE} [${provider.name}]: ${withPathKeys} joins held parent-node keys from the Welcome's path_secret`));
    tally.vectors.forEach((v, i) => {
      const how = `${v.ratchet_tree == null ? 'tree in GroupInfo' : 'tree out of band'}, ${v.external_psks.length} PSK`;
      it(`#${i} suite ${v.cipher_suite} (${how})`, () => {
        const suite = cipherSuite(v.cipher_suite, provider);
        const { welcome, keys, psks, ratchetTree } = parse(v);
        const options = { ...(ratchetTree !== undefined ? { ratchetTree } : {}), psks };

        const group = stateOf(joinAsPassiveClient(v, provider));
        expect(Buffer.from(group.epochAuthenticator).toString('hex')).toBe(v.initial_epoch_authenticator);
        expect(group.epoch).toBe(group.groupContext.epoch);
        expect(group.tree.leaf(group.leafIndex)!.encryptionKey).toEqual(keys.keyPackage.leafNode.encryptionKey);
        expect(group.privateState.leafIndex).toBe(group.leafIndex);
        expect(group.privateState.inconsistentNodes(group.tree)).toEqual([]);
        if (group.privateState.nodes().length > 1) withPathKeys++;
        expect(group.secretTree.nLeaves).toBe(group.tree.leafCount);
        expect(group.exportSecret('label', new Uint8Array(0), 32)).toHaveLength(32);

        // Out-of-band trees also work as nodes and as a PublicRatchetTree.
        if (ratchetTree !== undefined) {
          const nodes = decodeRatchetTree(ratchetTree);
          expect(joinGroup(suite, welcome, keys, { psks, ratchetTree: nodes }).epochAuthenticator).toEqual(group.epochAuthenticator);
          expect(joinGroup(suite, welcome, keys, { psks, ratchetTree: PublicRatchetTree.fromNodes(suite, nodes) }).epochAuthenticator).toEqual(group.epochAuthenticator);
          expect(() => joinGroup(suite, welcome, keys, { psks })).toThrow(code('missing-ratchet-tree'));
        }

        // A tree with the same leaves but another tree hash (the GroupInfo signature still verifies).
        const wrongTree = withOtherRoot(suite, treeNodes(suite, v));
        expect(() => joinGroup(suite, welcome, keys, { psks, ratchetTree: wrongTree })).toThrow(code('tree-hash-mismatch'));

        if (psks.length > 0) {
          expect(() => joinGroup(suite, welcome, keys, { ...options, psks: [] })).toThrow(code('missing-psk'));
          const wrongPsk = psks.map((p) => ({ id: p.id, secret: new Uint8Array(p.secret.length + 1) }));
          expect(() => joinGroup(suite, welcome, keys, { ...options, psks: wrongPsk })).toThrow(code('welcome-decryption-failed')); // the welcome key depends on psk_secret
        }

        const otherHpke = suite.hpke.generateKeyPair().secretKey;
        expect(() => joinGroup(suite, welcome, { ...keys, encryptionPrivateKey: otherHpke }, options)).toThrow(code('private-key-mismatch'));
        const otherSig = suite.provider.signature(suite.signature).generateKeyPair().secretKey;
        expect(() => joinGroup(suite, welcome, { ...keys, signaturePrivateKey: otherSig }, options)).toThrow(code('private-key-mismatch'));
        expect(() => joinGroup(suite, welcome, { ...keys, initPrivateKey: otherHpke }, options)).toThrow(code('welcome-decryption-failed'));
        tally.pass();
      });
    });
  });
});
