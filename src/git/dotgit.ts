// A worktree's git files as its worker left them (SPEC §9: nothing a worker writes hangs wo). git
// opens a worktree's `.git` pointer and the HEAD, commondir, index and config it leads to without
// O_NONBLOCK: one replaced by a FIFO makes every git call in that worktree wait forever (git 2.39
// refuses a FIFO `.git` itself, but not a FIFO HEAD behind a rewritten pointer). wo looks first.
import { readdirSync, statSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileKind, readUntrustedText } from '../fsutil.js';

/** The most of a `.git` pointer or `commondir` file read: one line of a path. */
const POINTER_MAX = 4096;

/** The files git opens in a linked worktree's own git folder, and in the repository's common one. */
const OWN = ['HEAD', 'commondir', 'index', 'config.worktree', 'gitdir'];
const COMMON = ['HEAD', 'config', 'packed-refs'];

/**
 * What is at `path` if it is there and not a regular file (a FIFO, a device, a folder), else undefined.
 * A stat opens nothing, so it cannot wait on a FIFO. Synchronous: it is asked before every git call,
 * many files at a time, and a thread-pool round trip each cost more than the stats themselves
 * (docs/performance.md, round 3).
 */
function special(path: string): string | undefined {
  // Followed: a link to a FIFO waits as long as the FIFO. Not there (or unreadable): git says so.
  const st = statSync(path, { throwIfNoEntry: false });
  return st && !st.isFile() ? `${path} is ${fileKind(st)}, not a regular file` : undefined;
}

/** The files git opens in each linked worktree's folder when it lists them: HEAD, where it is, its repository. */
const LISTED = ['HEAD', 'gitdir', 'commondir'];

/** The commands wo runs in the main checkout that read every worktree's HEAD (to list them, or to refuse a branch checked out in one). */
const READS_WORKTREES = new Set(['worktree', 'branch', 'checkout', 'switch']);

/** git's subcommand in `args`: the first argument past its global options (`-c name=value`, `-C dir`). */
function subcommand(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-c' || args[i] === '-C') i++;
    else if (!args[i]!.startsWith('-')) return args[i]!;
  }
  return '';
}

/** The first of the linked worktrees' own git files that is not a regular file: a worker can write its own. */
function specialInWorktrees(commonDir: string): string | undefined {
  let names: string[];
  try {
    names = readdirSync(join(commonDir, 'worktrees'));
  } catch {
    return undefined; // no worktrees folder: no linked worktree
  }
  for (const n of names)
    for (const f of LISTED) {
      const why = special(join(commonDir, 'worktrees', n, f));
      if (why) return why;
    }
  return undefined;
}

/**
 * Why git must not be run in `dir` with `args`: a file git would open, in the worktree's git folders
 * (or, for a command that reads every worktree, in any worktree's), is not a regular file, so git
 * would wait on it. The folders are `pinned` when wo gives git its GIT_DIR and GIT_COMMON_DIR (then
 * git never follows the pointer, and neither does this check), else those the `.git` pointer names.
 * Undefined when git can run: `dir` has no `.git` of its own (git finds the repository above), or its
 * files are regular.
 */
export async function unsafeGitFiles(
  dir: string,
  args: readonly string[] = [],
  pinned?: { admin: string; common: string },
): Promise<string | undefined> {
  const dotgit = join(dir, '.git');
  // No .git here: git finds the repository above, or says there is none.
  const st = await lstat(dotgit).catch(() => undefined);
  if (!st) return undefined;
  if (st.isDirectory()) return READS_WORKTREES.has(subcommand(args)) ? specialInWorktrees(dotgit) : undefined;
  if (!st.isFile())
    return `${dotgit} is ${st.isSymbolicLink() ? 'a link' : fileKind(st)}, not git's pointer file`;
  const dirs = pinned ?? (await pointedDirs(dir, dotgit));
  if (!dirs) return undefined; // not a pointer: git says what is wrong with it, without waiting
  for (const name of OWN) {
    const why = special(join(dirs.admin, name));
    if (why) return why;
  }
  for (const name of COMMON) {
    const why = special(join(dirs.common, name));
    if (why) return why;
  }
  return undefined;
}

/** The git folders a worktree's `.git` pointer (and its `commondir`) name, as git would follow them. */
async function pointedDirs(
  dir: string,
  dotgit: string,
): Promise<{ admin: string; common: string } | undefined> {
  const pointer = await readUntrustedText(dotgit, POINTER_MAX);
  const m = /^gitdir:\s*(.+)$/m.exec(pointer ?? '');
  if (!m) return undefined;
  const admin = resolve(dir, m[1]!.trim());
  const common = (await readUntrustedText(join(admin, 'commondir'), POINTER_MAX))?.trim();
  return { admin, common: common ? (isAbsolute(common) ? common : resolve(admin, common)) : admin };
}

/** The message for a worktree git must not run in: what is wrong, and the fix. */
export function unsafeGitMessage(dir: string, why: string): string {
  return `${why}: git would wait on it forever, so wo does not run git in ${dir}. Its worker changed the worktree's git files; remove the worktree (rm -rf ${dir}, then git worktree prune) or restore the file.`;
}
