/**
 * One sealed, versioned map file in the home (statements.cell, collectives.cell): read bounded on the
 * open file (MAIL-4, `readFileBounded`), opened with its file key, decoded, its version checked.
 * @internal
 */
import { hkdfSync } from 'node:crypto';
import { ProtocolError, SymmetricKey, cellOpen, decode, utf8, type PrivateKey } from '@comrad/core';
import { Fields } from '@comrad/core/codec';
import { readFileBounded } from '@comrad/core/node';

/**
 * The map under `field` in the version-1 cell at `path`, or undefined when there is no file yet.
 * @throws ProtocolError TOO_LARGE, UNSUPPORTED_VERSION, MALFORMED; a wrong key fails to open the cell
 */
export async function readSealedCellMap(
  path: string,
  key: SymmetricKey,
  context: Uint8Array,
  maxBytes: number,
  label: string,
  field: string,
): Promise<object | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await readFileBounded(path, maxBytes);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const f = Fields.of(decode(cellOpen(key, bytes, context), maxBytes), `${label} file`, ['v', field]);
  if (f.int('v') !== 1) throw new ProtocolError('UNSUPPORTED_VERSION', `${label}.cell has another version`);
  const raw = f.raw(field);
  if (typeof raw !== 'object' || raw === null) throw new ProtocolError('MALFORMED', `${label}.cell is damaged`);
  return raw;
}

/**
 * The key of one sealed file of the home: HKDF-SHA-256 of the identity private key with the file's label
 * (as MAIL-1), so the file opens only with the unlocked keystore and no second secret is kept.
 */
export function homeFileKey(identityKey: PrivateKey, label: string): SymmetricKey {
  const secret = identityKey.bytes();
  const derived = new Uint8Array(hkdfSync('sha256', secret, utf8('comrad/local-storage/v1'), utf8(label), 32));
  try {
    return SymmetricKey.from(derived);
  } finally {
    secret.fill(0);
    derived.fill(0);
  }
}
