// Wesh (issue 14, "Benchmarks"): the device-chain ratchet in Wesh's shape (no salt, info = the
// 32-byte group public key) precomputing the 100-key window a receiver keeps, against node:crypto
// and @noble/hashes doing the same steps; and sealing + opening a 100-byte message envelope (both
// secretboxes, the Ed25519 signature and its check, the protobufs) through wesh.crypto. No JavaScript
// Wesh exists to compare with (weshnet is Go): the envelope row is measured against the target.
import { createHmac } from 'node:crypto';
import { expand as nobleExpand, extract as nobleExtract } from '@noble/hashes/hkdf.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { wasmProvider, wesh } from 'wirecrypt';

const WINDOW = 100; // weshnet's PrecomputeMessageKeyCount
const ZERO_KEY = new Uint8Array(32);
const ck0 = Uint8Array.from({ length: 32 }, (_, i) => i);
const groupPk = wasmProvider.signature('Ed25519').generateKeyPair().publicKey;

function nodeStep(ck) {
  const prk = createHmac('sha256', ZERO_KEY).update(ck).digest();
  const t1 = createHmac('sha256', prk).update(groupPk).update(Uint8Array.of(1)).digest();
  const t2 = createHmac('sha256', prk).update(t1).update(groupPk).update(Uint8Array.of(2)).digest();
  return [t1, t2];
}
const chainOf = (step) => () => {
  let ck = ck0;
  let mk;
  for (let i = 0; i < WINDOW; i++) [ck, mk] = step(ck);
  return [new Uint8Array(ck), new Uint8Array(mk)];
};

const group = wesh.crypto.createMultiMemberGroup();
const device = wesh.crypto.prepareSigner(wasmProvider.signature('Ed25519').generateKeyPair().secretKey);
const message = new Uint8Array(100).fill(0x61);
const BATCH = 100;
const batchKeys = wesh.crypto.ratchet(ck0, group.publicKey, BATCH);

export const weshGroups = [
  {
    title: 'Wesh ratchet', unit: 'steps/s', sizes: [{ label: `${WINDOW}-key window`, bytes: 0, perCall: WINDOW }],
    notes: ['One step: PRK = HKDF-Extract(no salt, chain key); OKM = HKDF-Expand(PRK, group public key, 64) (reference §8). A receiver precomputes 100 keys per peer device.'],
    impls: [
      { name: 'wirecrypt wesh.crypto.ratchet', setup: () => ({ run: () => { const r = wesh.crypto.ratchet(ck0, groupPk, WINDOW); return [r.chainKey, r.messageKeys.at(-1)]; } }) },
      { name: 'node:crypto createHmac ×3', setup: () => ({ run: chainOf(nodeStep) }) },
      { name: '@noble/hashes hkdf', setup: () => ({ run: chainOf((ck) => { const okm = nobleExpand(nobleSha256, nobleExtract(nobleSha256, ck, new Uint8Array(0)), groupPk, 64); return [okm.slice(0, 32), okm.slice(32)]; }) }) },
    ],
  },
  {
    title: 'Wesh message envelope', unit: 'msgs/s', sizes: [{ label: '100 B, seal + open', bytes: 0, perCall: 1 }, { label: '100 B, 100 sealed, opened as one batch', bytes: 0, perCall: BATCH }],
    notes: ['sealMessageEnvelope (EncryptedMessage, Ed25519 signature with the device\'s prepared signer, MessageHeaders, two secretboxes, MessageEnvelope) then openMessageEnvelope (both opens, signature check); in the batch column, 100 envelopes sealed one by one and opened with openMessageEnvelopes (signatures checked in one Ed25519 batch), as a device reads what log sync brings.'],
    impls: [
      { name: 'wirecrypt wesh.crypto', setup: ({ perCall }) => ({ run: perCall === 1
        ? () => {
          const sealed = wesh.crypto.sealMessageEnvelope({ groupSecret: group.secret, messageKey: batchKeys.messageKeys[0], counter: 1n, device, plaintext: message });
          return wesh.crypto.openMessageEnvelope(group.secret, sealed.envelope, () => batchKeys.messageKeys[0]).plaintext;
        }
        : () => {
          const envelopes = batchKeys.messageKeys.map((messageKey, i) => wesh.crypto.sealMessageEnvelope({ groupSecret: group.secret, messageKey, counter: BigInt(i + 1), device, plaintext: message }).envelope);
          return wesh.crypto.openMessageEnvelopes(group.secret, envelopes, (_, counter) => batchKeys.messageKeys[Number(counter) - 1]).at(-1).plaintext;
        } }) },
    ],
  },
];

export const weshTargets = [
  { text: 'Wesh ratchet ≥ 2.5× node:crypto', group: 'Wesh ratchet', size: `${WINDOW}-key window`, peer: 'node:crypto createHmac ×3', min: 2.5 },
  { text: 'Wesh message seal + open ≥ 10,000/s at 100 B (one by one)', group: 'Wesh message envelope', size: '100 B, seal + open', atLeast: 10_000 },
  { text: 'Wesh message seal + open ≥ 10,000/s at 100 B (opened in batches of 100)', group: 'Wesh message envelope', size: '100 B, 100 sealed, opened as one batch', atLeast: 10_000 },
];
