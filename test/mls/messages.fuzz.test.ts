// The MLS wire-format decoders on hostile input, with the conventions of test/diff/property.ts: a
// fixed seed (FUZZ_SEED) and an exact number of runs in `npm test`; under `npm run fuzz`
// (FUZZ_SECONDS set) at least 10^5 mutated inputs per message type, then more until the time share
// of each property is used up. A failure prints the seed, the replay path and the counterexample.
//
// Inputs: the 17 serialized structs of each messages.json entry, mutated (bit flips, edge bytes,
// length edits, widened varints, truncations, insertions, deletions, duplications). Every input —
// and the same input without its first 4 bytes (an MLSMessage's header) — goes to every decoder.
// What must hold: a decoder returns a value or throws DecodeError / MlsError, nothing else; and a
// value that decodes re-encodes to exactly its input (the encoding is canonical).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../bindings/codec/reader.js';
import { MlsError } from '../../bindings/mls/errors.js';
import * as M from '../../bindings/mls/messages/index.js';
import { FUZZ_SEED, fuzzing, runFuzzProperty } from '../diff/property.js';
import { mutate, mutation } from '../helpers/mutate.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';

const FIELDS = [
  'mls_welcome', 'mls_group_info', 'mls_key_package', 'ratchet_tree', 'group_secrets', 'add_proposal', 'update_proposal',
  'remove_proposal', 'pre_shared_key_proposal', 're_init_proposal', 'external_init_proposal', 'group_context_extensions_proposal',
  'commit', 'public_message_application', 'public_message_proposal', 'public_message_commit', 'private_message',
] as const;

/** npm test: mutated inputs per message type. Fuzzing: at least this many per type. */
const RUNS = 1000;
const FUZZ_MIN_RUNS = 100_000;
const PROPERTIES = FIELDS.length + 1; // how many share the fuzz time budget
const TIMEOUT = fuzzing ? 0 : 120_000;

interface Codec {
  readonly name: string;
  decode(bytes: Uint8Array): unknown;
  encode(value: never): Uint8Array;
}
const codec = <T>(name: string, decode: (b: Uint8Array) => T, encode: (v: T) => Uint8Array): Codec => ({ name, decode, encode: encode as (v: never) => Uint8Array });

const CODECS: readonly Codec[] = [
  codec('MLSMessage', M.decodeMlsMessage, M.encodeMlsMessage),
  codec('Welcome', M.decodeWelcome, M.encodeWelcome),
  codec('GroupInfo', M.decodeGroupInfo, M.encodeGroupInfo),
  codec('KeyPackage', M.decodeKeyPackage, M.encodeKeyPackage),
  codec('PublicMessage', M.decodePublicMessage, M.encodePublicMessage),
  codec('PrivateMessage', M.decodePrivateMessage, M.encodePrivateMessage),
  codec('FramedContent', M.decodeFramedContent, M.encodeFramedContent),
  codec('AuthenticatedContent', M.decodeAuthenticatedContent, M.encodeAuthenticatedContent),
  ...(['application', 'proposal', 'commit'] as const).map((type) =>
    codec(`PrivateMessageContent(${type})`, (b) => M.decodePrivateMessageContent(b, type), M.encodePrivateMessageContent)),
  codec('SenderData', M.decodeSenderData, M.encodeSenderData),
  codec('ratchet_tree', M.decodeRatchetTree, M.encodeRatchetTree),
  codec('Node', M.decodeNode, M.encodeNode),
  codec('LeafNode', M.decodeLeafNode, M.encodeLeafNode),
  codec('Capabilities', M.decodeCapabilities, M.encodeCapabilities),
  codec('Credential', M.decodeCredential, M.encodeCredential),
  codec('GroupSecrets', M.decodeGroupSecrets, M.encodeGroupSecrets),
  codec('PathSecret', M.decodePathSecret, M.encodePathSecret),
  codec('Proposal', M.decodeProposal, M.encodeProposal),
  codec('Add', M.decodeAdd, M.encodeAdd),
  codec('Update', M.decodeUpdate, M.encodeUpdate),
  codec('Remove', M.decodeRemove, M.encodeRemove),
  codec('PreSharedKey', M.decodePreSharedKey, M.encodePreSharedKey),
  codec('ReInit', M.decodeReInit, M.encodeReInit),
  codec('ExternalInit', M.decodeExternalInit, M.encodeExternalInit),
  codec('GroupContextExtensions', M.decodeGroupContextExtensions, M.encodeGroupContextExtensions),
  codec('Commit', M.decodeCommit, M.encodeCommit),
  codec('UpdatePath', M.decodeUpdatePath, M.encodeUpdatePath),
  codec('required_capabilities', M.decodeRequiredCapabilities, M.encodeRequiredCapabilities),
  codec('external_senders', M.decodeExternalSenders, M.encodeExternalSenders),
  codec('external_pub', M.decodeExternalPub, M.encodeExternalPub),
  codec('application_id', M.decodeApplicationId, M.encodeApplicationId),
];

