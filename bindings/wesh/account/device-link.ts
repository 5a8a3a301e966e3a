// Linking a new device to an account (reference §3: the account's devices share its account and
// alias keys; each has its own device key). weshnet leaves the exchange to the application; this
// is wirecrypt's, over /wesh/device-link/1.0.0, with the three challenges of Berty's design:
//
//   offer (shown as a QR code by the existing device E): {v, account pk, addresses, E's ephemeral
//     X25519 public key, a 32-byte QR secret}
//   1  N → E  hello {N's ephemeral public key}
//      both: K = HKDF-SHA256(ikm = X25519(eN, eE), salt = QR secret, info = label ‖ eE ‖ eN, 96)
//      = kNE ‖ kEN ‖ kFP. Only a holder of the QR secret derives K — challenge 1 (the QR code).
//   2  N → E  box_kNE(nonce 1) {device_pk of N, sig = Sign_N(PIN ‖ kFP)} — the PIN shown on E and
//      typed on N, signed by N's device key — challenge 2 (the PIN signed by the new device).
//   3  both show fingerprint(kFP, N's device pk, account pk) for the user to compare — challenge 3;
//      N → E  box_kNE(nonce 2) {confirmed}; E sends the secrets only when both users confirmed:
//   4  E → N  box_kEN(nonce 3) {account seed, alias seed, rendezvous seed}
// Every failure — wrong QR secret, wrong PIN, a signature that fails, a fingerprint either user
// rejects, a timeout — ends the exchange with a WeshError on both sides and transfers nothing.

import * as cbor from '@ipld/dag-cbor';
import type { CryptoProvider } from '../../provider/types.js';
import { WeshError } from '../errors.js';
import { keyPairFromSeed } from '../crypto/keys.js';
import { openSealed, seal } from '../crypto/seal.js';
import type { FrameStream } from '../handshake/frame-stream.js';
import { frame, unframe } from '../handshake/framing.js';

export const DEVICE_LINK_PROTOCOL = '/wesh/device-link/1.0.0';
const LABEL = new TextEncoder().encode('wesh device link v1');
const VERSION = 1;

export interface LinkOffer {
  readonly accountPublicKey: Uint8Array;
  readonly addresses: readonly string[];
  readonly ephemeralPublicKey: Uint8Array;
  readonly secret: Uint8Array;
}

export interface AccountSecrets {
  readonly account: Uint8Array;
  readonly alias: Uint8Array;
  readonly rendezvousSeed: Uint8Array;
}

/** What the application does for the user: compare the fingerprint on both screens and say so. */
export interface LinkConfirm {
  confirm(fingerprint: string): boolean | Promise<boolean>;
}

export function encodeOffer(o: LinkOffer): Uint8Array {
  return cbor.encode({ v: VERSION, account: o.accountPublicKey, addresses: [...o.addresses], eph: o.ephemeralPublicKey, secret: o.secret });
}

export function decodeOffer(bytes: Uint8Array): LinkOffer {
  const o = decodeCbor(bytes, 'device link offer');
  const b32 = (v: unknown) => v instanceof Uint8Array && v.length === 32;
  if (o.v !== VERSION || !b32(o.account) || !b32(o.eph) || !b32(o.secret) || !Array.isArray(o.addresses) || !o.addresses.every((a) => typeof a === 'string')) {
    throw new WeshError('invalid-protobuf', 'not a device link offer');
  }
  return { accountPublicKey: o.account as Uint8Array, addresses: o.addresses as string[], ephemeralPublicKey: o.eph as Uint8Array, secret: o.secret as Uint8Array };
}

