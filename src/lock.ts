// One `wo run` per repository at a time: a lock file holding the runner's pid. A lock whose process
// is gone (a runner killed with SIGKILL) is taken over, so a dead runner never leaves it stuck.
import { open, readFile, rm, mkdir } from 'node:fs/promises';
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

async function readLock(path: string): Promise<LockInfo | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

export interface RunLock {
  release(): Promise<void>;
  /** The run whose runner died holding the lock (SIGKILL, crash), if this lock was taken over. */
  orphanRunId?: string;
}

/** Takes the lock or throws a SafetyError naming the live run. */
export async function acquireRunLock(path: string, runId: string): Promise<RunLock> {
  await mkdir(dirname(path), { recursive: true });
  const info: LockInfo = { pid: process.pid, run_id: runId, started_at: new Date().toISOString() };
  let orphanRunId: string | undefined;
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(JSON.stringify(info));
      await fh.close();
      return {
        orphanRunId,
        release: async () => {
          const cur = await readLock(path);
          if (cur?.pid === process.pid && cur.run_id === runId) await rm(path, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = await readLock(path);
      if (holder && holder.pid !== process.pid && alive(holder.pid)) {
        throw new SafetyError(
          `another wo run (pid ${holder.pid}, run ${holder.run_id}, started ${holder.started_at}) is live for this repository. Wait for it to finish, or stop it (kill ${holder.pid}); its workers keep running and a new 'wo run' adopts them.`,
        );
      }
      orphanRunId ??= holder?.run_id;
      await rm(path, { force: true }); // stale: its runner is gone
    }
  }
  throw new SafetyError(`could not take the run lock ${path}; remove it if no wo run is live.`);
}
