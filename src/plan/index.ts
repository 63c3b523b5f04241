// loadPlan: a plan file, its configuration and the flags -> a ResolvedPlan, or every problem at once.
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { loadConfig } from './config.js';
import { findRepoRoot } from './repo-root.js';
import { PRESET_NAMES } from './presets.js';
import { durationProblem } from './duration.js';
import { InvalidPlanError, placeIssues, sortIssues } from './issues.js';
import { planProblems, readPlan } from './load.js';
import { resolvePlan, type PlanFlags } from './resolve.js';
import type { PlanFile } from './schema-types.js';
import type { ResolvedPlan } from './types.js';

export { formatDuration, parseDuration } from './duration.js';
export { InvalidPlanError } from './issues.js';

export interface LoadPlanOptions {
  /** Relative plan paths resolve against it, and file names in messages are relative to it. */
  cwd: string;
  /** For WO_TMUX_SOCKET and the user's config folder; default process.env. */
  env?: NodeJS.ProcessEnv;
  flags?: PlanFlags;
}

/**
 * Loads, checks and resolves a plan. Throws UsageError for bad flags, and InvalidPlanError (a PlanError,
 * exit 2) with every problem of the plan and its configuration at once.
 */
export async function loadPlan(file: string, opts: LoadPlanOptions): Promise<ResolvedPlan> {
  const flags = checkFlags(opts.flags ?? {});
  const env = opts.env ?? process.env;
  const abs = resolve(opts.cwd, file);
  const shown = isAbsolute(file) ? abs : relative(opts.cwd, abs) || file;
  const folder = dirname(abs);
  const root = findRepoRoot(folder);
  const repo = basename(root ?? folder);

  let source = await readPlan(abs, shown, { fast: true });
  if (!source.ok && source.fatal) throw new InvalidPlanError(source.issues);
  const planAgents = source.ok ? namesOf(source.value.agents) : undefined;
  const config = await loadConfig(folder, {
    cwd: opts.cwd,
    env,
    repo,
    ...(root !== undefined && { stopAt: root }),
    planAgents: planAgents ?? 'unknown',
  });
  const agents = config.readable
    ? [...new Set([...PRESET_NAMES, ...namesOf(config.config.agents), ...(planAgents ?? [])])]
    : undefined; // an unreadable config may define agents: do not call them unknown
  const configDir = config.config.worktrees?.dir;
  const ruleContext = {
    repo,
    ...(agents && { agents }),
    ...(root !== undefined && { repoRoot: root }),
    ...(typeof configDir === 'string' && { worktreesDir: configDir }),
  };
  let problems = source.ok ? planProblems(source.value, ruleContext) : [];
  if (source.ok && !source.locate && problems.length > 0) {
    // Read the fast way, without positions: problems are found and placed on `yaml`'s reading.
    source = await readPlan(abs, shown);
    problems = source.ok ? planProblems(source.value, ruleContext) : [];
  }
  const planIssues = source.ok ? placeIssues(problems, shown, source.locate) : source.issues;
  const issues = [...sortIssues(planIssues), ...sortIssues(config.issues)];
  if (issues.length > 0 || !source.ok) throw new InvalidPlanError(issues);

  return resolvePlan({
    file: abs,
    plan: source.value as unknown as PlanFile,
    config: config.config,
    ...(config.file !== undefined && { configFile: config.file }),
    flags,
    env,
  });
}

function namesOf(v: unknown): string[] {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : [];
}

/** Flags are checked before any file is read: a bad flag is a usage error. */
function checkFlags(flags: PlanFlags): PlanFlags {
  const out: PlanFlags = {};
  if (flags.concurrency !== undefined) {
    if (!Number.isInteger(flags.concurrency) || flags.concurrency < 1)
      throw new UsageError(`--concurrency must be a whole number >= 1, got ${String(flags.concurrency)}`);
    out.concurrency = flags.concurrency;
  }
  if (flags.timeout !== undefined) {
    const problem = durationProblem(flags.timeout);
    if (problem) throw new UsageError(`--timeout: ${problem}`);
    out.timeout = flags.timeout;
  }
  return out;
}
