// Integration (SPEC §10): the done workers' branches merged `--no-ff` into one fresh branch in wo's own
// worktree `{worktrees.dir}/_integration`, conflicts skipped, stopped on, or resolved by an agent, then
// verify once on the merged tree, and on failure a bisection naming the first breaking merge. The
// workers' own branches are only ever read.
import { rm } from 'node:fs/promises';
import type { Runner } from '../process/run.js';
import { SafetyError, UsageError } from '../errors.js';
import { optionLike, type Git } from '../git/git.js';
import { refNameProblem } from '../plan/templates.js';
import type { IntegrationConflict, ReportIntegration } from '../report/types.js';
import { outputBlock } from '../protocol/protocol.js';
import { decideOutcome, firstBreaking, mergeOrder } from './plan.js';

/** No feature can have this name (features start with a letter or digit): the worktree is wo's own. */
export const INTEGRATION_FEATURE = '_integration';

export interface Candidate {
  feature: string;
  branch: string;
  task: string;
  needs: readonly string[];
}

/** A conflict an agent is asked to resolve, in the integration worktree, mid-merge. */
export interface ConflictToResolve {
  worktree: string;
  feature: string;
  branch: string;
  task: string;
  files: string[];
  /** The already merged workers it collides with, and their tasks. */
  with: Array<{ feature: string; task: string }>;
}

export interface IntegrateInput {
  git: Git;
  runner: Runner;
  repoRoot: string;
  /** `{worktrees.dir}/_integration`. */
  worktree: string;
  /** The integration branch, template filled. */
  branch: string;
  /** Where it starts (a ref git knows). */
  base: string;
  /** Done workers with commits, in plan order. */
  workers: readonly Candidate[];
  /** Every worker branch of the plan: commits on them are never foreign to the integration branch. */
  known?: readonly string[];
  verify?: string;
  timeoutMs?: number;
  env: NodeJS.ProcessEnv;
  onConflict: 'skip' | 'stop' | 'agent';
  /** With `onConflict: agent`: runs the agent until it reports; wo then checks its work itself. */
  resolve?: (c: ConflictToResolve) => Promise<void>;
  /** A line for the person (progress). */
  note?: (line: string) => void;
}

const MARKER = /^(<{7}|>{7})( |$)|^={7}$/m;

/** Runs the whole integration and returns report.json's `integration`. Throws only a refusal (exit 2). */
export async function integrate(input: IntegrateInput): Promise<ReportIntegration> {
  const started = Date.now();
  const { git, worktree, branch, base } = input;
  const note = input.note ?? (() => undefined);
  const problem = refNameProblem(branch);
  if (problem)
    throw new UsageError(`the integration branch "${branch}" is not a valid branch name: ${problem}`);
  if (optionLike(base))
    throw new UsageError(`integrate.base "${base}" starts with "-", which git would read as an option`);
  if (!(await git.refExists(input.repoRoot, base)))
    throw new UsageError(
      `integrate.base "${base}" is not a ref git knows here. Name a branch, tag or commit.`,
    );
  const order = mergeOrder(input.workers);
  await refuseForeign(input, order);

  const result: ReportIntegration = {
    branch,
    base,
    head: null,
    merged: [],
    conflicts: [],
    not_merged: [],
    verify: null,
    outcome: 'failed',
    reason: null,
    duration_ms: 0,
  };
  const finish = (): ReportIntegration => {
    result.outcome = decideOutcome({
      conflicts: result.conflicts.length,
      notMerged: result.not_merged.length,
      verifyPassed: result.verify?.passed,
      ...(result.reason !== null && { error: result.reason }),
    });
    result.duration_ms = Date.now() - started;
    return result;
  };

  try {
    await freshWorktree(input);
  } catch (e) {
    // Said in the report: the integration fails with this reason, and nothing is merged.
    result.reason = `could not make the integration worktree: ${message(e)}`;
    result.not_merged = order.map((w) => w.feature);
    return finish();
  }

  // One git call per clean merge: the commits after each are read back only for a bisection.
  const start = await head(git, worktree).catch(() => undefined);
  for (let i = 0; i < order.length; i++) {
    const w = order[i]!;
    const outcome = await mergeOne(input, w, order, result).catch((e: unknown) => {
      result.reason = `merging ${w.feature} (${w.branch}): ${message(e)}`;
      return 'error' as const;
    });
    if (outcome === 'merged') {
      result.merged.push(w.feature);
      note(`${w.feature}: merged`);
      continue;
    }
    if (outcome === 'skipped') continue;
    // stop, or an error: nothing more is merged.
    result.not_merged = order.slice(i + 1).map((x) => x.feature);
    if (outcome === 'error') result.not_merged.unshift(w.feature);
    break;
  }
  // No head to name (the worktree is broken): the report says null, and the reason says why.
  result.head = await head(git, worktree).catch(() => null);

  if (input.verify && result.merged.length > 0 && result.reason === null) {
    result.verify = await verifyMerged(input, result.merged, async () => {
      // The integration branch's first parents since it started: one merge commit per merged worker.
      const r = await git.run(worktree, ['rev-list', '--first-parent', '--reverse', `${start}..HEAD`]);
      return r.stdout.split('\n').filter(Boolean);
    }).catch((e: unknown) => {
      result.reason = `verify on the merged tree: ${message(e)}`;
      return null;
    });
    if (result.verify)
      note(result.verify.passed ? 'verify passed on the merged tree' : `${result.verify.finding}`);
  }
  return finish();
}

