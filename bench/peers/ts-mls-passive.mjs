// ts-mls (npm, 1.6.x positional API, default WebCrypto-based provider) as a passive MLS client for
// RFC 9420's passive-client vectors (passive-client-welcome / -handling-commit / -random): join from
// the Welcome with the KeyPackage and its three private keys (init, encryption, signature) and the
// ratchet tree given out of band when the vector has one, then for each epoch process its proposals
// and its commit, checking every epoch authenticator (the initial one included) against the vector.
//
//   const inputs = tsMlsInputs(vector);            // hex → bytes, once, outside any timing
//   const impl = await tsMlsSuite(vector.cipher_suite);
//   const authenticators = await tsMlsPassive(inputs, impl); // throws on a mismatch
//
// ts-mls 1.6.4 supports suites 1–7 and 77–88; suite 2 needs @noble/curves, suite 3
// @hpke/chacha20poly1305 (both devDependencies here). The MLSMessages are decoded inside
// tsMlsPassive (wirecrypt's group.process takes the bytes too).
import {
  decodeMlsMessage, getCiphersuiteImpl, joinGroup, makePskIndex, processPrivateMessage, processPublicMessage,
} from 'ts-mls';
import { getCiphersuiteFromId } from 'ts-mls/crypto/ciphersuite.js';
import { decodeRatchetTree } from 'ts-mls/ratchetTree.js';

const hex = (s) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b) => Buffer.from(b).toString('hex');

/** The vector's inputs as bytes (hex decoded once); the expected authenticators stay hex. */
export function tsMlsInputs(v) {
  return {
    suite: v.cipher_suite,
    keyPackage: hex(v.key_package),
    privateKeys: { initPrivateKey: hex(v.init_priv), hpkePrivateKey: hex(v.encryption_priv), signaturePrivateKey: hex(v.signature_priv) },
    welcome: hex(v.welcome),
    ratchetTree: v.ratchet_tree === null || v.ratchet_tree === undefined ? undefined : hex(v.ratchet_tree),
    // ts-mls's PSK index is keyed by base64 of the psk_id
    psks: Object.fromEntries(v.external_psks.map((p) => [Buffer.from(p.psk_id, 'hex').toString('base64'), hex(p.psk)])),
    initialAuthenticator: v.initial_epoch_authenticator,
    epochs: v.epochs.map((e) => ({ proposals: e.proposals.map(hex), commit: hex(e.commit), authenticator: e.epoch_authenticator })),
  };
}

const suites = new Map();
/** ts-mls's CiphersuiteImpl for an RFC 9420 suite id (made once per id). */
export function tsMlsSuite(id) {
  if (!suites.has(id)) suites.set(id, getCiphersuiteImpl(getCiphersuiteFromId(id)));
  return suites.get(id);
}

function decode(bytes, wireformat) {
  const decoded = decodeMlsMessage(bytes, 0);
  if (decoded === undefined || decoded[1] !== bytes.length) throw new Error(`ts-mls: could not decode the ${wireformat}`);
  if (wireformat !== 'message' && decoded[0].wireformat !== wireformat) throw new Error(`ts-mls: expected ${wireformat}, got ${decoded[0].wireformat}`);
  return decoded[0];
}

async function processOne(state, bytes, psks, impl) {
  const m = decode(bytes, 'message');
  if (m.wireformat === 'mls_private_message') return (await processPrivateMessage(state, m.privateMessage, makePskIndex(state, psks), impl)).newState;
  if (m.wireformat === 'mls_public_message') return (await processPublicMessage(state, m.publicMessage, makePskIndex(state, psks), impl)).newState;
  throw new Error(`ts-mls: unexpected ${m.wireformat} in an epoch`);
}

function check(state, expected, where) {
  const got = toHex(state.keySchedule.epochAuthenticator);
  if (got !== expected) throw new Error(`ts-mls: epoch authenticator mismatch ${where}: ${got} != ${expected}`);
  return got;
}

/**
 * Joins and processes every epoch of one vector (inputs from tsMlsInputs, impl from tsMlsSuite);
 * returns the epoch authenticators in order (hex, the initial one first); throws if any differs from
 * the vector's.
 */
export async function tsMlsPassive(inputs, impl) {
  const kp = decode(inputs.keyPackage, 'mls_key_package');
  const welcome = decode(inputs.welcome, 'mls_welcome');
  const tree = inputs.ratchetTree === undefined ? undefined : decodeRatchetTree(inputs.ratchetTree, 0)?.[0];
  if (inputs.ratchetTree !== undefined && tree === undefined) throw new Error('ts-mls: could not decode the ratchet tree');
  let state = await joinGroup(welcome.welcome, kp.keyPackage, inputs.privateKeys, makePskIndex(undefined, inputs.psks), impl, tree);
  const out = [check(state, inputs.initialAuthenticator, 'after the join')];
  for (const [i, epoch] of inputs.epochs.entries()) {
    for (const p of epoch.proposals) state = await processOne(state, p, inputs.psks, impl);
    state = await processOne(state, epoch.commit, inputs.psks, impl);
    out.push(check(state, epoch.authenticator, `at epoch ${i}`));
  }
  return out;
}

/** Convenience: one raw vector (JSON object) end to end. */
export async function tsMlsPassiveVector(v) {
  return tsMlsPassive(tsMlsInputs(v), await tsMlsSuite(v.cipher_suite));
}
