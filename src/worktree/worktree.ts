// A worker's worktree: adopt the one at the right place, or create it (then copy, link, setup).
import { readdir, stat, appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import { Git, optionLike } from '../git/git.js';
import type { Runner } from '../process/run.js';
import { EnvError, SafetyError, SetupError, UsageError } from '../errors.js';
import { readMeta, updateMeta } from '../protocol/metadata.js';
import { EXCLUDE_PATTERNS, FILES, outputBlock, writeResult, writeStatus } from '../protocol/protocol.js';
import { type WorkerLocation } from './layout.js';
import { isInside } from '../paths.js';
import { isAbsent } from '../fsutil.js';
import { share, type Shared } from './share.js';
import type { Tmux } from '../tmux/tmux.js';

export interface EnsureOptions {
  base?: string;
  copy?: string[];
  /** Paths shared from the main checkout as symbolic links (`link`). */
  link?: string[];
  setup?: string[];
  /** Folders a new worktree checks out (git's cone mode); empty or absent: the whole tree. */
  sparse?: readonly string[];
  /** Environment for setup commands. */
  env?: NodeJS.ProcessEnv;
  /**
   * Ends a setup command under way, with every process it started (the worker's timeout, the run's
   * cancel); its reason, a string, goes into the result file.
   */
  signal?: AbortSignal;
}

async function exists(path: string): Promise<'dir' | 'other' | undefined> {
  try {
    return (await stat(path)).isDirectory() ? 'dir' : 'other';
  } catch (e) {
    if (isAbsent(e)) return undefined;
    throw e; // not an absence (a permission, a link loop): creating over it would fail less clearly
  }
}

/**
 * Refuses, before anything is created, workers whose new branch would start from a base that git
 * does not know or would read as an option (exit 2). A base that is the branch of a worker in
 * `planned` counts as known: the run creates it first.
 */
export async function assertBases(
  git: Git,
  repoRoot: string,
  workers: Array<{ loc: WorkerLocation; base?: string }>,
  planned: ReadonlySet<string> = new Set(),
): Promise<void> {
  const problems = await Promise.all(
    workers.map(async ({ loc, base }) => {
      if (base === undefined || planned.has(base)) return undefined;
      if (optionLike(base))
        return `${loc.feature}: base "${base}" starts with "-", which git would read as an option`;
      if ((await exists(loc.worktree)) || (await git.branchExists(repoRoot, loc.branch))) return undefined;
      if (await git.refExists(repoRoot, base)) return undefined;
      return `${loc.feature}: base "${base}" is not a branch, tag or commit in ${repoRoot}`;
    }),
  );
  const found = problems.filter((p): p is string => p !== undefined);
  if (found.length)
    throw new UsageError(
      `${found.join('\n')}\nFix the base (or create that ref first); nothing was created.`,
    );
}

/**
 * Refuses (exit 2, nothing created) workers whose tmux session name is taken by a session that is
 * not this repository's: another repository's worker, or something wo did not start (SPEC §1).
 */
export async function assertOwnSessions(
  tmux: Pick<Tmux, 'allSessions' | 'isOwn'>,
  locs: WorkerLocation[],
): Promise<void> {
  const all = await tmux.allSessions();
  const problems = locs.flatMap((loc) => {
    const s = all.find((x) => x.name === loc.session);
    if (!s || tmux.isOwn(s)) return [];
    const whose = s.owner ? `the worktree ${s.owner}` : 'a program wo did not start';
    return [`${loc.feature}: tmux session ${loc.session} already exists and belongs to ${whose}`];
  });
  if (problems.length)
    throw new SafetyError(
      `${problems.join('\n')}\nwo never touches a session that is not this repository's. Give this repository its own session names (tmux.prefix in its .worc.yaml, e.g. "prefix: ${basename(resolve(locs[0]!.stateDir, '../../..'))}-") or its own tmux server (tmux.socket, or WO_TMUX_SOCKET). Nothing was started.`,
    );
}

/** Whether `path` is a registered worktree of the repository. */
export async function isWorktreeOf(git: Git, repoRoot: string, path: string): Promise<boolean> {
  return git.isWorktree(repoRoot, path);
}

/**
 * Makes sure the worker's worktree exists. Returns true when it was created now (then `copy` and
 * `setup` ran). An existing worktree at the right place is adopted as it is.
 */
export async function ensureWorktree(
  git: Git,
  runner: Runner,
  repoRoot: string,
  loc: WorkerLocation,
  o: EnsureOptions,
): Promise<boolean> {
  const created = await createWorktree(git, repoRoot, loc, o.base, o.sparse);
  await provisionWorktree(git, runner, repoRoot, loc, o, created);
  return created;
}

/**
 * The git half of ensureWorktree: creates the worktree, or adopts the one at the right place.
 * Returns true when it was created now. Cheap enough to run ahead of the worker's turn.
 *
 * Created in two steps (Git.registerWorktree, then its checkout), so that many can be created at
 * once without git's locks in the way; a small tree in one (see Git.smallTree). A checkout that
 * failed or was cut short leaves a worktree that wo marked `checkout_ok: false`; the next run
 * finishes it (see unfinishedCheckout).
 */
export async function createWorktree(
  git: Git,
  repoRoot: string,
  loc: WorkerLocation,
  base?: string,
  sparse: readonly string[] = [],
): Promise<boolean> {
  // The main checkout is never a worker's (`worktrees.dir: ..` and a feature named like the repository).
  if (isInside(repoRoot, loc.worktree) || isInside(loc.worktree, repoRoot))
    throw new SafetyError(
      `worker ${loc.feature}'s worktree ${loc.worktree} would be the repository's main checkout ${repoRoot} or hold it. Rename the worker, or set worktrees.dir to a folder of its own (default ../{repo}-worktrees).`,
    );
  await git.addExcludes(repoRoot, [...EXCLUDE_PATTERNS, '/.wo/']);
  const kind = await exists(loc.worktree);
  if (kind) {
    if (kind === 'dir' && (await isWorktreeOf(git, repoRoot, loc.worktree))) {
      if (!(await unfinishedCheckout(git, loc))) return false;
      // Its checkout never completed, so no agent ever ran in it: this is still its creation.
      if (sparse.length) await git.setSparse(loc.worktree, sparse);
      await markCheckout(loc);
      await updateMeta(loc.worktree, { feature: loc.feature, created_by: 'wo', checkout_ok: false });
      await checkout(git, loc);
      return true;
    }
    throw new SafetyError(
      `${loc.worktree} already exists and is not a worktree of ${repoRoot}. Move it away, or set worktrees.dir to another folder.`,
    );
  }
  // A small tree is checked out as the worktree is registered: one git call, and no mark (the folder
  // must be new to git). Cut short before its first file, it is found by unfinishedCheckout; in the
  // middle of its few hundred files, it is adopted as git left it, as before the two steps.
  if (sparse.length === 0 && (await git.smallTree(repoRoot))) {
    await git.registerWorktree(repoRoot, loc.worktree, loc.branch, base, [], true);
    await updateMeta(loc.worktree, { feature: loc.feature, created_by: 'wo' });
    return true;
  }
  await markCheckout(loc);
  await git.registerWorktree(repoRoot, loc.worktree, loc.branch, base, sparse);
  await updateMeta(loc.worktree, { feature: loc.feature, created_by: 'wo', checkout_ok: false });
  await checkout(git, loc);
  return true;
}

async function checkout(git: Git, loc: WorkerLocation): Promise<void> {
  try {
    await git.checkoutWorktree(loc.worktree);
  } catch (e) {
    throw new EnvError(
      `the checkout of ${loc.worktree} failed: ${(e as Error).message}\nFix that (a full disk?) and run wo again: it finishes the checkout. Or remove the worktree: git worktree remove --force ${loc.worktree}`,
      { cause: e },
    );
  }
  await updateMeta(loc.worktree, { checkout_ok: true });
  await rm(checkoutMark(loc), { force: true });
}

/**
 * wo's own mark of a checkout under way, in its state folder: `checkout_ok` in `.worktree.json` is
 * only a note for people, since the agent can rewrite that file, and a forged `false` would have the
 * next run check out (`reset --hard`) over its uncommitted work (SPEC §9). A start empties the state
 * folder, so no mark outlives the checkout before an agent's start.
 */
export const checkoutMark = (loc: Pick<WorkerLocation, 'stateDir'>): string =>
  join(loc.stateDir, 'checkout-pending');

async function markCheckout(loc: WorkerLocation): Promise<void> {
  await mkdir(loc.stateDir, { recursive: true });
  await writeFile(checkoutMark(loc), '');
}

/**
 * Whether a registered worktree never got its files: wo created it and its checkout did not complete
 * (wo's mark in its state folder, see checkoutMark), or the folder holds only `.git` and no index
 * (cut short before wo wrote anything). Either way nothing in it can be anyone's work, so its
 * checkout is finished. Any other worktree is adopted as it is.
 */
async function unfinishedCheckout(git: Git, loc: WorkerLocation): Promise<boolean> {
  const worktree = loc.worktree;
  if (
    await stat(checkoutMark(loc)).then(
      () => true,
      () => false,
    )
  )
    return true;
  // A worktree wo cannot list is not taken for a half-made checkout (adopted as it is).
  const entries = await readdir(worktree).catch(() => undefined);
  return entries?.length === 1 && entries[0] === '.git' && !(await git.hasIndex(worktree));
}

/**
 * The second half: in a worktree created now, copy and link from the main checkout, then run setup;
 * in an adopted one, do again what failed before (copy and link, or setup).
 */
export async function provisionWorktree(
  git: Git,
  runner: Runner,
  repoRoot: string,
  loc: WorkerLocation,
  o: EnsureOptions,
  created: boolean,
): Promise<void> {
  if (!created) {
    if (!o.setup?.length && !o.copy?.length && !o.link?.length) return;
    const meta = await readMeta(loc.worktree);
    // share_ok false: copy or link failed, so the agent never started here; anything else: adopted as it is.
    if (meta.share_ok !== false) {
      if (o.setup?.length && meta.setup_ok === false) await runSetup(runner, loc, o);
      return;
    }
  }
  const log = (line: string) => appendFile(join(loc.worktree, FILES.log), line);
  let shared: Shared;
  try {
    shared = await share(repoRoot, loc.worktree, o, log);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    await updateMeta(loc.worktree, { share_ok: false });
    await writeResult(loc.worktree, `Could not prepare the worktree: ${why}\n`);
    await writeStatus(loc.worktree, 'failed');
    throw e;
  }
  const { copied, linked } = shared;
  // A copied file (a secret such as .env) and a link are kept out of git, so that no agent's
  // `git add -A` commits them (SPEC §1). The pattern has no trailing slash: git sees a link as a file.
  if (copied.length) await git.addExcludes(repoRoot, copied.map(excludePattern), COPY_EXCLUDE_NOTE);
  if (linked.length) await git.addExcludes(repoRoot, linked.map(excludePattern), LINK_EXCLUDE_NOTE);
  if (linked.length || !created) await updateMeta(loc.worktree, { wo_links: linked, share_ok: true });

  await runSetup(runner, loc, o);
  // What copy and setup left that git ignores (node_modules, .env) is wo's doing: `wo clean` does not
  // count it as the agent's work. Anything else ignored found later is (SPEC §9 no data loss). Links
  // alone need no look: `wo_links` names them.
  if (copied.length || o.setup?.length)
    await updateMeta(loc.worktree, { wo_files: await git.ignored(loc.worktree) });
}

const COPY_EXCLUDE_NOTE = '# wo: files copied into worktrees (copy:), never to be committed there';
const LINK_EXCLUDE_NOTE =
  '# wo: symbolic links to the main checkout in worktrees (link:), never to be committed there';

/** An info/exclude pattern matching exactly this path from the worktree's root. */
function excludePattern(rel: string): string {
  return `/${rel
    .split(sep)
    .join('/')
    .replace(/[\\*?[\]!#]/g, (c) => `\\${c}`)}`;
}

async function runSetup(runner: Runner, loc: WorkerLocation, o: EnsureOptions): Promise<void> {
  if (!o.setup?.length) return;
  await updateMeta(loc.worktree, { setup_ok: false });
  for (const cmd of o.setup) {
    // `setup` is the plan author's own shell command, so sh runs it; task text never gets here.
    const r = await runner.run('sh', ['-c', cmd], {
      cwd: loc.worktree,
      env: o.env,
      reject: false,
      signal: o.signal,
    });
    const output = `${r.stdout}${r.stderr}`;
    await appendFile(join(loc.worktree, FILES.log), `[wo] setup: ${cmd}\n${output}`);
    if (r.aborted) {
      // Not the command's failure: setup_ok stays false, so the next run sets the worktree up again.
      const why = String(o.signal?.reason ?? 'cancelled');
      await writeResult(loc.worktree, `Setup \`${cmd}\` was ended: ${why}.\n\n${outputBlock(output)}\n`);
      await writeStatus(loc.worktree, 'failed');
      throw new SetupError(`setup "${cmd}" was ended: ${why}`);
    }
    if (r.exitCode !== 0) {
      await writeResult(
        loc.worktree,
        `Setup failed: \`${cmd}\` exited with code ${r.exitCode}.\n\n${outputBlock(output)}\n`,
      );
      await writeStatus(loc.worktree, 'failed');
      throw new SetupError(`setup "${cmd}" failed (exit ${r.exitCode})`);
    }
  }
  await updateMeta(loc.worktree, { setup_ok: true });
}