/** A fixed branch name holding commits in neither base nor a worker's branch is refused: nothing is lost. */
async function refuseForeign(input: IntegrateInput, order: readonly Candidate[]): Promise<void> {
  const { git, repoRoot, branch, base } = input;
  if (!(await git.branchExists(repoRoot, branch))) return;
  const r = await git.run(repoRoot, [
    'log',
    '--format=%h%x09%p%x09%s',
    `refs/heads/${branch}`,
    '--not',
    '--end-of-options',
    base,
    ...new Set([...order.map((w) => w.branch), ...(input.known ?? [])].map((b) => `refs/heads/${b}`)),
  ]);
  // wo's own merges of an earlier integration are made again; anything else would be lost.
  const foreign = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'))
    .filter(
      ([, parents = '', subject = '']) => !(parents.includes(' ') && subject.startsWith('wo: integrate ')),
    )
    .map(([hash, , subject]) => `${hash} ${subject}`);
  if (foreign.length)
    throw new SafetyError(
      `the integration branch ${branch} holds ${foreign.length} commit${foreign.length === 1 ? '' : 's'} in neither ${base} nor a worker's branch:\n` +
        `${foreign.map((c) => `  ${c}`).join('\n')}\n` +
        `wo makes the branch afresh and would lose them. Move them to another branch, or delete ${branch} ('git branch -D ${branch}'), or name another integrate.branch.`,
    );
}

/** The worktree on the branch made afresh from base: created, or (wo's own, from an earlier time) reset. */
async function freshWorktree(input: IntegrateInput): Promise<void> {
  const { git, repoRoot, worktree, branch, base } = input;
  if (await git.isWorktree(repoRoot, worktree)) {
    await git.run(worktree, ['merge', '--abort'], false);
    // Both names were checked above: neither starts with "-"; `--` makes base a revision, never a path.
    await git.run(worktree, ['checkout', '--quiet', '--force', '-B', branch, base, '--']);
    // Untracked files of an earlier resolution or verify would leak into this one (ignored ones stay).
    await git.run(worktree, ['clean', '-fdq']);
    return;
  }
  await rm(worktree, { recursive: true, force: true });
  await git.run(repoRoot, ['worktree', 'add', '--quiet', '-B', branch, '--end-of-options', worktree, base]);
}

async function head(git: Git, worktree: string): Promise<string> {
  return (await git.run(worktree, ['rev-parse', 'HEAD'])).stdout.trim();
}

/** Files git left unmerged in the worktree. */
async function unmergedFiles(git: Git, worktree: string): Promise<string[]> {
  const r = await git.run(worktree, ['diff', '--name-only', '--diff-filter=U'], false);
  return r.stdout.split('\n').filter(Boolean);
}

async function mergeOne(
  input: IntegrateInput,
  w: Candidate,
  order: readonly Candidate[],
  result: ReportIntegration,
): Promise<'merged' | 'skipped' | 'stop' | 'error'> {
  const { git, worktree } = input;
  const r = await git.run(
    worktree,
    [
      'merge',
      '--no-ff',
      '--no-edit',
      '-m',
      `wo: integrate ${w.feature} (${w.branch})`,
      '--end-of-options',
      `refs/heads/${w.branch}`,
    ],
    false,
  );
  if (r.exitCode === 0) return 'merged';
  const files = await unmergedFiles(git, worktree);
  // Mid-merge, HEAD is still the commit before it.
  const before = await head(git, worktree);
  if (files.length === 0) {
    await git.run(worktree, ['merge', '--abort'], false);
    throw new Error((r.stderr || r.stdout).trim() || `git merge exited ${r.exitCode}`);
  }
  const merged = order.filter((o) => result.merged.includes(o.feature));
  const withFeatures = await collidesWith(input, merged, files);
  const conflict: IntegrationConflict = {
    feature: w.feature,
    files,
    with: withFeatures,
    resolution: 'skipped',
  };
  const abort = async () => {
    if ((await git.run(worktree, ['rev-parse', '-q', '--verify', 'MERGE_HEAD'], false)).exitCode === 0)
      await git.run(worktree, ['merge', '--abort'], false);
    await git.run(worktree, ['reset', '--quiet', '--hard', before]);
  };
  const conflictLine = `${w.feature}: conflicts${withFeatures.length ? ` with ${withFeatures.join(', ')}` : ''} in ${files.join(', ')}`;

  if (input.onConflict === 'agent' && input.resolve) {
    input.note?.(`${conflictLine}; an agent resolves it`);
    const refused = await input
      .resolve({
        worktree,
        feature: w.feature,
        branch: w.branch,
        task: w.task,
        files,
        with: merged
          .filter((m) => withFeatures.includes(m.feature))
          .map((m) => ({ feature: m.feature, task: m.task })),
      })
      .then(() => checkResolution(git, worktree, before, w.branch, files))
      .catch((e: unknown) => `the agent did not finish: ${message(e)}`);
    if (refused === undefined) return 'merged';
    await abort();
    conflict.resolution = `skipped: ${refused}`;
    result.conflicts.push(conflict);
    input.note?.(`${w.feature}: the agent's resolution was refused (${refused}); skipped`);
    return 'skipped';
  }
  await abort();
  input.note?.(conflictLine);
  if (input.onConflict === 'stop') {
    conflict.resolution = 'stopped';
    result.conflicts.push(conflict);
    return 'stop';
  }
  result.conflicts.push(conflict);
  return 'skipped';
}

