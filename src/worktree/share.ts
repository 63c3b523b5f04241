// What a new worktree gets from the main checkout besides git's files: `copy` (copy-on-write where the
// file system can) and `link` (symbolic links to the main checkout's own paths). Neither ever writes
// through a symbolic link in the worktree, nor replaces what git checked out there.
import { constants } from 'node:fs';
import { copyFile, lstat, mkdir, readdir, readlink, stat, symlink } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import pLimit from 'p-limit';
import { SafetyError, SetupError } from '../errors.js';
import { overlaps, pathParts, repoPathProblem } from '../paths.js';
import { ifExists } from '../fsutil.js';

/** The one file operation a test replaces, to see the flags a copy asks for. */
export interface ShareIO {
  copyFile(src: string, dest: string, mode: number): Promise<void>;
}

export const diskIO: ShareIO = { copyFile };

/**
 * How every file is copied. FICLONE asks for a reflink (the copy shares the original's blocks until
 * either changes: btrfs, XFS, APFS) and falls back to a plain copy where the file system cannot;
 * FICLONE_FORCE would fail there instead. EXCL never overwrites: not a file git checked out, and
 * not through a symbolic link (the open refuses any path that exists).
 */
export const COPY_MODE = constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL;

/** Files copied at once within one `copy` folder. */
const COPIES_AT_ONCE = 16;

export interface ShareOptions {
  copy?: string[];
  link?: string[];
}

export interface Shared {
  /** Paths (relative to the repository root, in the plan's order) copied into the worktree. */
  copied: string[];
  /** Paths that are now symbolic links to the main checkout. */
  linked: string[];
}

/**
 * Copies `o.copy` and links `o.link` from `repoRoot` into `worktree` (relative paths kept). A path the
 * main checkout lacks is skipped with a line through `log`. Running it again on the same worktree
 * does the missing part only.
 */
export async function share(
  repoRoot: string,
  worktree: string,
  o: ShareOptions,
  log: (line: string) => Promise<void>,
  io: ShareIO = diskIO,
): Promise<Shared> {
  const copies = (o.copy ?? []).map((p) => inside('copy', p));
  const links = (o.link ?? []).map((p) => inside('link', p));
  assertApart(copies, links);
  const shared: Shared = { copied: [], linked: [] };

  for (const { given, rel } of copies) {
    const src = join(repoRoot, rel);
    const kind = await stat(src).catch(() => undefined); // a symbolic link named in the plan is read through
    if (!kind) {
      await log(`[wo] copy: ${given} does not exist in ${repoRoot}; skipped\n`);
      continue;
    }
    const dest = join(worktree, rel);
    await assertNoLinkOnTheWay(worktree, rel, 'copy');
    const kept: string[] = [];
    if (kind.isDirectory()) {
      await copyTree(src, dest, rel, kept, io, pLimit(COPIES_AT_ONCE));
    } else if (kind.isFile()) {
      await mkdir(dirname(dest), { recursive: true });
      await copyOne(src, dest, rel, kept, io);
    } else {
      await log(`[wo] copy: ${given} is not a file or folder; skipped\n`);
      continue;
    }
    if (kept.length)
      await log(
        `[wo] copy: ${kept.join(', ')} already in the worktree (checked out by git); kept as git has ${kept.length === 1 ? 'it' : 'them'}\n`,
      );
    shared.copied.push(rel);
  }

  for (const { given, rel } of links) {
    const src = join(repoRoot, rel);
    if (!(await ifExists(lstat(src)))) {
      await log(`[wo] link: ${given} does not exist in ${repoRoot}; skipped\n`);
      continue;
    }
    const dest = join(worktree, rel);
    await assertNoLinkOnTheWay(worktree, rel, 'link');
    const there = await ifExists(lstat(dest));
    if (there) {
      // Made by an earlier try of this worktree: nothing to do.
      if (there.isSymbolicLink() && (await readlink(dest)) === src) {
        shared.linked.push(rel);
        continue;
      }
      // What git checked out is the branch's content: replaced by a link, it would read as deleted.
      throw new SetupError(
        `link: ${given} is already in the new worktree ${worktree} (git checked it out: the branch tracks it), and wo never replaces it with a link. Take ${given} out of link: (copy: gives the worker its own copy), or stop tracking it (git rm -r --cached ${given}, and list it in .gitignore).`,
      );
    }
    await mkdir(dirname(dest), { recursive: true });
    await symlink(src, dest);
    shared.linked.push(rel);
  }
  return shared;
}

