// The repository root: the nearest folder upward holding a `.git` entry (a folder, or a file in a worktree).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The nearest folder at or above `from` that holds `.git`, or undefined. Runs no git process. */
export function findRepoRoot(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Folders from `from` up to `stopAt` (inclusive), or up to the filesystem root when `stopAt` is not above. */
export function foldersUpward(from: string, stopAt?: string): string[] {
  const out: string[] = [];
  let dir = resolve(from);
  const stop = stopAt === undefined ? undefined : resolve(stopAt);
  for (;;) {
    out.push(dir);
    const parent = dirname(dir);
    if (dir === stop || parent === dir) return out;
    dir = parent;
  }
}
