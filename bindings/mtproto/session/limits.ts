// Sizes and counts the session layer holds itself to (spec §7.1, §7.2, §11) and its defaults.

export { MAX_CONTAINER_MESSAGES, MAX_MSG_IDS } from '../tl/service.js';

/** Bytes of message bodies packed into one container (a single larger message goes alone). */
export const MAX_CONTAINER_BYTES = 512 * 1024;

/** Default cap on a gzip_packed's decompressed size, both directions. */
export const DEFAULT_MAX_GZIP_SIZE = 4 * 1024 * 1024;

/** Bodies at least this long are offered to gzip; the packed form is used if it saves ≥ 10 %. */
export const GZIP_THRESHOLD = 1024;

/** Content-related messages kept for re-sending until acknowledged (oldest dropped beyond it). */
export const DEFAULT_MAX_UNACKED = 1024;

/** Entry overhead inside msg_container: msg_id, seqno, bytes. */
export const CONTAINER_ENTRY_OVERHEAD = 16;
