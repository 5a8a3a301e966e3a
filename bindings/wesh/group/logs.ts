// A group's two logs (reference §10): `<hex group pk>_wesh_group_metadata` and
// `<hex group pk>_wesh_group_messages`, written by every member under the one signing key whose
// seed is the group secret (§6.4), so the access rule is "signed by sign_pub". A replication node
// opens them without the secret (verify only: it can store and serve entries, not read them, §11).

import type { CryptoProvider } from '../../provider/types.js';
import { keyPairFromSeed } from '../crypto/keys.js';
import { type LogStore, WeshLog, memoryStore, providerLogCrypto, writersAccess } from '../log/index.js';

export interface GroupLogs {
  readonly metadata: WeshLog;
  readonly messages: WeshLog;
  /** Closes both logs and wipes the signing key they share. */
  close(): Promise<void>;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export function groupLogIds(groupPublicKey: Uint8Array): { metadata: string; messages: string } {
  const h = hex(groupPublicKey);
  return { metadata: `${h}_wesh_group_metadata`, messages: `${h}_wesh_group_messages` };
}

/**
 * Opens (or creates) the group's logs. With the group secret the logs can append; with only the
 * signing public key (a replication node) they verify and store. `stores` default to memory.
 */
export async function openGroupLogs(
  provider: CryptoProvider,
  group: { publicKey: Uint8Array; signingPublicKey: Uint8Array; secret?: Uint8Array },
  stores: { metadata?: LogStore; messages?: LogStore } = {},
): Promise<GroupLogs> {
  const ids = groupLogIds(group.publicKey);
  const signing = group.secret ? keyPairFromSeed(provider, group.secret) : undefined;
  const crypto = providerLogCrypto(provider, signing);
  signing?.secretKey.fill(0);
  const access = writersAccess([group.signingPublicKey]);
  const [metadata, messages] = await Promise.all([
    WeshLog.open({ id: ids.metadata, crypto, access, store: stores.metadata ?? memoryStore() }),
    WeshLog.open({ id: ids.messages, crypto, access, store: stores.messages ?? memoryStore() }),
  ]);
  return {
    metadata,
    messages,
    async close() {
      await Promise.all([metadata.close(), messages.close()]);
      crypto.dispose?.();
    },
  };
}
