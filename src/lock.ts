// One `wo run` per repository at a time: a lock file holding the runner's pid. A lock whose process
// is gone (a runner killed with SIGKILL) is taken over, so a dead runner never leaves it stuck.
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SafetyError } from './errors.js';

export interface LockInfo {
  pid: number;
  run_id: string;
  started_at: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock file's text, or undefined when there is none. */
async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The holder a lock names; undefined for a file that is not a lock wo wrote. */
function parseLock(text: string | undefined): LockInfo | undefined {
  try {
    const info = JSON.parse(text ?? '') as LockInfo;
    return typeof info?.pid === 'number' ? info : undefined;
  } catch {
    return undefined;
  }
}

export interface RunLock {
  release(): Promise<void>;
  /** The run whose runner died holding the lock (SIGKILL, crash), if this lock was taken over. */
  orphanRunId?: string;
}

/**
 * Takes the lock or throws a SafetyError naming the live run. Two runners starting at once cannot
 * both take it: the lock appears whole in one step (a hard link to a file already written, which
 * fails when the lock exists). A dead runner's lock is replaced in one step too (a rename over it),
 * by one runner at a time: the one holding the takeover lock beside it.
 */
export async function acquireRunLock(path: string, runId: string): Promise<RunLock> {
  await mkdir(dirname(path), { recursive: true });
  const info: LockInfo = { pid: process.pid, run_id: runId, started_at: new Date().toISOString() };
  const text = JSON.stringify(info);
  const own = `${path}.${process.pid}.${randomUUID()}`;
  const takeover = `${path}.takeover`;
  const taken = (orphanRunId?: string): RunLock => ({
    orphanRunId,
    release: async () => {
      if ((await readText(path)) === text) await rm(path, { force: true });
    },
  });
  await writeFile(own, text);
  try {
    for (let tries = 0; tries < 200; tries++) {
      if (await linked(own, path)) return taken();
      const seen = await readText(path);
      if (seen === undefined) continue; // released meanwhile
      const holder = parseLock(seen);
      if (holder && holder.pid !== process.pid && alive(holder.pid)) {
        throw new SafetyError(
          `another wo run (pid ${holder.pid}, run ${holder.run_id}, started ${holder.started_at}) is live for this repository. Wait for it to finish, or stop it (kill ${holder.pid}); its workers keep running and a new 'wo run' adopts them.`,
        );
      }
      // Stale: its runner is gone. Whoever holds the takeover lock replaces it; the others wait.
      if (await linked(own, takeover)) {
        try {
          if ((await readText(path)) === seen) {
            await rename(own, path);
            return taken(holder?.run_id);
          }
        } finally {
          await rm(takeover, { force: true });
        }
        continue;
      }
      const taker = parseLock(await readText(takeover));
      // A runner killed in the middle of a takeover leaves the takeover lock behind.
      if (taker && !alive(taker.pid)) await rm(takeover, { force: true });
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    await rm(own, { force: true });
  }
  throw new SafetyError(`could not take the run lock ${path}; remove it if no wo run is live.`);
}

/**
 * Hard-links `from` to `to`: false when `to` exists. A file system without hard links (FAT, some
 * network mounts) gets an exclusive copy instead, which another runner may see half written.
 */
async function linked(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
  }
  try {
    await copyFile(from, to, constants.COPYFILE_EXCL);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}
