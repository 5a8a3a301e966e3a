// What an MTProto server fleet shares (issue 10, "Real components"): auth keys (permanent and
// temporary, with their bindings), server salts and the sessions already announced. Several server
// processes behind one address use one store, so a client that reconnects to another process keeps
// its key, its salt and its session. Implementations: memory-store.ts (one process), file-store.ts
// (survives a restart; atomic writes), redis-store.ts (a fleet).
//
// Every method is atomic from the caller's point of view: a key is either fully stored or absent,
// never half-written. Keys are 256-byte secrets; stores hand out copies and callers wipe them.

/** An auth key as stored. `id` is auth_key_id read as TL reads it (signed little-endian int64). */
export interface StoredAuthKey {
  readonly id: bigint;
  /** 256 bytes. */
  readonly key: Uint8Array;
  readonly temp: boolean;
  /** Temporary keys: Unix seconds after which the key is gone (the store may drop it then). */
  readonly expiresAt?: number;
  /** Temporary keys bound by auth.bindTempAuthKey: the permanent key's id. */
  readonly boundTo?: bigint;
}

/** A server salt and the Unix-seconds interval in which it is accepted (spec §4.3, future_salt). */
export interface StoredSalt {
  readonly validSince: number;
  readonly validUntil: number;
  readonly salt: bigint;
}

export interface AuthKeyStore {
  getKey(id: bigint): Promise<StoredAuthKey | undefined>;
  /** Stores a new key; resolves false (and stores nothing) if a key with this id already exists. */
  addKey(key: StoredAuthKey): Promise<boolean>;
  /** Records that temporary key `tempId` is bound to permanent key `permId` (until the temp key expires). */
  bindTempKey(tempId: bigint, permId: bigint): Promise<void>;
  deleteKey(id: bigint): Promise<void>;
  /** The salts stored for an auth key (any order; expired ones may be included or dropped). */
  getSalts(authKeyId: bigint): Promise<StoredSalt[]>;
  /** Adds salts for an auth key (kept until validUntil). */
  addSalts(authKeyId: bigint, salts: readonly StoredSalt[]): Promise<void>;
  /**
   * Registers a session of an auth key; resolves true the first time the fleet sees it (the
   * server then sends new_session_created), false afterwards.
   */
  claimSession(authKeyId: bigint, sessionId: bigint): Promise<boolean>;
  /** Forgets a session (destroy_session); resolves whether it existed. */
  dropSession(authKeyId: bigint, sessionId: bigint): Promise<boolean>;
  /** Releases connections and files; the store is unusable afterwards. */
  close(): Promise<void>;
}
