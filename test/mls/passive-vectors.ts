// The inputs of a passive-client vector (RFC 9420's passive-client-*.json and the interop files):
// the Welcome, the joiner's KeyPackage and private keys, the external PSKs and the out-of-band tree.
import type { CryptoProvider } from '../../bindings/index.js';
import { joinGroup } from '../../bindings/mls/group/entry.js';
import type { GroupOptions } from '../../bindings/mls/group/group.js';
import { keyPackageSecretsFrom } from '../../bindings/mls/group/key-package-secrets.js';
import { decodeMlsMessage } from '../../bindings/mls/messages/mls-message.js';
import { hex } from '../helpers/vectors.js';

export function passiveInputs(v: any) {
  const welcome = decodeMlsMessage(hex(v.welcome));
  const keyPackage = decodeMlsMessage(hex(v.key_package));
  if (welcome.kind !== 'mls_welcome' || keyPackage.kind !== 'mls_key_package') throw new Error('unexpected message kinds');
  const keys = {
    keyPackage: keyPackage.keyPackage,
    initPrivateKey: hex(v.init_priv),
    encryptionPrivateKey: hex(v.encryption_priv),
    signaturePrivateKey: hex(v.signature_priv),
  };
  const psks = (v.external_psks as { psk_id: string; psk: string }[]).map((p) => ({ id: hex(p.psk_id), secret: hex(p.psk) }));
  const ratchetTree = v.ratchet_tree == null ? undefined : hex(v.ratchet_tree);
  return { welcome: welcome.welcome, keys, psks, ratchetTree };
}

/** Joins as the vector's passive client through the public API (keyPackageSecretsFrom, joinGroup). */
export function joinAsPassiveClient(v: any, provider: CryptoProvider, options: GroupOptions = {}) {
  const secrets = keyPackageSecretsFrom({
    keyPackage: hex(v.key_package), initPrivateKey: hex(v.init_priv), encryptionPrivateKey: hex(v.encryption_priv),
    signaturePrivateKey: hex(v.signature_priv), provider,
  });
  const psks = (v.external_psks as { psk_id: string; psk: string }[]).map((p) => ({ id: hex(p.psk_id), secret: hex(p.psk) }));
  try {
    return joinGroup(hex(v.welcome), secrets, { ...options, psks, ...(v.ratchet_tree == null ? {} : { ratchetTree: hex(v.ratchet_tree) }) });
  } finally {
    secrets.dispose();
  }
}