function decodeCbor(bytes: Uint8Array, what: string): Record<string, unknown> {
  try {
    const v = cbor.decode(bytes);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new WeshError('invalid-protobuf', `${what}: not the expected message`);
}

const nonce = (n: number) => Uint8Array.from({ length: 24 }, (_, i) => (i === 0 ? n : 0));

interface Keys {
  toExisting: Uint8Array;
  toNew: Uint8Array;
  fingerprintKey: Uint8Array;
}

function deriveKeys(provider: CryptoProvider, ourSecret: Uint8Array, theirPublic: Uint8Array, qrSecret: Uint8Array, existingEph: Uint8Array, newEph: Uint8Array): Keys {
  let shared: Uint8Array;
  try {
    shared = provider.dh('X25519').sharedSecret(ourSecret, theirPublic);
  } catch {
    throw new WeshError('invalid-key', 'unusable ephemeral key');
  }
  const prk = provider.hkdfExtract('SHA-256', qrSecret, shared);
  const info = new Uint8Array([...LABEL, ...existingEph, ...newEph]);
  const k = provider.hkdfExpand('SHA-256', prk, info, 96);
  shared.fill(0);
  prk.fill(0);
  return { toExisting: k.slice(0, 32), toNew: k.slice(32, 64), fingerprintKey: k.slice(64) };
}

/** 12 decimal digits in three groups, from SHA-256 of the fingerprint key, the new device and the account. */
export function fingerprint(provider: CryptoProvider, fingerprintKey: Uint8Array, newDevicePublicKey: Uint8Array, accountPublicKey: Uint8Array): string {
  const h = provider.hash('SHA-256', new Uint8Array([...fingerprintKey, ...newDevicePublicKey, ...accountPublicKey]));
  const n = h.subarray(0, 8).reduce((acc, b) => (acc << 8n) | BigInt(b), 0n) % 10n ** 12n;
  return n.toString().padStart(12, '0').replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** A uniformly random 6-digit PIN (rejection sampling). */
export function randomPin(provider: CryptoProvider): string {
  for (;;) {
    const b = provider.randomBytes(4);
    const n = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
    if (n < 4_294_000_000) return String(n % 1_000_000).padStart(6, '0');
  }
}

const wipe = (k: Keys) => [k.toExisting, k.toNew, k.fingerprintKey].forEach((x) => x.fill(0));

/** The existing device's side: answers one new device; resolves with its device key once linked. */
export async function linkAsExisting(
  provider: CryptoProvider,
  stream: FrameStream,
  o: { offer: LinkOffer; ephemeralSecret: Uint8Array; pin: string; secrets: AccountSecrets } & LinkConfirm,
): Promise<Uint8Array> {
  let keys: Keys | undefined;
  try {
    const hello = decodeCbor(unframe(await stream.read()), 'hello');
    if (!(hello.eph instanceof Uint8Array) || hello.eph.length !== 32) throw new WeshError('invalid-key', 'hello without an ephemeral key');
    keys = deriveKeys(provider, o.ephemeralSecret, hello.eph, o.offer.secret, o.offer.ephemeralPublicKey, hello.eph);
    const request = decodeCbor(openSealed(provider, keys.toExisting, nonce(1), unframe(await stream.read()), 'device link request'), 'device link request');
    const device = request.device, sig = request.sig;
    if (!(device instanceof Uint8Array) || device.length !== 32 || !(sig instanceof Uint8Array)) throw new WeshError('invalid-protobuf', 'device link request');
    const signed = new Uint8Array([...new TextEncoder().encode(o.pin), ...keys.fingerprintKey]);
    if (!provider.signature('Ed25519').verify(device, signed, sig)) throw new WeshError('bad-signature', 'the PIN signed by the new device does not verify');
    const ours = await o.confirm(fingerprint(provider, keys.fingerprintKey, device, o.offer.accountPublicKey));
    const theirs = decodeCbor(openSealed(provider, keys.toExisting, nonce(2), unframe(await stream.read()), 'confirmation'), 'confirmation');
    if (!ours || theirs.confirmed !== true) throw new WeshError('unexpected-message', 'the fingerprint was not confirmed on both devices');
    const s = o.secrets;
    const payload = cbor.encode({ account: s.account, alias: s.alias, rendezvous: s.rendezvousSeed });
    await stream.write(frame(seal(provider, keys.toNew, nonce(3), payload)));
    payload.fill(0);
    return device;
  } catch (err) {
    stream.close();
    throw err;
  } finally {
    if (keys) wipe(keys);
  }
}

/** The new device's side: resolves with the account's secrets once both users confirmed. */
export async function linkAsNew(
  provider: CryptoProvider,
  stream: FrameStream,
  o: { offer: LinkOffer; deviceSeed: Uint8Array; pin: string } & LinkConfirm,
): Promise<AccountSecrets> {
  const eph = provider.dh('X25519').generateKeyPair();
  let keys: Keys | undefined;
  try {
    await stream.write(frame(cbor.encode({ eph: eph.publicKey })));
    keys = deriveKeys(provider, eph.secretKey, o.offer.ephemeralPublicKey, o.offer.secret, o.offer.ephemeralPublicKey, eph.publicKey);
    const device = keyPairFromSeed(provider, o.deviceSeed);
    const sig = provider.signature('Ed25519').sign(device.secretKey, new Uint8Array([...new TextEncoder().encode(o.pin), ...keys.fingerprintKey]));
    device.secretKey.fill(0);
    await stream.write(frame(seal(provider, keys.toExisting, nonce(1), cbor.encode({ device: device.publicKey, sig }))));
    const confirmed = (await o.confirm(fingerprint(provider, keys.fingerprintKey, device.publicKey, o.offer.accountPublicKey))) === true;
    await stream.write(frame(seal(provider, keys.toExisting, nonce(2), cbor.encode({ confirmed }))));
    if (!confirmed) throw new WeshError('unexpected-message', 'the fingerprint was not confirmed on this device');
    const s = decodeCbor(openSealed(provider, keys.toNew, nonce(3), unframe(await stream.read()), 'account secrets'), 'account secrets');
    const b32 = (v: unknown) => v instanceof Uint8Array && v.length === 32;
    if (!b32(s.account) || !b32(s.alias) || !b32(s.rendezvous)) throw new WeshError('invalid-protobuf', 'account secrets');
    const account = s.account as Uint8Array;
    if (!provider.signature('Ed25519').publicKey(account).every((b, i) => b === o.offer.accountPublicKey[i])) {
      throw new WeshError('invalid-key', 'the account key sent is not the account of the offer');
    }
    return { account, alias: s.alias as Uint8Array, rendezvousSeed: s.rendezvous as Uint8Array };
  } catch (err) {
    stream.close();
    throw err;
  } finally {
    eph.secretKey.fill(0);
    if (keys) wipe(keys);
  }
}
