/**
 * ERR-2: what an error message may be. Shared by the tests that collect messages from core's decoders,
 * the Operator's error frames and the CLI's error lines.
 */
import { toHex } from '@comrad/core';

/** The longest message any error carries (OP-3's bound for error frames, applied everywhere). */
export const MAX_MESSAGE_CHARS = 200;

/** A secret a message must never contain: key bytes, a passphrase, letter text. */
export type Secret = Uint8Array | string;

/**
 * Why `message` breaks ERR-2, or undefined when it does not: more than one line (any line break or
 * other control character), longer than `maxChars` code points, or containing a secret: a string
 * secret as is (a tab is no line break), a byte secret as hex (either case), as base64 or base64url, or as Latin-1 or UTF-8 text.
 */
export function messageProblem(message: string, secrets: readonly Secret[] = [], maxChars = MAX_MESSAGE_CHARS): string | undefined {
  if (typeof message !== 'string') return 'not a string';
  if (/[\p{Cc}\u2028\u2029]/u.test(message.replace(/\t/g, ' '))) return `not one line: ${JSON.stringify(message.slice(0, 80))}`;
  const chars = [...message].length;
  if (chars > maxChars) return `${chars} characters, more than ${maxChars}`;
  for (const secret of secrets) {
    for (const form of formsOf(secret)) {
      if (form.length >= 6 && message.toLowerCase().includes(form.toLowerCase())) return `contains a secret (${form.slice(0, 12)}…)`;
    }
  }
  return undefined;
}

function formsOf(secret: Secret): string[] {
  if (typeof secret === 'string') return [secret];
  const b64 = Buffer.from(secret).toString('base64');
  return [toHex(secret), b64, b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), Buffer.from(secret).toString('latin1'), new TextDecoder().decode(secret)].filter(
    (f) => f.length >= 8,
  );
}
