// What a finished handshake yields, on either side, and the injectable sources both sides take.

/** The outcome of an auth-key handshake (§5.1 step 10, §6). */
export interface AuthKeyResult {
  /** g^ab mod dh_prime, big-endian, left-padded to exactly 256 bytes. */
  readonly authKey: Uint8Array;
  /** SHA1(authKey)[12:20] (§2.2): the 8 bytes that open every encrypted packet. */
  readonly authKeyId: Uint8Array;
  /**
   * The first server salt, new_nonce[0:8] XOR server_nonce[0:8] (§4.3), as the TL long a message
   * header carries: a signed 64-bit bigint read little-endian from those 8 bytes.
   */
  readonly serverSalt: bigint;
  /** server_time − local time in whole seconds (client); 0 on the server. */
  readonly timeOffset: number;
  /** Temporary keys only: Unix time (on the server's clock) at which the key expires: completion time + expires_in. */
  readonly expiresAt?: number;
  /** Temporary keys only: the expires_in the client asked for, in seconds. */
  readonly expiresIn?: number;
  /** Whether this is a temporary key (p_q_inner_data_temp[_dc], §6). */
  readonly temp: boolean;
  /** The dc the client named in p_q_inner_data_dc / _temp_dc; absent for the legacy forms. */
  readonly dc?: number;
}

/** A source of random bytes: `length` fresh bytes per call. Defaults to the provider's randomBytes. */
export type RandomSource = (length: number) => Uint8Array;

/** The current Unix time in seconds (may be fractional). Defaults to Date.now() / 1000. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now() / 1000;
