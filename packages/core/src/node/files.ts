/**
 * Private files on Node (KS-4, KEYS-2), shared by the Operator and the Node client. Atomic file replacement: write a temporary file next to the target, flush it to disk, rename it
 * over the target, flush the directory. A crash at any point leaves either the old file or the new one,
 * never a mix, and the file is never readable by anyone but its owner, not even for a moment.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ProtocolError } from '../errors.js';

/** Options of {@link atomicWrite}. */
export interface AtomicWriteOptions {
  /** File mode of the new file; defaults to 0600 (owner read/write only). */
  mode?: number;
}

/**
 * Replaces the file at `path` with `data`, atomically and durably.
 * @param path - the target file (its directory must exist)
 * @param data - the new content
 * @param options - the file mode (default 0600)
 * @example `await atomicWrite(paths.keystore, bytes)`
 */
export async function atomicWrite(path: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o600;
  const temp = tempPathFor(path);
  // 'wx': never follow or reuse an existing file (a planted link or a stale temp); the mode applies at
  // creation, so the secret is never in a file with wider permissions.
  const handle = await open(temp, 'wx', mode);
  try {
    try {
      await handle.writeFile(data);
      // The umask may have narrowed the mode; it can never widen it, but make the mode exact anyway.
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
  await syncDirectory(dirname(path));
}

/**
 * The temporary name {@link atomicWrite} uses for `path`: `<path>.tmp-<16 hex digits>`, in the same
 * directory so the rename stays on one file system.
 */
export function tempPathFor(path: string): string {
  return join(dirname(path), `${basename(path)}.tmp-${randomBytes(8).toString('hex')}`);
}

/** Makes the rename itself durable. Some platforms (Windows) cannot open a directory: skip there. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch {
    return;
  }
  try {
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw err;
  } finally {
    await handle.close();
  }
}

/**
 * Creates `dir` (and parents) if needed and makes it 0700 (owner only). Refuses a path that is not a
 * directory or that belongs to another user (a planted directory could be read by its owner).
 * @throws Error naming the path and the cause
 * @example `await privateDir(home)`
 */
export async function privateDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new Error(`cannot create directory ${dir}: ${(err as Error).message}`, { cause: err });
  }
  const st = await lstat(dir);
  if (!st.isDirectory()) throw new Error(`${dir} exists but is not a directory`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new Error(`${dir} is owned by uid ${st.uid}, not by this user (uid ${uid}): chown it or choose another directory`);
  }
  if ((st.mode & 0o777) !== 0o700) {
    try {
      await chmod(dir, 0o700);
    } catch (err) {
      throw new Error(`cannot set mode 0700 on ${dir}: ${(err as Error).message}`, { cause: err });
    }
  }
}

/**
 * Reads a file only if it holds at most `maxBytes` (MAIL-4): its size is looked at on the open file before
 * a byte is read, so a huge or sparse file planted in the home costs nothing, and a file that grows while
 * it is read is refused too.
 * @param path - the file
 * @param maxBytes - the most it may hold
 * @returns its bytes
 * @throws ProtocolError TOO_LARGE; the file system's error (ENOENT, …) as is
 */
export async function readFileBounded(path: string, maxBytes: number): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    if (size > maxBytes) throw new ProtocolError('TOO_LARGE', `${basename(path)} is larger than ${maxBytes} bytes`);
    // One byte more than announced shows a file that grew since.
    const buf = new Uint8Array(size + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > size) throw new ProtocolError('TOO_LARGE', `${basename(path)} grew while it was read`);
    }
    return buf.subarray(0, n);
  } finally {
    await fh.close();
  }
}
