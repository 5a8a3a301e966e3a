// MLS (RFC 9420, issue 12): a passive client working through RFC 9420's passive-client-random.json
// (../shared/vectors/mls/, from mlswg/mls-implementations): for each vector, join from the Welcome
// (KeyPackage + its init, encryption and signature private keys, the ratchet tree out of band when
// the vector has one, its external PSKs), then process every epoch's proposals and commit, checking
// every epoch authenticator against the vector. wirecrypt's public API ('wirecrypt' → mls, on the
// default wasm provider) against ts-mls (npm 1.6.x, its default WebCrypto-based provider; driver in
// bench/peers/ts-mls-passive.mjs). epochs/s over the whole file: one cell per cipher suite present
// (suites 1–3, the ones wirecrypt implements; ts-mls supports them all), plus a total when there is
// more than one; the join is part of each run but not counted as an epoch.
//
// Both sides start from the same bytes (hex decoded at setup) and decode the MLSMessages inside the
// timed run. wirecrypt gets fresh copies of the private keys each run (keyPackageSecretsFrom may keep
// and later wipe what it is given); the group and the secrets are disposed at the end of each run.
import { readFileSync } from 'node:fs';
import { mls } from 'wirecrypt';
import { tsMlsInputs, tsMlsPassive, tsMlsSuite } from '../peers/ts-mls-passive.mjs';

const FILE = new URL('../../../shared/vectors/mls/passive-client-random.json', import.meta.url);
const TITLE = 'MLS passive client, passive-client-random.json (join + all epochs)';

const hex = (s) => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b) => Buffer.from(b).toString('hex');

const vectors = JSON.parse(readFileSync(FILE, 'utf8')).filter((v) => v.cipher_suite >= 1 && v.cipher_suite <= 3);
const suites = [...new Set(vectors.map((v) => v.cipher_suite))].sort();
const epochsOf = (vs) => vs.reduce((n, v) => n + v.epochs.length, 0);

/** One cell per suite present, and the whole file when it holds more than one suite. */
const SIZES = suites.map((s) => {
  const vs = vectors.filter((v) => v.cipher_suite === s);
  return { label: `suite ${s} (${vs.length} vector${vs.length === 1 ? '' : 's'}, ${epochsOf(vs)} epochs)`, bytes: 0, perCall: epochsOf(vs), suites: [s] };
});
if (suites.length > 1) SIZES.push({ label: `all suites (${vectors.length} vectors, ${epochsOf(vectors)} epochs)`, bytes: 0, perCall: epochsOf(vectors), suites });
const vectorsOf = (size) => vectors.filter((v) => size.suites.includes(v.cipher_suite));

// ---- wirecrypt (public API) -----------------------------------------------------------------------

function wirecryptInputs(v) {
  return {
    keyPackage: hex(v.key_package),
    initPrivateKey: hex(v.init_priv),
    encryptionPrivateKey: hex(v.encryption_priv),
    signaturePrivateKey: hex(v.signature_priv),
    welcome: hex(v.welcome),
    options: {
      ...(v.ratchet_tree != null ? { ratchetTree: hex(v.ratchet_tree) } : {}),
      psks: v.external_psks.map((p) => ({ id: hex(p.psk_id), secret: hex(p.psk) })),
    },
    initialAuthenticator: v.initial_epoch_authenticator,
    epochs: v.epochs.map((e) => ({ proposals: e.proposals.map(hex), commit: hex(e.commit), authenticator: e.epoch_authenticator })),
  };
}

/** Joins and processes every epoch of one vector; the epoch authenticators in order (hex), or throws on a mismatch. */
export function wirecryptPassive(inputs) {
  const secrets = mls.keyPackageSecretsFrom({
    keyPackage: inputs.keyPackage,
    initPrivateKey: inputs.initPrivateKey.slice(),
    encryptionPrivateKey: inputs.encryptionPrivateKey.slice(),
    signaturePrivateKey: inputs.signaturePrivateKey.slice(),
  });
  const group = mls.joinGroup(inputs.welcome, secrets, inputs.options);
  try {
    const check = (expected, where) => {
      const got = toHex(group.epochAuthenticator);
      if (got !== expected) throw new Error(`wirecrypt: epoch authenticator mismatch ${where}: ${got} != ${expected}`);
      return got;
    };
    const out = [check(inputs.initialAuthenticator, 'after the join')];
    for (const [i, epoch] of inputs.epochs.entries()) {
      for (const p of epoch.proposals) group.process(p);
      const result = group.process(epoch.commit);
      if (result.kind !== 'commit') throw new Error(`wirecrypt: epoch ${i}: the commit was processed as ${result.kind}`);
      out.push(check(epoch.authenticator, `at epoch ${i}`));
    }
    return out;
  } finally {
    group.dispose();
    secrets.dispose();
  }
}

// ---- the group ------------------------------------------------------------------------------------

export const mlsPassiveGroups = [{
  title: TITLE, unit: 'epochs/s', sizes: SIZES, slow: true,
  notes: [
    `Each run: for every vector of the cell, KeyPackage secrets + join from the Welcome${vectors.some((v) => v.ratchet_tree != null) ? ' (ratchet tree out of band where the vector has one)' : ''}, then every epoch's proposals and commit, each epoch authenticator checked; epochs/s = the cell's epochs ÷ the run's time. ` +
      'wirecrypt: its public API (mls.keyPackageSecretsFrom / mls.joinGroup / group.process) on the wasm provider; ts-mls: 1.6.x with its default provider (WebCrypto, @hpke/core), states immutable, one await per message.',
    `The file holds ${vectors.length} vector${vectors.length === 1 ? '' : 's'} of suites 1–3 (suite${suites.length === 1 ? '' : 's'} ${suites.join(', ')}).`,
  ],
  impls: [
    {
      name: 'wirecrypt',
      setup: (size) => {
        const inputs = vectorsOf(size).map(wirecryptInputs);
        return { run: () => inputs.map(wirecryptPassive) };
      },
    },
    {
      name: 'ts-mls',
      setup: async (size) => {
        const jobs = await Promise.all(vectorsOf(size).map(async (v) => ({ inputs: tsMlsInputs(v), impl: await tsMlsSuite(v.cipher_suite) })));
        return {
          async: true,
          run: async () => {
            const out = [];
            for (const { inputs, impl } of jobs) out.push(await tsMlsPassive(inputs, impl));
            return out;
          },
        };
      },
    },
  ],
}];

const TOTAL = SIZES[SIZES.length - 1].label;
export const mlsPassiveTargets = [
  { text: `MLS passive client over passive-client-random.json (${TOTAL}): wirecrypt ≥ 10× ts-mls`, group: TITLE, size: TOTAL, peer: 'ts-mls', min: 10 },
];
