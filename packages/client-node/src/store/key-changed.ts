/**
 * The KEY_CHANGED errors (CT-2, CT-4, OPS-2): loud, naming both fingerprints, and saying what to do.
 * @module
 */
import { ProtocolError, type PublicKey } from '@comrad/core';

/**
 * The KEY_CHANGED error for a contact, naming both fingerprints, the evidence kept, and the deliberate
 * way to accept (CT-2..CT-4).
 * @param name - the contact
 * @param pinned - the key pinned earlier
 * @param offered - the key the Operator gives now
 * @returns the error to throw
 */
export function keyChanged(name: string, pinned: PublicKey, offered: PublicKey): ProtocolError {
  return new ProtocolError(
    'KEY_CHANGED',
    `the Operator now gives a different key for @${name} (pinned ${pinned.fingerprint()}, offered ${offered.fingerprint()}). ` +
      `Names are permanent, so this should never happen: the Operator lost or rewrote its registry, or someone ` +
      `is impersonating @${name} (a man-in-the-middle). Both Operator-signed statements are kept as evidence in ` +
      `this home (\`comrad --json whois ${name}\` shows them). Only if @${name} confirms the new fingerprint in ` +
      `person: \`comrad whois ${name} --accept-new-key <the new fingerprint, in full>\``,
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
