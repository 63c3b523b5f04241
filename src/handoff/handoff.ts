// Hand-off (SPEC §8): what each worker's branch holds (commits ahead of its base, diffstat), and
// `--push`/`--pr`: push the branches of done workers that have commits, then open a draft pull request
// per pushed branch with the GitHub CLI. Never force, never merge. Programs run as argv, never a shell.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runner, RunResult } from '../process/run.js';
import { EnvError, UsageError } from '../errors.js';
import {
  branchTips,
  commitOf,
  commitsAhead,
  currentBranch,
  diffstat,
  pushBranch,
  remoteUrl,
  type Git,
} from '../git/git.js';

export interface BranchFacts {
  commits: number | null;
  diffstat: { files: number; insertions: number; deletions: number } | null;
}

/** Commits and diffstat of `branch` against `base` (HEAD when none); nulls when git cannot say. */
export async function branchFacts(
  git: Git,
  repo: string,
  branch: string,
  base?: string,
): Promise<BranchFacts> {
  const from = base ?? 'HEAD';
  const commits = await commitsAhead(git, repo, from, branch);
  if (commits === undefined) return { commits: null, diffstat: null };
  const stat =
    commits > 0 ? await diffstat(git, repo, from, branch) : { files: 0, insertions: 0, deletions: 0 };
  return { commits, diffstat: stat ?? null };
}

/**
 * branchFacts for many branches, cheaply: one `git for-each-ref` for every branch tip and one
 * `rev-parse` per distinct base; a branch still at its base (a worker that committed nothing) costs
 * no more, the others two calls each, `atOnce` at a time. Keyed by branch.
 */
export async function allBranchFacts(
  git: Git,
  repo: string,
  items: ReadonlyArray<{ branch: string; base?: string }>,
  atOnce = 8,
): Promise<Map<string, BranchFacts>> {
  const out = new Map<string, BranchFacts>();
  if (items.length === 0) return out;
  const tips = await branchTips(git, repo);
  const bases = new Map<string, Promise<string | undefined>>();
  const baseCommit = (ref: string) => {
    if (!bases.has(ref)) bases.set(ref, commitOf(git, repo, ref));
    return bases.get(ref)!;
  };
  const { default: pLimit } = await import('p-limit');
  const limit = pLimit(atOnce);
  await Promise.all(
    items.map(async ({ branch, base }) => {
      const tip = tips.get(branch);
      if (tip === undefined) return out.set(branch, { commits: null, diffstat: null });
      if (tip === (await baseCommit(base ?? 'HEAD')))
        return out.set(branch, { commits: 0, diffstat: { files: 0, insertions: 0, deletions: 0 } });
      out.set(branch, await limit(() => branchFacts(git, repo, branch, base)));
    }),
  );
  return out;
}

/** One worker as the hand-off sees it. */
export interface HandOffWorker {
  feature: string;
  task: string;
  outcome: string;
  branch: string;
  base?: string;
  worktree: string;
  commits: number | null;
  result: string | null;
}

export interface HandOffResult {
  pushed: boolean | null;
  pr_url: string | null;
  error: string | null;
}

export interface HandOffOptions {
  git: Git;
  runner: Runner;
  repoRoot: string;
  remote: string;
  pr: boolean;
  runId: string;
  /** The environment gh runs with (its PATH finds gh; GH_TOKEN authenticates it). */
  env: NodeJS.ProcessEnv;
  /** A line for the user: what was pushed, skipped or refused. */
  note(line: string): void;
  /** Uncommitted changes in a worktree (`git status --porcelain` lines). */
  uncommitted?(worktree: string): Promise<string[]>;
}

/** How long `gh --version` may take: it answers at once, or gh is not usable (SPEC §9: nothing hangs). */
export const GH_VERSION_TIMEOUT_MS = 15_000;

