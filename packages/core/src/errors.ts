/**
 * The one typed error hierarchy of Comrad.
 *
 * Every failure that crosses a boundary (bytes from the network, a file on disk, a wire request) is a
 * {@link ProtocolError} with a stable `code` from a closed list, so callers and other implementations can
 * branch on it without parsing messages. The codes are listed in `spec/08-errors.md` (ERR-*).
 * @module
 */

/** Every error code Comrad can produce. Closed list: adding one is a spec change. */
export const ERROR_CODES = [
  // encoding (ENC-*)
  'MALFORMED', // not valid msgpack, wrong structure, or a field of the wrong type
  'TOO_LARGE', // exceeds a size limit (bytes, characters, items)
  'UNSUPPORTED_VERSION', // a version this implementation does not speak
  'UNSUPPORTED_KIND', // a letter kind this implementation does not (yet) speak (LET-4); a profile visibility reserved for later (PROF-12)
  'TRAILING_BYTES', // bytes left after a complete structure
  'INVALID_NAME', // a comrade name that breaks the name rule (NAME-*)
  // keys and crypto (KEY-*, SIG-*, SEAL-*)
  'INVALID_KEY', // key bytes that are not a valid Themis EC key of the expected kind
  'BAD_SIGNATURE', // a signature that does not verify, or a signed container that is corrupt
  'WRONG_AUTHOR', // the signature is valid but not by the key the caller expected
  'DECRYPT_FAILED', // a sealed container that does not open: tampered, truncated, or not for this key
  'WRONG_RECIPIENT', // a sealed letter that opened but is addressed to someone else
  'TRUNCATED', // a container shorter than its own header says
  'BAD_PADDING', // a padded letter whose padding is not canonical
  // keystore (KS-*)
  'WRONG_PASSPHRASE', // the keystore did not open with this passphrase
  'CORRUPT_KEYSTORE', // the keystore file is damaged or not a keystore
  // operator (OP-*)
  'UNKNOWN_OP',
  'UNAUTHENTICATED',
  'AUTH_FAILED',
  'NAME_TAKEN',
  'KEY_TAKEN',
  'NOT_FOUND',
  'RATE_LIMITED',
  'QUOTA_EXCEEDED',
  'STORAGE_FULL', // the Operator's store has reached its disk budget (STORE-2)
  'POW_REQUIRED',
  'FORBIDDEN',
  'EXPIRED',
  'INTERNAL',
  // collectives (COL-*)
  'OUT_OF_ORDER', // a collective event whose seq or prev does not continue the log: replayed, reordered, or built on a stale head (COL-6); a profile not newer than the one held (PROF-10)
  'WRONG_COLLECTIVE', // a collective event that names another collective (COL-7)
  'NOT_MEMBER', // an act that needs a member (or the candidate concerned) by someone who is not (COL-10..COL-17)
  'DUPLICATE', // something the same comrade already did: a second request, vouch, vote or expulsion vote (COL-10..COL-17)
  'QUORUM_NOT_MET', // an admission without the vouches the constitution in force requires (COL-12)
  // unlinkable tokens (TOK-*)
  'TOKEN_REQUIRED', // an anonymous action that carries no token where the Operator requires one (TOK-11)
  'TOKEN_INVALID', // a token that is not a Privacy Pass token of this Operator: wrong size, type, challenge or signature (TOK-7)
  'TOKEN_EXPIRED', // a token signed by an issuer key whose window is over (TOK-4)
  'TOKEN_SPENT', // a token already spent on another action (TOK-8)
  // client (CL-*)
  'KEY_CHANGED', // the Operator answered with a different key than the pinned one
  'TIMEOUT',
  'CONNECTION_CLOSED',
  'FORGED', // a letter whose signature does not match the sender's registered key
] as const;

/** A stable, machine-readable error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

const CODE_SET: ReadonlySet<string> = new Set(ERROR_CODES);

/** Base class of every Comrad error. */
export class ComradError extends Error {
  override readonly name: string = 'ComradError';
  /** Stable code from {@link ERROR_CODES}. */
  readonly code: ErrorCode;

  /**
   * @param code - the stable code
   * @param message - one human-readable line; never includes secrets or message content
   */
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    // ERR-2: one line whatever went into it, so no caller can split a log or terminal line with it.
    super(oneLine(message), options);
    this.code = code;
  }

  /**
   * Type guard: is `err` a Comrad error, optionally with the given code?
   * @example `if (ComradError.is(err, 'WRONG_PASSPHRASE')) askAgain()`
   */
  static is(err: unknown, code?: ErrorCode): err is ComradError {
    return err instanceof ComradError && (code === undefined || err.code === code);
  }
}

/** An error about bytes or values that came from outside: the network, a file, a peer. */
export class ProtocolError extends ComradError {
  override readonly name: string = 'ProtocolError';
}

/**
 * ERR-2, OP-3: the longest message an error frame carries, in code points; core's decoders stay under it
 * whatever their input (a client's own explanations, such as KEY_CHANGED's, may be longer).
 */
export const MAX_MESSAGE_CHARS = 200;

/** Line breaks and other control characters become spaces (ERR-2: a message is one line). */
function oneLine(message: string): string {
  return String(message).replace(/[\p{Cc}\u2028\u2029]+/gu, ' ');
}

/** True when `code` is one of the closed list of codes (used when decoding error frames). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && CODE_SET.has(code);
}
