// Wesh's decoders on hostile input, with the conventions of test/diff/property.ts: a fixed seed and
// an exact number of runs in `npm test`; under `npm run fuzz`, at least 10^5 mutated inputs per
// message kind. Inputs: the known-answer messages (envelopes, events, Group, handshake frames),
// mutated; each goes to every opening function that takes that kind, with the right keys, so a
// mutation that keeps the bytes decodable reaches the crypto checks. What must hold: the result is
// a value or a WeshError, nothing else; and a mutated input that is accepted (protobuf tolerates
// some edits: an unknown field added, a field repeated, a length written non-minimally) yields
// exactly what the original yields — no mutation changes authenticated content (a hello and a
// contact group's Group carry nothing authenticated: any well-formed value may come out of them).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WeshError, weshCrypto } from '../../bindings/wesh/index.js';
import { wasmProvider } from '../../bindings/provider/wasm.js';
import { FUZZ_SEED, runFuzzProperty } from '../diff/property.js';
import { mutate, mutation } from '../helpers/mutate.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';
import { specBlocks, specValue } from './spec-vectors.js';

const RUNS = 1000;
const FUZZ_MIN_RUNS = 100_000;

const wesh = weshCrypto(wasmProvider);
const v = loadVectors('wesh/wesh_vectors.json').vectors;
const hs = (n: string) => specValue(specBlocks('## 5.'), n);
const contact = specBlocks('### 6.1');
const groupSecret = hex(v.message_envelope.group_secret);
const mk = hex(v.message_envelope.message_key_counter1);
const groupPk = specValue(contact, 'group pk');
const secretEntry = wesh.sealSecretEntry({
  senderDeviceSecret: hex(v.group_derived.device_seed), destMemberPublic: hex(v.metadata_member_device_added.member_pk),
  groupPublicKey: groupPk, chainKey: new Uint8Array(32).fill(7), counter: 3n,
}).event;

/** Each kind: its original bytes and the opening it must survive (returning normally means accepted). */
const KINDS: Record<string, { input: Uint8Array; open: (b: Uint8Array) => unknown; unauthenticated?: true }> = {
  MessageEnvelope: { input: hex(v.message_envelope.message_envelope_proto), open: (b) => wesh.openMessageEnvelope(groupSecret, b, () => mk) },
  GroupEnvelope: { input: hex(v.metadata_member_device_added.group_envelope_proto), open: (b) => wesh.openGroupEnvelope(groupSecret, b) },
  GroupMemberDeviceAdded: { input: hex(v.metadata_member_device_added.event_proto), open: (b) => wesh.openMemberDeviceAdded(b) },
  GroupDeviceChainKeyAdded: {
    input: secretEntry,
    open: (b) => wesh.openSecretEntry({ memberSecret: hex(v.metadata_member_device_added.member_seed), event: b, groupPublicKey: groupPk }),
  },
  Group: { input: wesh.contactGroup(specValue(contact, 'account_a_seed'), specValue(contact, 'account_b_pk')).group, open: (b) => wesh.openGroup(b), unauthenticated: true },
  'handshake 1 (hello)': { input: hs('msg1 (delimited)'), open: (b) => wesh.handshake.verifyRequesterHello(b), unauthenticated: true },
  'handshake 3 (authenticate)': {
    input: hs('msg3 (delimited)'),
    open: (b) => wesh.handshake.verifyRequesterAuthenticate({ responderAccountSecret: hs('responder_account_seed'), responderEphemeralSecret: hs('responder_eph_sk'), requesterEphemeralPublic: hs('requester_eph_pk'), message: b }),
  },
  'handshake 4 (accept)': {
    input: hs('msg4 (delimited)'),
    open: (b) => wesh.handshake.verifyResponderAccept({
      requesterAccountSecret: hs('requester_account_seed'), requesterEphemeralSecret: hs('requester_eph_sk'),
      responderEphemeralPublic: hs('responder_eph_pk'), responderAccountPublic: hs('responder_account_pk'), message: b,
    }),
  },
  'handshake 5 (acknowledge)': { input: hs('msg5 (delimited)'), open: (b) => wesh.handshake.verifyRequesterAcknowledge(b) },
};
/** What an opening yields, comparable: typed arrays as hex, bigints as decimal. */
const content = (value: unknown) => JSON.stringify(value ?? null, (_, x) => (x instanceof Uint8Array ? toHex(x) : typeof x === 'bigint' ? String(x) : x));

describe('Wesh decoders under fast-check', () => {
  const counts: Record<string, number> = {};
  for (const [kind, { input, open, unauthenticated }] of Object.entries(KINDS)) {
    it(`${kind}: mutated inputs give a value or a WeshError`, () => {
      const original = content(open(input));
      const inputs = fc.array(mutation, { minLength: 1, maxLength: 4 }).map((edits) => mutate(input, edits));
      counts[kind] = runFuzzProperty(fc.property(inputs, (bytes) => {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        let result: unknown;
        try {
          result = open(bytes);
        } catch (err) {
          if (err instanceof WeshError) return;
          throw new Error(`${kind}: ${String(err)} on ${toHex(bytes)}`);
        } finally {
          Error.stackTraceLimit = limit;
        }
        if (!unauthenticated && content(result) !== original) throw new Error(`${kind}: ${toHex(bytes)} opened to other content than the original`);
      }), RUNS, FUZZ_MIN_RUNS, Object.keys(KINDS).length);
    });
  }
  it('reports', () => {
    console.log(`wesh decoders fuzz (seed ${FUZZ_SEED}): ${Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ')} inputs; only WeshError escaped`);
    expect(Object.keys(counts)).toHaveLength(Object.keys(KINDS).length);
  });
});
