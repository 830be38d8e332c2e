/**
 * Private files for the Operator's data directory (KEYS-2): directories 0700, files 0600, replaced
 * atomically (temp file, fsync, rename, fsync the directory), so a crash leaves the old file or the new
 * one and a secret is never readable by others, not even for a moment.
 * @internal
 */
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Creates `dir` (and parents) if needed and makes it 0700; refuses a path that is not a directory. */
export async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await lstat(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory`);
  if ((st.mode & 0o777) !== 0o700) await chmod(dir, 0o700);
}

/** Replaces `path` with `data` atomically and durably, with mode `mode` from the first byte on. */
export async function writePrivateFile(path: string, data: Uint8Array | string, mode = 0o600): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  // 'wx' never follows a planted link nor reuses a stale file; the mode applies at creation.
  const handle = await open(temp, 'wx', mode);
  try {
    try {
      await handle.writeFile(data);
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  const dirHandle = await open(dirname(path), 'r').catch(() => undefined);
  await dirHandle?.sync().catch(() => undefined);
  await dirHandle?.close();
}
