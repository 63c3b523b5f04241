// One `wo run` per repository at a time: a lock file holding the runner's pid, start time and boot.
// A lock whose runner is gone (killed with SIGKILL, a zombie, a pid reused since, a reboot) is taken
// over, so a dead runner never leaves it stuck.
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, lstat, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { uptime } from 'node:os';
import { dirname, join } from 'node:path';
import { SafetyError } from './errors.js';
import { readUntrusted } from './fsutil.js';
import { bootId, processIdentity } from './process/tree.js';

export interface LockInfo {
  pid: number;
  run_id: string;
  started_at: string;
  /** The holder's start time (/proc/PID/stat): a later process given the same pid has another. */
  proc_start?: string;
  /** The boot the holder ran in: after a reboot, every pid in an old lock names someone else. */
  boot_id?: string;
}

function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: there, but another user's; anything else (ESRCH): gone.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the runner a lock names is still there (SPEC §9): not gone, not a zombie, not a process
 * that got its pid later (another start time, another boot), and its lock not older than this boot.
 */
async function alive(holder: LockInfo, lockMtimeMs: number | undefined): Promise<boolean> {
  if (lockMtimeMs !== undefined && lockMtimeMs < Date.now() - uptime() * 1000 - 1000) return false;
  const boot = await bootId();
  if (holder.boot_id && boot && holder.boot_id !== boot) return false;
  const who = await processIdentity(holder.pid);
  if (who === 'unknown') return signalable(holder.pid);
  if (who === undefined || who === 'zombie') return false;
  return holder.proc_start === undefined || holder.proc_start === who.start;
}

/** The most of a lock file that is read: a lock wo wrote is one short JSON line. */
const LOCK_MAX = 65536;

/**
 * The lock file's text, or undefined when there is none. A worker can write `.wo/`: something else
 * in the lock's place (a FIFO, a link, a folder) is never opened to wait on, and reads as empty, a
 * lock no runner holds, which the next run replaces (SPEC §9).
 */
async function readText(path: string): Promise<string | undefined> {
  const t = await readUntrusted(path, { max: LOCK_MAX });
  if (t) return t.text;
  // Nothing there (lstat failed): no lock.
  return (await lstat(path).catch(() => undefined)) ? '' : undefined;
}

/** The holder a lock names; undefined for a file that is not a lock wo wrote. */
function parseLock(text: string | undefined): LockInfo | undefined {
  try {
    const info = JSON.parse(text ?? '') as LockInfo;
    return typeof info?.pid === 'number' ? info : undefined;
  } catch {
    // Not JSON: not a lock wo wrote.
    return undefined;
  }
}

/** The run lock of a repository: `.wo/run.lock`. */
export function runLockPath(repoRoot: string): string {
  return join(repoRoot, '.wo', 'run.lock');
}

/**
 * The id of the run that holds the lock and is live; undefined when there is no lock, or its runner
 * is gone (a dead run's files then say nothing about now).
 */
export async function liveRunId(path: string): Promise<string | undefined> {
  // A lock wo cannot read names no live run: status, logs and clean still work around it.
  const holder = parseLock(await readText(path).catch(() => undefined));
  if (!holder) return undefined;
  const since = await stat(path).then(
    (st) => st.mtimeMs,
    () => undefined,
  );
  return (await alive(holder, since)) ? holder.run_id : undefined;
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
export async function acquireRunLock(
  path: string,
  runId: string,
  /** The refusal when a live holder has it (default: another `wo run` is live). */
  busy: (holder: LockInfo) => string = (holder) =>
    `another wo run (pid ${holder.pid}, run ${holder.run_id}, started ${holder.started_at}) is live for this repository. Wait for it to finish, or stop it (kill ${holder.pid}); its workers keep running and a new 'wo run' adopts them.`,
): Promise<RunLock> {
  await mkdir(dirname(path), { recursive: true });
  const me = await processIdentity(process.pid);
  const boot = await bootId();
  const info: LockInfo = {
    pid: process.pid,
    run_id: runId,
    started_at: new Date().toISOString(),
    ...(typeof me === 'object' && { proc_start: me.start }),
    ...(boot && { boot_id: boot }),
  };
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
      const since = await stat(path).then(
        (st) => st.mtimeMs,
        () => undefined,
      );
      if (holder && holder.pid !== process.pid && (await alive(holder, since))) {
        throw new SafetyError(busy(holder));
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
      if (taker && !(await alive(taker, undefined))) await rm(takeover, { force: true });
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
