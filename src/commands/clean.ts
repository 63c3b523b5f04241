// wo clean [feature]: remove finished workers' worktrees, sessions and state. Only worktrees wo
// created; every selected worker is checked before anything is removed; results are saved first.
import { lstat, realpath, rm, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import type { Context } from '../context.js';
import { SafetyError } from '../errors.js';
import type { Workspace } from '../workspace.js';
import { assertFeatureName, findWorkers, unknownWorker, type WorkerView } from '../worker/inspect.js';
import { readResult } from '../protocol/protocol.js';
import { saveResult } from '../protocol/saved.js';
import { ifExists } from '../fsutil.js';
import { openCommandWorkspace } from './settings.js';

export interface CleanOptions {
  force?: boolean;
}

interface Removal {
  v: WorkerView;
  /** Remove the worktree too (false: only a session and state are left of this worker). */
  worktree: boolean;
  dirty: string[];
  /** Ignored files the agent made (wo's protocol files and what copy/setup left are not counted). */
  ignored: string[];
  unmerged: string[];
}

/** wo's own files in a worktree: the protocol files and the temporary files they are written through. */
const WO_FILE = /^\.{1,2}(worker[-.]|worktree\.json)/;

/** The symbolic links to the main checkout that wo made in the worktree (`link`). */
function woLinks(v: WorkerView): string[] {
  const links = v.meta.wo_links;
  // Only paths inside the worktree: the file is the worktree's own, and anything could have written it.
  const ok = (p: unknown): p is string =>
    typeof p === 'string' && p !== '' && !isAbsolute(p) && !p.split(/[\\/]/).includes('..');
  return Array.isArray(links) ? links.filter(ok) : [];
}

/** Ignored files and folders in the worktree that wo did not put there (SPEC §9: no data loss). */
async function agentIgnored(ws: Workspace, v: WorkerView): Promise<string[]> {
  const mine = new Set([
    ...(Array.isArray(v.meta.wo_files) ? (v.meta.wo_files as unknown[]) : []),
    ...woLinks(v),
  ]);
  return (await ws.git.ignored(v.loc.worktree)).filter((p) => !WO_FILE.test(p) && !mine.has(p));
}

/**
 * Removes wo's links before the worktree goes, so that nothing that removes folders ever sees them,
 * let alone follows them into the main checkout. Only what is still a symbolic link: an agent that
 * put a folder of its own there made work, counted as such.
 */
async function unlinkShared(v: WorkerView): Promise<void> {
  const root = await realpath(v.loc.worktree);
  for (const rel of woLinks(v)) {
    const path = join(v.loc.worktree, rel);
    // Its folder must still be the worktree's own, not reached through a link an agent made.
    const folder = await realpath(dirname(path)).catch(() => undefined);
    if (folder !== join(root, dirname(rel))) continue;
    if ((await ifExists(lstat(path)))?.isSymbolicLink()) await unlink(path);
  }
}

/** `N things (a, b, c, …)`. */
function some(n: number, what: string, items: string[]): string {
  const list = items.slice(0, 3).join(', ') + (items.length > 3 ? ', …' : '');
  return `${n} ${what}${n === 1 ? '' : 's'} (${list})`;
}

export async function cleanCommand(ctx: Context, feature: string | undefined, opts: CleanOptions = {}) {
  if (feature !== undefined) assertFeatureName(feature);
  const ws = await openCommandWorkspace(ctx, { tmux: true });
  return cleanWorkers(ctx, ws, feature, opts);
}

/**
 * Commits of the worktree's branch (or detached HEAD) that no other branch, remote branch or tag
 * holds: a branch's decide whether it is deleted; a detached HEAD's refuse the clean.
 */
async function unmergedOf(ws: Workspace, v: WorkerView): Promise<string[]> {
  if (v.branch) return ws.git.unmergedCommits(ws.repoRoot, v.branch);
  const r = await ws.git.run(v.loc.worktree, [
    'rev-list',
    '--oneline',
    'HEAD',
    '--not',
    '--branches',
    '--remotes',
    '--tags',
  ]);
  return r.stdout.split('\n').filter(Boolean);
}

export async function cleanWorkers(
  ctx: Context,
  ws: Workspace,
  feature: string | undefined,
  opts: CleanOptions,
): Promise<number> {
  const views = await findWorkers(ws, { feature, includeCreated: true });
  if (feature !== undefined && views.length === 0) throw await unknownWorker(ws, feature);
  const show = (p: string) => relative(ctx.cwd, p) || '.';

  // First pass: decide for every selected worker; nothing is changed yet.
  const removals: Removal[] = [];
  const skipped: string[] = [];
  const problems: string[] = [];
  for (const v of views) {
    if (v.status === 'running') {
      const why = `${v.feature}: still running; end it first with 'wo kill ${v.feature} --force'`;
      if (feature !== undefined) throw new SafetyError(`${why}, then clean it. Nothing was removed.`);
      skipped.push(why);
      continue;
    }
    if (!v.worktreeExists) {
      removals.push({ v, worktree: false, dirty: [], ignored: [], unmerged: [] });
      continue;
    }
    if (!v.registered || v.meta.created_by !== 'wo') {
      const why = `${v.feature}: ${show(v.loc.worktree)} ${v.registered ? 'was not created by wo' : 'is not a git worktree'}; wo leaves it alone${v.registered ? ` (remove it yourself: git worktree remove ${v.loc.worktree})` : ''}`;
      if (feature !== undefined) throw new SafetyError(`${why}. Nothing was removed.`);
      skipped.push(why);
      continue;
    }
    const [dirty, ignored, unmerged] = await Promise.all([
      ws.git.uncommitted(v.loc.worktree),
      agentIgnored(ws, v),
      unmergedOf(ws, v),
    ]);
    if (!opts.force) {
      if (dirty.length)
        problems.push(
          `${v.feature}: ${some(
            dirty.length,
            'uncommitted change',
            dirty.map((l) => l.slice(3)),
          )} in ${show(v.loc.worktree)}`,
        );
      if (ignored.length)
        problems.push(
          `${v.feature}: ${some(ignored.length, 'ignored file', ignored)} in ${show(v.loc.worktree)} that wo did not put there`,
        );
      // Commits on a branch stay with it (clean keeps a branch that holds the only copy): only a
      // detached HEAD's commits, which no branch holds, would be left to git's garbage collection.
      if (unmerged.length && !v.branch)
        problems.push(
          `${v.feature}: ${unmerged.length} commit${unmerged.length === 1 ? '' : 's'} on its detached HEAD that no branch holds (keep ${unmerged.length === 1 ? 'it' : 'them'}: git -C ${show(v.loc.worktree)} branch ${v.feature}-rescue)`,
        );
    }
    removals.push({ v, worktree: true, dirty, ignored, unmerged });
  }
  if (problems.length) {
    throw new SafetyError(
      `refusing to clean; nothing was removed:\n  ${problems.join('\n  ')}\nCommit the changes (move ignored files you want out of the worktree; put a detached HEAD's commits on a branch), or use 'wo clean${feature ? ` ${feature}` : ''} --force' (uncommitted and ignored files are lost; branches are kept; commits on no branch are named).`,
    );
  }

  // Second pass: act.
  for (const r of removals) ctx.io.out(`${await remove(ws, r, Boolean(opts.force), show)}\n`);
  for (const s of skipped) ctx.io.out(`skipped ${s}\n`);
  if (removals.length === 0 && skipped.length === 0) ctx.io.out('nothing to clean.\n');
  return 0;
}

async function remove(
  ws: Workspace,
  r: Removal,
  force: boolean,
  show: (p: string) => string,
): Promise<string> {
  const { v } = r;
  const done: string[] = [];
  if (r.worktree) {
    // The result lives inside the worktree: keep a copy before the worktree goes.
    const result = await readResult(v.loc.worktree);
    if (result !== undefined) {
      const saved = await saveResult(ws.repoRoot, v.feature, { status: v.status, branch: v.branch }, result);
      done.push(`result saved to ${show(saved)}`);
    }
  }
  if (v.session && (await ws.tmux.killSession(v.loc.session))) done.push(`session ${v.loc.session} ended`);
  if (r.worktree) {
    await unlinkShared(v);
    await ws.git.removeWorktree(ws.repoRoot, v.loc.worktree, force);
    done.push(`worktree ${show(v.loc.worktree)} removed`);
    // Said exactly (SPEC §9): what --force threw away.
    if (r.dirty.length)
      done.push(
        `lost ${some(
          r.dirty.length,
          'uncommitted change',
          r.dirty.map((l) => l.slice(3)),
        )}`,
      );
    if (r.ignored.length) done.push(`lost ${some(r.ignored.length, 'ignored file', r.ignored)}`);
  }
  // A detached HEAD's commits that no branch holds stay in the object store until git's gc: named,
  // with the command that keeps them.
  if (r.worktree && !v.branch && r.unmerged.length) {
    const shas = r.unmerged.map((l) => l.split(' ')[0]);
    done.push(
      `${r.unmerged.length} commit${r.unmerged.length === 1 ? '' : 's'} on its detached HEAD that no branch holds: ${r.unmerged.join('; ')} (keep ${r.unmerged.length === 1 ? 'it' : 'them'}: git branch ${v.feature}-rescue ${shas[0]})`,
    );
  }
  await rm(v.loc.stateDir, { recursive: true, force: true });
  // wo's own branch goes only when every commit on it is on another branch too: nothing is lost.
  if (r.worktree && v.branch === v.loc.branch) {
    if (r.unmerged.length === 0) {
      await ws.git.run(ws.repoRoot, ['branch', '-D', '--end-of-options', v.branch]);
      done.push(`branch ${v.branch} deleted`);
    } else {
      done.push(
        `branch ${v.branch} kept (${r.unmerged.length} commit${r.unmerged.length === 1 ? '' : 's'} on no other branch; delete it with git branch -D ${v.branch})`,
      );
    }
  }
  return `cleaned ${v.feature}: ${done.join(', ') || 'nothing left to remove'}`;
}
