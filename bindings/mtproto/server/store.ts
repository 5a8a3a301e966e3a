// What an MTProto server fleet shares (issue 10, "Real components"): auth keys (permanent and
// temporary, with their bindings), server salts, the sessions already announced, and each session's
// content-related messages not acknowledged yet (held.ts). Several server processes behind one
// address use one store, so a client that reconnects to another process keeps its key, its salt,
// its session and the answers it had not acknowledged. Implementations: memory-store.ts (one
// process), file-store.ts (survives a restart; atomic writes), redis-store.ts (a fleet).
//
// Every method is atomic from the caller's point of view: a key is either fully stored or absent,
// never half-written. Keys are 256-byte secrets and held bodies may be as sensitive (answers): the
// store keeps both in the clear, hands out copies, and callers wipe them.

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

/**
 * A content-related message a server sent in a session and the client has not acknowledged yet
 * (spec §7.2), as it went out: the body inside its msg_id / seq_no envelope, so another process
 * can send it again unchanged.
 */
export interface HeldMessage {
  /** The server's msg_id (odd, spec §4.1). */
  readonly msgId: bigint;
  /** Its seq_no (odd: content-related). */
  readonly seqNo: number;
  /** The serialized message (rpc_result, new_session_created, an update …). */
  readonly body: Uint8Array;
  /** An rpc_result: the msg_id of the client's query it answers. */
  readonly answers?: bigint;
}

/** A server salt and the Unix-seconds interval in which it is accepted (spec §4.3, future_salt). */
export interface StoredSalt {
  readonly validSince: number;
  readonly validUntil: number;
  readonly salt: bigint;
}

export interface AuthKeyStore {
  /**
   * Whether server processes other than this one read this store (Redis: true). MtprotoServer holds
   * unacknowledged messages in a shared store by default (holdUnacknowledged): in a store only its
   * own process reads, holding would cost a write per answer and serve nobody.
   */
  readonly sharedAcrossProcesses?: boolean;
  getKey(id: bigint): Promise<StoredAuthKey | undefined>;
  /** Stores a new key; resolves false (and stores nothing) if a key with this id already exists. */
  addKey(key: StoredAuthKey): Promise<boolean>;
  /** Records that temporary key `tempId` is bound to permanent key `permId` (until the temp key expires). */
  bindTempKey(tempId: bigint, permId: bigint): Promise<void>;
  /** Deletes a key with its salts, sessions and held messages. */
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
  /** Forgets a session (destroy_session) with its held messages; resolves whether it existed. */
  dropSession(authKeyId: bigint, sessionId: bigint): Promise<boolean>;
  /**
   * Holds messages of a session until released (a message with a msg_id already held replaces it).
   * Kept HELD_TTL seconds after the time in their msg_id, within MAX_HELD_MESSAGES /
   * MAX_HELD_BYTES per session, the oldest dropped first, and within MAX_HOLDING_SESSIONS_PER_KEY /
   * MAX_HELD_BYTES_PER_KEY per auth key, the key's other sessions let go of whole, the stalest
   * first (held.ts; session_id is the client's choice, so the key bounds what it can make the store
   * hold). Rejects with
   * 'auth-key-not-found' if the key is absent and 'session-not-found' if the session was never
   * claimed or was dropped: a destroyed session holds nothing.
   */
  holdMessages(authKeyId: bigint, sessionId: bigint, messages: readonly HeldMessage[]): Promise<void>;
  /** Forgets held messages (the client acknowledged them); ids not held are ignored. */
  releaseMessages(authKeyId: bigint, sessionId: bigint, msgIds: readonly bigint[]): Promise<void>;
  /** The messages a session holds, not expired, by ascending msg_id (copies); [] if none. */
  heldMessages(authKeyId: bigint, sessionId: bigint): Promise<HeldMessage[]>;
  /** Releases connections and files; the store is unusable afterwards. */
  close(): Promise<void>;
}
