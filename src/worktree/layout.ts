// Where a worker lives: worktree path, branch, session name and wo's state folder, from templates.
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { isInside } from '../paths.js';
import { DEFAULTS } from '../plan/types.js';
import { sessionName } from '../life/tries.js';

export interface Layout {
  /** Main root of the repository. */
  repoRoot: string;
  /** worktrees.dir template, relative to repoRoot; may use {repo}. */
  worktreesDir: string;
  /** Branch template; uses {feature}, may use {repo}. */
  branch: string;
  /** Session name prefix (SPEC: `wt-`). */
  prefix: string;
}

export interface WorkerLocation {
  feature: string;
  worktree: string;
  branch: string;
  session: string;
  /** wo's own files for this worker (launch spec, exit code): `.wo/workers/{feature}`. */
  stateDir: string;
}

export function defaultLayout(repoRoot: string, over: Partial<Omit<Layout, 'repoRoot'>> = {}): Layout {
  return {
    repoRoot,
    worktreesDir: over.worktreesDir ?? DEFAULTS.worktreesDir,
    branch: over.branch ?? DEFAULTS.branch,
    prefix: over.prefix ?? DEFAULTS.sessionPrefix,
  };
}

export function worktreesRoot(layout: Layout): string {
  return resolve(layout.repoRoot, layout.worktreesDir.replaceAll('{repo}', basename(layout.repoRoot)));
}

export function locate(layout: Layout, feature: string): WorkerLocation {
  const repo = basename(layout.repoRoot);
  return {
    feature,
    worktree: join(worktreesRoot(layout), feature),
    branch: layout.branch.replaceAll('{feature}', feature).replaceAll('{repo}', repo),
    session: `${layout.prefix}${sessionName(feature)}`,
    stateDir: join(layout.repoRoot, '.wo', 'workers', feature),
  };
}

/** The feature a session name belongs to, or undefined when it is not a worker session. */
export function featureOfSession(layout: Layout, session: string): string | undefined {
  return session.startsWith(layout.prefix) && session.length > layout.prefix.length
    ? session.slice(layout.prefix.length)
    : undefined;
}

/**
 * Whether a session's recorded worktree (tmux `@wo_worktree`) is one of this layout's: the session
 * belongs to this repository (SPEC §1). A session that records none is not wo's.
 */
export function ownsWorktree(layout: Layout, owner: string | undefined): boolean {
  return owner !== undefined && dirname(resolve(owner)) === worktreesRoot(layout);
}

/**
 * UsageError (exit 2) when `worktrees.dir` is inside the repository (or its .git): a worker would
 * work in the main checkout, or git would see the worktrees as files of it (SPEC §9).
 */
export function assertLayout(layout: Layout): void {
  const root = worktreesRoot(layout);
  if (isInside(root, layout.repoRoot))
    throw new UsageError(
      `worktrees.dir "${layout.worktreesDir}" puts the worktrees in ${root}, inside the repository ${layout.repoRoot}. Choose a folder outside it (the default is ../{repo}-worktrees).`,
    );
}
