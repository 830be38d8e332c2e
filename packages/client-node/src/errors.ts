/**
 * Local mistakes of whoever drives the client (a bad URL, a missing proxy, a wrong flag): not protocol
 * failures, so they are not `ProtocolError`s; the CLI maps them to its usage exit code.
 * @module
 */

/** Stable codes of {@link UsageError}. */
export type UsageErrorCode =
  | 'BAD_URL' // an Operator address that is not ws:// or wss://
  | 'BAD_PROXY' // a proxy address that is not socks5h://host:port
  | 'ONION_NEEDS_PROXY' // a .onion address without a Tor SOCKS proxy
  | 'INSECURE_URL' // plain ws:// to a host that is neither loopback nor an onion, without --insecure (TR-9)
  | 'NOT_LOGGED_IN' // an action that needs the keystore before login()
  | 'NO_KEYSTORE' // no identity in this home yet
  | 'KEYSTORE_EXISTS' // register would overwrite an identity
  | 'UNKNOWN_OPERATOR' // an Operator entry name that this home does not know
  | 'NO_HOME' // a command that needs a home set up (`comrad init`) in a directory that has none
  | 'WEAK_PASSPHRASE' // a new passphrase too easy to guess, without --weak-passphrase (CLI-5)
  | 'EMPTY_TEXT' // a letter or post with no text (and no image) (CLI-13)
  | 'TEXT_TOO_LONG' // a letter or post over the LIM-1 text limit, said before anything is sent (CLI-13)
  | 'BAD_KEY' // a key or fingerprint given on the command line that is neither (CLI-13)
  | 'NOT_TRUSTED' // untrust of a comrade who is not in the trusted circle (CIR-5)
  | 'NO_CIRCLE' // a post or profile for the trusted circle before trusting anyone (CIR-7)
  | 'USAGE' // the command line itself is wrong: an unknown command or option, a missing argument (CLI-3)
  | 'BAD_ARGUMENT'; // any other invalid argument

/** A mistake in how the client was called or configured. */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  /**
   * @param code - stable code
   * @param message - one line telling the person what to do instead
   */
  constructor(
    readonly code: UsageErrorCode,
    message: string,
  ) {
    super(message);
  }
}