/** Before anything starts: the remote exists, and with --pr, gh runs (within `ghTimeoutMs`). */
export async function checkHandOff(
  opts: Pick<HandOffOptions, 'git' | 'runner' | 'repoRoot' | 'remote' | 'pr' | 'env'> & {
    ghTimeoutMs?: number;
  },
) {
  if ((await remoteUrl(opts.git, opts.repoRoot, opts.remote)) === undefined)
    throw new UsageError(
      `--push needs the remote "${opts.remote}", which this repository does not have: add it ('git remote add ${opts.remote} URL') or name another with "remote:" in the plan`,
    );
  if (!opts.pr) return;
  const r = await opts.runner
    .run('gh', ['--version'], {
      env: opts.env,
      extendEnv: false,
      reject: false,
      timeoutMs: opts.ghTimeoutMs ?? GH_VERSION_TIMEOUT_MS,
    })
    // gh could not be started (not installed): told just below, with how to install it.
    .catch(() => undefined);
  if (r?.timedOut)
    throw new EnvError(
      `--pr opens pull requests with the GitHub CLI, and \`gh --version\` did not answer within ${(opts.ghTimeoutMs ?? GH_VERSION_TIMEOUT_MS) / 1000}s: check that the gh on PATH is the GitHub CLI (https://cli.github.com) and runs here`,
    );
  if (!r || r.exitCode !== 0)
    throw new EnvError(
      '--pr opens pull requests with the GitHub CLI, and `gh` does not run here: install it (https://cli.github.com) and authenticate it (GH_TOKEN, or gh auth login)',
    );
}

/** How long one gh call may take before it counts as failed (nothing hangs, SPEC §9). */
const GH_TIMEOUT_MS = 2 * 60_000;

const firstLine = (text: string): string => text.trim().split('\n')[0]!.trim();

/** What gh said, whole but on one line (its fix is often on the second line), capped. */
function ghWords(r: { stdout: string; stderr: string; exitCode: number; timedOut?: boolean }): string {
  if (r.timedOut) return `timed out after ${GH_TIMEOUT_MS / 1000}s`;
  const text = (r.stderr.trim() || r.stdout.trim())
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
  if (!text) return `exit ${r.exitCode}`;
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
}

function prTitle(w: HandOffWorker): string {
  const task = firstLine(w.task).replace(/\s+/g, ' ');
  const title = `${w.feature}: ${task}`;
  return title.length > 72 ? `${title.slice(0, 71)}…` : title;
}

function prBody(w: HandOffWorker, runId: string): string {
  const result = w.result && w.result.trim() ? w.result.trim() : '_The worker wrote no result._';
  return `${result}\n\n---\nOpened as a draft by \`wo run\` (run ${runId}, worker \`${w.feature}\`). Review before merging: wo never merges.\n`;
}

/**
 * Pushes each done worker's branch that has commits ahead of its base, and with `pr` opens a draft
 * pull request for it unless one is already open. Returns a result for every worker it looked at
 * (by feature); workers it passed over (not done, no commits) are absent.
 */
