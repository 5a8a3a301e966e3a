// ts-mls (1.6.x, its default provider) doing the operations of bench/groups/mls-scale.mjs on a group
// of n members, for the side-by-side run. ts-mls's ClientState is immutable, so an operation can be
// repeated on the same state (a Commit processed again from the state before it).
// Its quirks (see test/helpers/ts-mls.ts): explicit capabilities without GREASE; an add-only Commit
// carries no path; an empty Commit is its full-path update; Commits as PublicMessage here, as
// wirecrypt's default, application data as PrivateMessage.
import {
  createApplicationMessage, createCommit, createGroup, defaultLifetime, emptyPskIndex, generateKeyPackage, getCiphersuiteImpl, joinGroup,
  processPrivateMessage, processPublicMessage,
} from 'ts-mls';
import { getCiphersuiteFromId } from 'ts-mls/crypto/ciphersuite.js';

const NAMES = { 1: 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519', 3: 'MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519' };
const text = (s) => new TextEncoder().encode(s);

export async function tsGroupOps(suite, n, runs, quick, time) {
  const impl = await getCiphersuiteImpl(getCiphersuiteFromId(suite));
  const caps = { versions: ['mls10'], ciphersuites: [NAMES[suite]], extensions: [], proposals: [], credentials: ['basic'] };
  const kp = (name) => generateKeyPackage({ credentialType: 'basic', identity: text(name) }, caps, defaultLifetime, [], impl);
  const kps = [];
  for (let i = 1; i < n; i++) kps.push(await kp(`member ${i}`));
  const create = async () => {
    const c = await kp('creator');
    return createGroup(crypto.getRandomValues(new Uint8Array(16)), c.publicPackage, c.privatePackage, [], impl);
  };
  const add = async (state) => createCommit({ state, cipherSuite: impl }, {
    extraProposals: kps.map((k) => ({ proposalType: 'add', add: { keyPackage: k.publicPackage } })), ratchetTreeExtension: true, wireAsPublicMessage: true,
  });
  const out = {};
  out.createAdd = await time(runs, () => null, async () => {
    const s = await create();
    if (n > 1) await add(s);
  });
  if (n === 1 || n < 2) return out;
  const creator0 = await create();
  const added = await add(creator0);
  const creator = added.newState;
  const last = kps[kps.length - 1];
  out.join = await time(runs, () => null, () => joinGroup(added.welcome, last.publicPackage, last.privatePackage, emptyPskIndex, impl));
  const newest = await joinGroup(added.welcome, last.publicPackage, last.privatePackage, emptyPskIndex, impl);
  let update;
  out.updateCreate = await time(runs, () => null, async () => {
    update = await createCommit({ state: newest, cipherSuite: impl }, { wireAsPublicMessage: true }); // empty: a full-path update
  });
  out.updateProcess = await time(runs, () => null, () => processPublicMessage(creator, update.commit.publicMessage, emptyPskIndex, impl));
  out.remove = await time(runs, () => null, () => createCommit({ state: creator, cipherSuite: impl }, {
    extraProposals: [{ proposalType: 'remove', remove: { removed: 1 } }], wireAsPublicMessage: true,
  }));
  // application messages: the creator sends, the newest member receives
  const small = new Uint8Array(100).fill(7), big = new Uint8Array(65536).fill(9);
  const count = quick ? 200 : 500;
  let sender = creator, receiver = newest;
  const msgs = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const r = await createApplicationMessage(sender, small, impl);
    sender = r.newState;
    msgs.push(r.privateMessage);
  }
  out.encryptPerSec = count / ((performance.now() - t0) / 1000);
  const t1 = performance.now();
  for (const m of msgs) receiver = (await processPrivateMessage(receiver, m, emptyPskIndex, impl)).newState;
  out.decryptPerSec = count / ((performance.now() - t1) / 1000);
  const bigCount = 20;
  const bigs = [];
  const t2 = performance.now();
  for (let i = 0; i < bigCount; i++) {
    const r = await createApplicationMessage(sender, big, impl);
    sender = r.newState;
    bigs.push(r.privateMessage);
  }
  out.encryptMBs = (bigCount * 65536) / 1e6 / ((performance.now() - t2) / 1000);
  const t3 = performance.now();
  for (const m of bigs) receiver = (await processPrivateMessage(receiver, m, emptyPskIndex, impl)).newState;
  out.decryptMBs = (bigCount * 65536) / 1e6 / ((performance.now() - t3) / 1000);
  return out;
}