/** The path relative to the repository root, refusing one outside it, the root itself, or git's own folder. */
function inside(key: 'copy' | 'link', given: string): { given: string; rel: string } {
  const problem = repoPathProblem(given);
  if (problem === 'outside')
    throw new SafetyError(`${key}: ${given} is outside the repository. List paths inside it.`);
  if (problem)
    throw new SafetyError(
      `${key}: ${given} is ${problem === 'whole' ? 'the whole repository' : "git's own folder"}: a worktree has its own. List the files or folders the worker needs.`,
    );
  return { given, rel: pathParts(given).join(sep) };
}

/**
 * The same path both copied and linked, or one inside the other, has no sensible meaning: the copy
 * would be written into the main checkout through the link.
 */
function assertApart(copies: Array<{ rel: string }>, links: Array<{ rel: string }>): void {
  links.forEach((l, i) => {
    const other =
      copies.find((c) => overlaps(c.rel, l.rel)) ?? links.find((o, j) => j !== i && overlaps(o.rel, l.rel));
    if (other)
      throw new SafetyError(
        `link: ${l.rel} and ${copies.includes(other) ? 'copy' : 'link'}: ${other.rel} name the same files (one is inside the other). Keep one of them.`,
      );
  });
}

/**
 * Refuses a path whose folders in the worktree include a symbolic link (one git checked out, say):
 * what wo writes there would land wherever the link points.
 */
async function assertNoLinkOnTheWay(worktree: string, rel: string, key: 'copy' | 'link'): Promise<void> {
  const parts = rel.split(sep).slice(0, -1);
  for (let i = 1; i <= parts.length; i++) {
    const at = parts.slice(0, i).join(sep);
    const s = await ifExists(lstat(join(worktree, at)));
    if (!s) return; // missing from here down: wo makes these folders itself
    if (s.isSymbolicLink() || !s.isDirectory())
      throw new SetupError(
        `${key}: ${rel} cannot be put in the worktree: ${at} there is ${s.isSymbolicLink() ? 'a symbolic link' : 'a file'} (checked out by git), and wo never writes through it. Take ${rel} out of ${key}:.`,
      );
  }
}

async function copyOne(src: string, dest: string, rel: string, kept: string[], io: ShareIO): Promise<void> {
  try {
    await io.copyFile(src, dest, COPY_MODE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    kept.push(rel);
  }
}

/**
 * Copies a folder: files copy-on-write, symbolic links as links with the same target (never
 * followed), folders merged into what git checked out (nothing of git's is replaced). Sockets, FIFOs
 * and devices are left out.
 */
async function copyTree(
  src: string,
  dest: string,
  rel: string,
  kept: string[],
  io: ShareIO,
  limit: ReturnType<typeof pLimit>,
): Promise<void> {
  const there = await ifExists(lstat(dest));
  if (there && !there.isDirectory()) {
    kept.push(rel); // git has a file or a symbolic link there
    return;
  }
  if (!there) await mkdir(dest, { recursive: true, mode: (await stat(src)).mode & 0o7777 });
  const entries = await readdir(src, { withFileTypes: true });
  await Promise.all(
    entries.map(async (e) => {
      const [s, d, r] = [join(src, e.name), join(dest, e.name), join(rel, e.name)];
      if (e.isDirectory()) return copyTree(s, d, r, kept, io, limit);
      if (e.isFile()) return limit(() => copyOne(s, d, r, kept, io));
      if (!e.isSymbolicLink()) return;
      return limit(async () => {
        try {
          await symlink(await readlink(s), d);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
          kept.push(r);
        }
      });
    }),
  );
}
