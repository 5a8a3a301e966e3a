// rpc_error#2144ca19 error_code:int error_message:string (spec §7.1) as a JavaScript error: what
// MtprotoClient.invoke rejects with, and what a server handler throws to answer with a given error
// instead of 500 INTERNAL.

export class MtprotoRpcError extends Error {
  /** The numeric error_code, HTTP-like: 303, 400, 401, 403, 404, 406, 420, 500 … */
  readonly code: number;

  constructor(code: number, message: string) {
    if (!Number.isInteger(code) || code < -0x80000000 || code > 0x7fffffff) throw new RangeError(`MtprotoRpcError: code must be an int32, got ${code}`);
    if (typeof message !== 'string') throw new TypeError('MtprotoRpcError: message must be a string');
    super(message);
    this.name = 'MtprotoRpcError';
    this.code = code;
  }
}

/** Errors the server itself answers with (issue 10; api/pfs for the binding errors). */
export const RPC_ERRORS = {
  /** No handler for the query's constructor id. */
  methodInvalid: [400, 'METHOD_INVALID'],
  /** A handler threw something other than an MtprotoRpcError. */
  internal: [500, 'INTERNAL'],
  /** auth.bindTempAuthKey: the inner message does not decrypt or does not match the outer one. */
  encryptedMessageInvalid: [400, 'ENCRYPTED_MESSAGE_INVALID'],
  /** auth.bindTempAuthKey: the temporary key is already bound to another permanent key. */
  tempAuthKeyAlreadyBound: [400, 'TEMP_AUTH_KEY_ALREADY_BOUND'],
  /** auth.bindTempAuthKey sent with a permanent key. */
  tempAuthKeyEmpty: [400, 'TEMP_AUTH_KEY_EMPTY'],
  /** Any method but bindTempAuthKey with a temporary key that is not bound yet (api/pfs). */
  authKeyPermEmpty: [401, 'AUTH_KEY_PERM_EMPTY'],
} as const satisfies Record<string, readonly [number, string]>;