/** Inputs that some decoder accepted (so the re-encoding check ran), by decoder. */
const accepted = new Map<string, number>();

/** Every decoder on `input`: DecodeError / MlsError, or a value that re-encodes to exactly `input`. */
function feed(input: Uint8Array): void {
  for (const c of CODECS) {
    let value: unknown;
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0; // most inputs are refused: capturing stacks would triple the cost
    try {
      value = c.decode(input);
    } catch (error) {
      if (error instanceof DecodeError || error instanceof MlsError) continue;
      throw new Error(`${c.name} threw ${String(error)} on ${toHex(input)}`);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    const again = c.encode(value as never);
    if (toHex(again) !== toHex(input)) throw new Error(`${c.name} decoded ${toHex(input)} but re-encodes to ${toHex(again)}`);
    accepted.set(c.name, (accepted.get(c.name) ?? 0) + 1);
  }
}

// ---- running ------------------------------------------------------------------------------------

function run(property: fc.IProperty<any>, runs = RUNS): number {
  return runFuzzProperty(property, runs, FUZZ_MIN_RUNS, PROPERTIES);
}

describe('MLS message decoders under fast-check', () => {
  const vectors = loadVectors<Record<string, string>[]>('mls/messages.json');
  const total: Record<string, number> = {};

  it('the unmutated vectors pass through every decoder', () => {
    for (const v of vectors) {
      for (const field of FIELDS) {
        const bytes = hex(v[field]!);
        feed(bytes);
        feed(bytes.subarray(4));
      }
    }
  });

  for (const field of FIELDS) {
    it(`${field}: mutated, fed to all ${CODECS.length} decoders`, () => {
      const inputs = vectors.map((v) => hex(v[field]!));
      const mutated = fc.tuple(fc.integer({ min: 0, max: inputs.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }))
        .map(([i, edits]) => mutate(inputs[i]!, edits));
      total[field] = run(fc.property(mutated, (input) => {
        feed(input);
        feed(input.subarray(4));
      }));
    }, TIMEOUT);
  }

  it('random bytes behind each MLSMessage header', () => {
    const header = fc.constantFrom(...[0, 1, 2, 3, 4, 5, 6, 0xf000].map((wf) => Uint8Array.of(0, 1, wf >> 8, wf & 0xff)));
    const input = fc.tuple(header, fc.uint8Array({ maxLength: 96 })).map(([h, tail]) => Uint8Array.from([...h, ...tail]));
    total.random = run(fc.property(input, (bytes) => feed(bytes)), 2000);
    console.log(`mls messages fuzz (seed ${FUZZ_SEED}): ${Object.entries(total).map(([f, n]) => `${f} ${n}`).join(', ')} inputs, `
      + `each (and its tail after 4 bytes) through ${CODECS.length} decoders; decoded and re-encoded exactly: `
      + `${[...accepted].map(([name, n]) => `${name} ${n}`).join(', ')}`);
  }, TIMEOUT);
});