export async function handOff(
  workers: readonly HandOffWorker[],
  opts: HandOffOptions,
): Promise<Map<string, HandOffResult>> {
  const out = new Map<string, HandOffResult>();
  const pushed: HandOffWorker[] = [];
  for (const w of workers) {
    if (w.outcome !== 'done') continue;
    // Uncommitted files only add a warning: a worktree git cannot read warns of none.
    const dirty = opts.uncommitted ? await opts.uncommitted(w.worktree).catch(() => []) : [];
    if (dirty.length)
      opts.note(
        `${w.feature}: ${dirty.length} uncommitted change${dirty.length === 1 ? '' : 's'} in ${w.worktree} ${dirty.length === 1 ? 'is' : 'are'} not pushed (wo pushes commits only)`,
      );
    if (!w.commits) {
      opts.note(`${w.feature}: nothing to push (no commits ahead of its base)`);
      continue;
    }
    const r = await pushBranch(opts.runner, opts.repoRoot, opts.remote, w.branch);
    if (!r.ok) {
      const error = `git push to ${opts.remote} refused ${w.branch}${r.message ? `: ${r.message}` : ''} (wo never forces a push)`;
      out.set(w.feature, { pushed: false, pr_url: null, error });
      opts.note(`${w.feature}: ${error}`);
      continue;
    }
    out.set(w.feature, { pushed: true, pr_url: null, error: null });
    opts.note(`${w.feature}: pushed ${w.branch} to ${opts.remote}`);
    pushed.push(w);
  }
  if (!opts.pr || pushed.length === 0) return out;

  const head = await currentBranch(opts.git, opts.repoRoot);
  const gh = ghRunner(opts);
  const tmp = await mkdtemp(join(tmpdir(), 'wo-pr-'));
  try {
    for (const w of pushed) {
      const result = out.get(w.feature)!;
      // The base of the pull request: the worker's base when it is a branch, else the branch the run
      // started from; on a detached HEAD gh picks the repository's default branch.
      const base =
        w.base !== undefined
          ? (await opts.git.branchExists(opts.repoRoot, w.base))
            ? w.base
            : undefined
          : head;
      const pr = await draftPullRequest(gh, tmp, {
        name: w.feature,
        branch: w.branch,
        base,
        title: prTitle(w),
        body: prBody(w, opts.runId),
      });
      if ('error' in pr) {
        result.error = pr.error;
        opts.note(`${w.feature}: ${pr.error}`);
        continue;
      }
      result.pr_url = pr.url;
      opts.note(
        pr.existing
          ? `${w.feature}: a pull request is already open for ${w.branch}: ${pr.url}`
          : `${w.feature}: opened a draft pull request: ${pr.url}`,
      );
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return out;
}

/** The https URLs in gh's output: JSON (`[{"url": …}]`) or plain lines. */
export function parseUrls(text: string): string[] {
  const t = text.trim();
  if (t.startsWith('[')) {
    try {
      const data = JSON.parse(t) as Array<{ url?: unknown }>;
      return data
        .map((d) => d.url)
        .filter((u): u is string => typeof u === 'string' && /^https?:\/\/\S+$/.test(u));
    } catch {
      // Not gh's JSON list: no URLs in it.
      return [];
    }
  }
  return t
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^https?:\/\/\S+$/.test(l));
}

// ── Integration hand-off (SPEC §10): the integration branch pushed (never forced), and with --pr one
// draft pull request for it, its body the merged workers, the conflicts and the verify result.

export interface IntegrationHandOff {
  branch: string;
  base: string;
  head: string | null;
  outcome: string;
  merged: readonly string[];
  conflicts: ReadonlyArray<{ feature: string; files: readonly string[]; with: readonly string[] }>;
  not_merged: readonly string[];
  verify: { command: string; passed: boolean; finding: string | null } | null;
}

/** The pull request's body for the integration branch. */
export function integrationPrBody(x: IntegrationHandOff, runId: string): string {
  const lines = [`Integration of run ${runId}: **${x.outcome}**.`, '', '**Merged** (in order):'];
  lines.push(...(x.merged.length ? x.merged.map((f) => `- ${f}`) : ['- none']));
  if (x.conflicts.length) {
    lines.push('', '**Conflicts** (not merged):');
    for (const c of x.conflicts)
      lines.push(
        `- ${c.feature}: ${c.files.join(', ')}${c.with.length ? ` (with ${c.with.join(', ')})` : ''}`,
      );
  }
  if (x.not_merged.length) lines.push('', `**Not merged:** ${x.not_merged.join(', ')}`);
  lines.push(
    '',
    x.verify
      ? `**Verify** \`${x.verify.command}\`: ${x.verify.passed ? 'passed' : `failed. ${x.verify.finding ?? ''}`}`
      : '**Verify**: none configured.',
  );
  lines.push(
    '',
    '---',
    'Opened as a draft by wo. Review before merging: wo never merges into your branches.',
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Pushes the integration branch to the remote (never forced: a remote branch that holds other
 * commits refuses it) and with `pr` opens a draft pull request for it, unless one is open.
 */
export async function handOffIntegration(
  x: IntegrationHandOff,
  opts: Pick<HandOffOptions, 'git' | 'runner' | 'repoRoot' | 'remote' | 'pr' | 'runId' | 'env' | 'note'>,
): Promise<HandOffResult> {
  if (!x.head || x.merged.length === 0) {
    opts.note(`integration: nothing to push (no worker was merged)`);
    return { pushed: null, pr_url: null, error: null };
  }
  const r = await pushBranch(opts.runner, opts.repoRoot, opts.remote, x.branch);
  if (!r.ok) {
    const error = `git push to ${opts.remote} refused ${x.branch}${r.message ? `: ${r.message}` : ''} (never forced: the remote holds the branch differently; delete it there, or name another integrate.branch)`;
    opts.note(`integration: ${error}`);
    return { pushed: false, pr_url: null, error };
  }
  opts.note(`integration: pushed ${x.branch} to ${opts.remote}`);
  if (!opts.pr) return { pushed: true, pr_url: null, error: null };
  const tmp = await mkdtemp(join(tmpdir(), 'wo-pr-'));
  try {
    const pr = await draftPullRequest(ghRunner(opts), tmp, {
      name: 'integration',
      branch: x.branch,
      base: (await opts.git.branchExists(opts.repoRoot, x.base)) ? x.base : undefined,
      title: `wo: integrate ${x.merged.length} worker${x.merged.length === 1 ? '' : 's'} (${x.outcome})`,
      body: integrationPrBody(x, opts.runId),
    });
    if ('error' in pr) {
      opts.note(`integration: ${pr.error}`);
      return { pushed: true, pr_url: null, error: pr.error };
    }
    opts.note(
      pr.existing
        ? `integration: a pull request is already open for ${x.branch}: ${pr.url}`
        : `integration: opened a draft pull request: ${pr.url}`,
    );
    return { pushed: true, pr_url: pr.url, error: null };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

type Gh = (args: string[]) => Promise<RunResult>;

/** gh as wo runs it: never prompting, the caller's environment only, bounded in time. */
function ghRunner(opts: Pick<HandOffOptions, 'runner' | 'repoRoot' | 'env'>): Gh {
  return (args) =>
    opts.runner.run('gh', args, {
      cwd: opts.repoRoot,
      env: { ...opts.env, GH_PROMPT_DISABLED: '1' },
      extendEnv: false,
      reject: false,
      timeoutMs: GH_TIMEOUT_MS,
    });
}

/**
 * The draft pull request for `pr.branch`: the one already open, or a new one (its body written to a
 * file in `tmp`, never passed through a shell); gh's own words when it fails.
 */
async function draftPullRequest(
  gh: Gh,
  tmp: string,
  pr: { name: string; branch: string; base: string | undefined; title: string; body: string },
): Promise<{ url: string; existing: boolean } | { error: string }> {
  const list = await gh([
    'pr',
    'list',
    '--head',
    pr.branch,
    '--state',
    'open',
    '--json',
    'url',
    '--limit',
    '1',
  ]);
  if (list.exitCode !== 0) return { error: `gh pr list failed: ${ghWords(list)}` };
  const existing = parseUrls(list.stdout)[0];
  if (existing) return { url: existing, existing: true };
  const bodyFile = join(tmp, `${pr.name}.md`);
  await writeFile(bodyFile, pr.body);
  const created = await gh([
    'pr',
    'create',
    '--draft',
    '--head',
    pr.branch,
    ...(pr.base ? ['--base', pr.base] : []),
    '--title',
    pr.title,
    '--body-file',
    bodyFile,
  ]);
  const url = parseUrls(created.stdout).at(-1);
  if (created.exitCode !== 0 || !url) return { error: `gh pr create failed: ${ghWords(created)}` };
  return { url, existing: false };
}
