// Small file-system helpers shared by the protocol, metadata and report writers.
//
// The files wo writes are small (a status word, a result, a JSON record), so writing is done with
// synchronous calls behind a promise: one system call each, where the promise-based API sends every
// open, write and close through the thread pool and back. Reads stay asynchronous (a slow disk must
// not stop the runner meanwhile) and open only regular files, without waiting (openRegular).
import { constants, mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Writes a file whole: a temporary file beside it, then rename, so readers never see half of it. */
// Synchronous writes on purpose (no interleaving between temporary file and rename); async so that a
// failure reaches the caller as a rejection like every other write.
// eslint-disable-next-line @typescript-eslint/require-await
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    try {
      writeFileSync(tmp, data);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      mkdirSync(dirname(path), { recursive: true }); // the folder is missing: make it, once
      writeFileSync(tmp, data);
    }
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // never written
    }
    throw e;
  }
}

/** True for the errors that mean "nothing is there": the path, or a folder on its way, is missing. */
export function isAbsent(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * A file-system call's result, or undefined when the path is not there (ENOENT, ENOTDIR). Any other
 * error (a permission, a full disk) is rethrown: it is a fault, not an absence.
 */
export function ifExists<T>(p: Promise<T>): Promise<T | undefined> {
  return p.catch((e: unknown) => {
    if (isAbsent(e)) return undefined;
    throw e;
  });
}

/** What a path that is not a regular file is, for messages: `a FIFO`, `a folder`. */
export function fileKind(st: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'a device or other special file';
}

/** Thrown by openRegular for a path that exists but is not a regular file. */
export class NotRegularFile extends Error {
  readonly code = 'ENOTREG';
  constructor(
    readonly path: string,
    readonly kind: string,
  ) {
    super(`${path} is ${kind}, not a regular file`);
  }
}

/**
 * Opens a regular file for reading, never waiting: opening a FIFO without O_NONBLOCK blocks until a
 * writer comes, holding one of libuv's few threads, and then even process.exit waits for it (SPEC §9:
 * nothing hangs). Anything else than a regular file is a NotRegularFile error.
 */
export async function openRegular(path: string): Promise<FileHandle> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const st = await fh.stat().catch(async (e: unknown) => {
    await fh.close();
    throw e;
  });
  if (!st.isFile()) {
    await fh.close();
    throw new NotRegularFile(path, fileKind(st));
  }
  return fh;
}

/**
 * Reads a text file, or undefined when it does not exist. A path that is not a regular file (a FIFO
 * a worker put in place of its status file, a folder) counts as missing: reading it could block.
 */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  let fh: FileHandle;
  try {
    fh = await openRegular(path);
  } catch (e) {
    if (e instanceof NotRegularFile) return undefined;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
    throw e;
  }
  try {
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}
