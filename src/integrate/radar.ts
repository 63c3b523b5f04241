// The conflict radar (SPEC §10): as each worker ends done with commits, its branch's merge with every
// other done worker's is predicted with `git merge-tree --write-tree`, which touches no worktree, so a
// collision is known before anything is merged. git 2.38 or newer; older, the radar is off.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Git } from '../git/git.js';
import { readTextIfExists } from '../fsutil.js';
import type { PredictedConflict } from '../report/types.js';

/** The first git whose merge-tree has --write-tree. */
export const RADAR_GIT = { major: 2, minor: 38 };

export const radarUsable = (v: { major: number; minor: number }): boolean =>
  v.major > RADAR_GIT.major || (v.major === RADAR_GIT.major && v.minor >= RADAR_GIT.minor);

/**
 * The files a merge of branches `a` and `b` would leave conflicted: empty when it merges cleanly.
 * undefined when git could not say (an unknown branch, an old git).
 */
export async function predictConflict(
  git: Git,
  repo: string,
  a: string,
  b: string,
): Promise<string[] | undefined> {
  const r = await git.run(
    repo,
    ['merge-tree', '--write-tree', '--name-only', '--no-messages', `refs/heads/${a}`, `refs/heads/${b}`],
    false,
  );
  if (r.exitCode === 0) return [];
  if (r.exitCode !== 1) return undefined;
  // The tree's id, then one conflicted file per line.
  return [...new Set(r.stdout.split('\n').slice(1).filter(Boolean))];
}

/** The radar of one run: the done workers seen so far, and what their merges would conflict in. */
export class Radar {
  private readonly done: Array<{ feature: string; branch: string }> = [];
  readonly found: PredictedConflict[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly git: Git,
    private readonly repo: string,
    private readonly onFound: (c: PredictedConflict) => void | Promise<void>,
  ) {}

  /** A worker done before this run (compared with, never announced on its own). */
  know(feature: string, branch: string): void {
    this.done.push({ feature, branch });
  }

  /**
   * A worker that just ended done: when `hasCommits` says so, compared with every other done worker,
   * in turn. Queued at once, so that idle() waits for it.
   */
  add(
    feature: string,
    branch: string,
    hasCommits: () => Promise<boolean> = () => Promise.resolve(true),
  ): Promise<void> {
    this.queue = this.queue.then(async () => {
      // The radar is a warning, never a failure: a branch git cannot read is not compared.
      if (!(await hasCommits().catch(() => false))) return;
      for (const other of [...this.done]) {
        // A prediction git cannot make is no prediction: the integration itself will say.
        const files = await predictConflict(this.git, this.repo, other.branch, branch).catch(() => undefined);
        if (!files?.length) continue;
        const c = { feature, with: other.feature, files };
        this.found.push(c);
        await this.onFound(c);
      }
      this.done.push({ feature, branch });
    });
    return this.queue;
  }

  /** Waits for every comparison asked for so far. */
  idle(): Promise<void> {
    return this.queue;
  }
}

/** Where `wo status` reads the latest run's predictions (written whole, as they come). */
export const radarFile = (repoRoot: string): string => join(repoRoot, '.wo', 'radar.json');

export async function writeRadar(repoRoot: string, runId: string, found: PredictedConflict[]): Promise<void> {
  const file = radarFile(repoRoot);
  await mkdir(join(repoRoot, '.wo'), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ run_id: runId, predicted_conflicts: found }, null, 2)}\n`);
  await rename(tmp, file);
}

export async function readRadar(repoRoot: string): Promise<PredictedConflict[]> {
  try {
    const text = await readTextIfExists(radarFile(repoRoot));
    const v = text === undefined ? undefined : (JSON.parse(text) as { predicted_conflicts?: unknown });
    return Array.isArray(v?.predicted_conflicts) ? (v.predicted_conflicts as PredictedConflict[]) : [];
  } catch {
    // A radar file cut short or unreadable: wo status shows no predictions rather than failing.
    return [];
  }
}
