// What a run needs from the repository itself before anything is created: a first commit, since
// every worktree's branch starts from one (SPEC §1: exit 2 with the fix, nothing created).
import { UsageError } from '../errors.js';
import type { Git } from '../git/git.js';

/** Refuses (exit 2) a repository whose HEAD names no commit yet, naming the fix. */
export async function assertFirstCommit(git: Pick<Git, 'refExists'>, repoRoot: string): Promise<void> {
  if (await git.refExists(repoRoot, 'HEAD')) return;
  throw new UsageError(
    `the repository ${repoRoot} has no commit yet, so a worker's branch has nothing to start from; make a first commit: git commit --allow-empty -m init\nNothing was created.`,
  );
}
