/**
 * The KEY_CHANGED errors (CT-2, OPS-2): loud, naming both fingerprints, and saying what to do.
 * @module
 */
import { ProtocolError, type PublicKey } from '@comrad/core';

/**
 * The KEY_CHANGED error for a contact, naming both fingerprints and what to do (CT-2).
 * @param name - the contact
 * @param pinned - the key pinned earlier
 * @param offered - the key the Operator gives now
 * @returns the error to throw
 */
export function keyChanged(name: string, pinned: PublicKey, offered: PublicKey): ProtocolError {
  return new ProtocolError(
    'KEY_CHANGED',
    `the Operator now gives a different key for @${name} (pinned ${pinned.fingerprint()}, offered ${offered.fingerprint()}): ` +
      `this may be a man-in-the-middle. Compare fingerprints with @${name} out of band, then accept with ` +
      `\`comrad whois ${name} --accept-new-key\``,
  );
}

/**
 * The KEY_CHANGED error for an Operator, naming both fingerprints (OPS-2).
 * @param entry - the Operator entry
 * @param pinned - the key pinned earlier
 * @param announced - the key the Operator presents now
 * @returns the error to throw
 */
export function operatorKeyChanged(entry: { name: string; url: string }, pinned: PublicKey, announced: PublicKey): ProtocolError {
  return new ProtocolError(
    'KEY_CHANGED',
    `the Operator at ${entry.url} ("${entry.name}") now presents a different key (pinned ${pinned.fingerprint()}, ` +
      `presented ${announced.fingerprint()}): refusing to connect, this may be a man-in-the-middle`,
  );
}