/**
 * Why an agent's resolution is refused, or undefined when it is accepted: the merge must be
 * committed (no MERGE_HEAD, HEAD a new commit with the worker's tip as a parent), nothing unmerged
 * and no conflict marker left in the files that conflicted.
 */
export async function checkResolution(
  git: Git,
  worktree: string,
  before: string,
  branch: string,
  files: readonly string[],
): Promise<string | undefined> {
  if ((await unmergedFiles(git, worktree)).length) return 'files are still unmerged';
  if ((await git.run(worktree, ['rev-parse', '-q', '--verify', 'MERGE_HEAD'], false)).exitCode === 0)
    return 'the merge was not committed';
  const parents = (await git.run(worktree, ['rev-list', '--parents', '-n', '1', 'HEAD'])).stdout
    .trim()
    .split(' ');
  const tip = (
    await git.run(worktree, ['rev-parse', '--verify', '--quiet', '--end-of-options', `refs/heads/${branch}`])
  ).stdout.trim();
  if (parents[0] === before || !parents.slice(1).includes(tip) || !parents.slice(1).includes(before))
    return 'the merge was not committed';
  for (const f of files) {
    const shown = await git.run(worktree, ['show', `HEAD:${f}`], false);
    if (shown.exitCode === 0 && MARKER.test(shown.stdout)) return `conflict markers are left in ${f}`;
  }
  return undefined;
}

/** The already merged workers whose own changes touch any of `files` (base...branch). */
async function collidesWith(
  input: IntegrateInput,
  merged: readonly Candidate[],
  files: string[],
): Promise<string[]> {
  const out: string[] = [];
  for (const m of merged) {
    const r = await input.git.run(
      input.worktree,
      [
        'diff',
        '--name-only',
        `${input.base}...refs/heads/${m.branch}`,
        '--',
        ...files.map((f) => `:(literal)${f}`),
      ],
      false,
    );
    if (r.stdout.trim()) out.push(m.feature);
  }
  return out;
}

/** Verify on the merged tree; on failure, the bisection over the merge commits (`mergeCommits`, in order). */
async function verifyMerged(
  input: IntegrateInput,
  merged: readonly string[],
  mergeCommits: () => Promise<string[]>,
): Promise<NonNullable<ReportIntegration['verify']>> {
  const { git, worktree } = input;
  const command = input.verify!;
  let runs = 0;
  const run = async () => {
    runs++;
    return input.runner.run('sh', ['-c', command], {
      cwd: worktree,
      env: { ...input.env, WO_INTEGRATION: '1', WO_WORKTREE: worktree },
      reject: false,
      ...(input.timeoutMs !== undefined && { timeoutMs: input.timeoutMs }),
    });
  };
  const full = await run();
  const output = (r: { stdout: string; stderr: string; timedOut?: boolean }) =>
    `${r.timedOut ? `timed out after ${Math.round((input.timeoutMs ?? 0) / 1000)}s\n` : ''}${outputBlock(`${r.stdout}${r.stderr}`)}`;
  if (full.exitCode === 0 && !full.timedOut)
    return { command, exit_code: 0, passed: true, culprit: null, finding: null, runs, output: null };

  let found: { culprit: number; lastPass: number } | undefined;
  try {
    const tips = await mergeCommits();
    if (tips.length !== merged.length)
      throw new Error(`expected ${merged.length} merge commits, found ${tips.length}`);
    found = await firstBreaking(tips.length, async (k) => {
      await git.run(worktree, ['checkout', '--quiet', '--force', '--detach', tips[k - 1]!]);
      const r = await run();
      return r.exitCode === 0 && !r.timedOut;
    });
  } finally {
    await git.run(worktree, ['checkout', '--quiet', '--force', input.branch], false);
  }
  const culprit = merged[found.culprit - 1]!;
  const passing = merged.slice(0, found.lastPass);
  const finding =
    found.culprit === 1
      ? `verify fails once ${culprit} is merged (the first merge: does it pass on ${input.base}?)`
      : `verify passes with ${passing.join(', ')}; fails once ${culprit} is merged`;
  return {
    command,
    exit_code: full.exitCode,
    passed: false,
    culprit,
    finding,
    runs,
    output: output(full),
  };
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
