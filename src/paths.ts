// Path safety, decided once: whether a path stays inside a folder, and what a plan's copy, link or
// sparse entry may name. The plan's validation, a worktree's copy and link, the layout's checks and
// the messages' file names all ask here, so no two of them can disagree about what is "inside".
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';

/** `to` relative to `from` when it is `from` itself ('') or inside it; undefined when outside. */
export function relativeInside(from: string, to: string): string | undefined {
  const rel = relative(from, to);
  // `..foo` is a name inside; only `..` as a whole first part leaves the folder.
  return rel === '..' || /^\.\.[\\/]/.test(rel) || isAbsolute(rel) ? undefined : rel;
}

/** The real path of `p`: its longest existing part resolved through symbolic links, the rest as written. */
function realish(p: string): string {
  const abs = resolve(p);
  const parent = dirname(abs);
  try {
    return realpathSync(abs);
  } catch {
    // Not there (yet): its parent decides, the rest is taken as written.
    return parent === abs ? abs : join(realish(parent), basename(abs));
  }
}

/** Whether `child` is `parent` or inside it (symbolic links followed where the path exists). */
export function isInside(child: string, parent: string): boolean {
  return relativeInside(realish(parent), realish(child)) !== undefined;
}

/** A repository path's parts as written, either separator, without empty and `.` parts. */
export function pathParts(p: string): string[] {
  return p.split(/[\\/]/).filter((x) => x !== '' && x !== '.');
}

/** Why a copy/link/sparse entry names nothing a worker may be given, or undefined when it is fine. */
export type RepoPathProblem = 'outside' | 'whole' | 'git';

/**
 * The one rule for a path a plan shares into a worktree: relative, never climbing with `..`, not
 * the whole repository, and not git's own folder (a worktree has its own).
 */
export function repoPathProblem(p: string): RepoPathProblem | undefined {
  const parts = pathParts(p);
  if (p === '' || p.startsWith('/') || /^[A-Za-z]:/.test(p) || parts.includes('..')) return 'outside';
  if (parts.length === 0) return 'whole';
  if (parts[0] === '.git') return 'git';
  return undefined;
}

/** Whether two repository paths name some of the same files: equal, or one inside the other. */
export function overlaps(a: string, b: string): boolean {
  const x = pathParts(a).join('/');
  const y = pathParts(b).join('/');
  return x === y || x.startsWith(`${y}/`) || y.startsWith(`${x}/`);
}
