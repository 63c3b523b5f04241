// Rules a schema cannot express: unique features, needs that exist and form no cycle, known agents,
// good durations, templates and copy paths. Pure functions of the parsed value; they tolerate bad shapes.
import { basename, join, resolve } from 'node:path';
import { overlaps, pathParts, relativeInside, repoPathProblem } from '../paths.js';
import { durationProblem } from './duration.js';
import type { DocPath, RawIssue } from './issues.js';
import { closest } from './suggest.js';
import { DEFAULTS } from './types.js';
import {
  AGENT_PLACEHOLDERS,
  branchTemplateProblem,
  fillTemplate,
  INTEGRATE_BRANCH_PLACEHOLDERS,
  refNameProblem,
  tryFeature,
  REPORT_DIR_PLACEHOLDERS,
  unknownPlaceholder,
  worktreesDirProblem,
} from './templates.js';

export interface RuleContext {
  /** Every agent name a worker may use; undefined when unknown (a config could not be read): no check. */
  agents?: readonly string[];
  /** The repository folder's name, which fills {repo} when branch templates are checked. */
  repo: string;
  /** The repository's root, where worktrees.dir is resolved; undefined (not in a repository): no check. */
  repoRoot?: string;
  /** worktrees.dir as the configuration sets it, for a plan that sets none. */
  worktreesDir?: string;
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Rules for a plan (workers.yaml). */
export function planRules(plan: unknown, ctx: RuleContext): RawIssue[] {
  if (!isRec(plan)) return [];
  const workers = list(plan.workers);
  const features = workers.map((w) => (isRec(w) && typeof w.feature === 'string' ? w.feature : undefined));
  const sample = features.find((f) => f !== undefined) ?? 'feature';
  const issues = sharedRules(plan, ctx, sample);
  const firstIndex = new Map<string, number>();
  workers.forEach((w, i) => {
    if (!isRec(w)) return;
    const at = (...rest: (string | number)[]): DocPath => ['workers', i, ...rest];
    const feature = features[i];
    if (feature !== undefined) {
      const first = firstIndex.get(feature);
      if (first !== undefined)
        issues.push({
          path: at('feature'),
          message: `duplicate feature "${feature}" (also workers[${first}])`,
        });
      else firstIndex.set(feature, i);
      const main = mainCheckoutProblem(plan, feature, ctx);
      if (main) issues.push({ path: at('feature'), message: main });
    }
    issues.push(...fieldRules(w, at(), ctx));
    if (typeof w.task === 'string') {
      const problem = taskProblem(w.task);
      if (problem) issues.push({ path: at('task'), message: problem });
    }
    list(w.agents).forEach((a, j) => {
      if (typeof a === 'string' && ctx.agents && !ctx.agents.includes(a))
        issues.push({ path: at('agents', j), message: unknownAgent(a, ctx.agents) });
    });
    list(w.needs).forEach((need, j) => {
      if (typeof need !== 'string') return;
      if (need === feature)
        issues.push({ path: at('needs', j), message: `"${need}" needs itself (remove it)` });
      else if (!features.includes(need))
        issues.push({ path: at('needs', j), message: unknownFeature(need, features) });
    });
  });
  issues.push(...cycleRules(workers, features));
  issues.push(...modelPlaceholderRules(plan, workers));
  issues.push(...tryNameRules(workers, features));
  if (isRec(plan.integrate)) issues.push(...integrateRules(plan.integrate, ctx));
  return issues;
}

/** `integrate:` (SPEC §10): a branch template git accepts, a base git would not read as an option, a known agent. */
function integrateRules(i: Rec, ctx: RuleContext): RawIssue[] {
  const issues: RawIssue[] = [];
  if (typeof i.branch === 'string') {
    const problem =
      unknownPlaceholder(i.branch, INTEGRATE_BRANCH_PLACEHOLDERS) ??
      refNameProblem(fillTemplate(i.branch, { run_id: '20260101-000000-abcd', date: '2026-01-01' }));
    if (problem) issues.push({ path: ['integrate', 'branch'], message: problem });
  }
  if (typeof i.base === 'string' && i.base.startsWith('-'))
    issues.push({
      path: ['integrate', 'base'],
      message: `"${i.base}" starts with "-", which git would read as an option (name a branch, tag or commit)`,
    });
  if (typeof i.agent === 'string' && ctx.agents && !ctx.agents.includes(i.agent))
    issues.push({ path: ['integrate', 'agent'], message: unknownAgent(i.agent, ctx.agents) });
  return issues;
}

/** Rules for a configuration file. */
export function configRules(config: unknown, ctx: RuleContext): RawIssue[] {
  if (!isRec(config)) return [];
  const issues = sharedRules(config, ctx, 'feature');
  const dir = isRec(config.report) ? config.report.dir : undefined;
  const problem = typeof dir === 'string' ? unknownPlaceholder(dir, REPORT_DIR_PLACEHOLDERS) : undefined;
  if (problem) issues.push({ path: ['report', 'dir'], message: problem });
  return issues;
}

/** defaults, worktrees and agents: the parts plans and configs share. */
function sharedRules(doc: Rec, ctx: RuleContext, sampleFeature: string): RawIssue[] {
  const issues: RawIssue[] = [];
  if (isRec(doc.defaults)) issues.push(...fieldRules(doc.defaults, ['defaults'], ctx));
  if (isRec(doc.worktrees)) {
    const { dir, branch } = doc.worktrees;
    const dirProblem = typeof dir === 'string' ? worktreesDirProblem(dir) : undefined;
    const inside = typeof dir === 'string' && !dirProblem ? worktreesInsideProblem(dir, ctx) : undefined;
    if (dirProblem ?? inside) issues.push({ path: ['worktrees', 'dir'], message: (dirProblem ?? inside)! });
    const branchProblem =
      typeof branch === 'string'
        ? branchTemplateProblem(branch, { feature: sampleFeature, repo: ctx.repo })
        : undefined;
    if (branchProblem) issues.push({ path: ['worktrees', 'branch'], message: branchProblem });
  }
  if (isRec(doc.agents)) {
    for (const [name, agent] of Object.entries(doc.agents)) {
      if (!isRec(agent)) continue;
      list(agent.command).forEach((arg, i) => {
        const problem = typeof arg === 'string' ? unknownPlaceholder(arg, AGENT_PLACEHOLDERS) : undefined;
        if (problem) issues.push({ path: ['agents', name, 'command', i], message: problem });
      });
      const script = scriptPlaceholder(list(agent.command));
      if (script) issues.push({ path: ['agents', name, 'command', script.index], message: script.message });
    }
  }
  return issues;
}

/** The folder a worktrees.dir template puts the worktrees in (as src/worktree/layout.ts's worktreesRoot). */
const worktreesFolder = (dir: string, repoRoot: string): string =>
  resolve(repoRoot, fillTemplate(dir, { repo: basename(repoRoot) }));

/** A worktrees.dir inside the repository (or its .git): a worker would work in the main checkout, or git see the worktrees as its files (SPEC §9). */
function worktreesInsideProblem(dir: string, ctx: RuleContext): string | undefined {
  if (!ctx.repoRoot) return undefined;
  const folder = worktreesFolder(dir, ctx.repoRoot);
  if (relativeInside(ctx.repoRoot, folder) === undefined) return undefined;
  return `puts the worktrees in ${folder}, inside the repository ${ctx.repoRoot}: choose a folder outside it (the default is ${DEFAULTS.worktreesDir})`;
}

/** A worker whose worktree ({dir}/{feature}) would be the main checkout, or a folder holding it. */
function mainCheckoutProblem(plan: Rec, feature: string, ctx: RuleContext): string | undefined {
  if (!ctx.repoRoot) return undefined;
  const own =
    isRec(plan.worktrees) && typeof plan.worktrees.dir === 'string' ? plan.worktrees.dir : undefined;
  const dir = own ?? ctx.worktreesDir ?? DEFAULTS.worktreesDir;
  // A bad or inside template is reported at worktrees.dir (or in the configuration) already.
  if (worktreesDirProblem(dir) || worktreesInsideProblem(dir, ctx)) return undefined;
  const worktree = join(worktreesFolder(dir, ctx.repoRoot), feature);
  if (relativeInside(worktree, ctx.repoRoot) === undefined) return undefined;
  return `worker "${feature}" would have its worktree at ${worktree}, which is the repository's main checkout or holds it: rename the worker, or set worktrees.dir to a folder of its own (the default is ${DEFAULTS.worktreesDir})`;
}

/** The fields a worker and `defaults` share: agent, timeout, rate_limit_wait, copy, link (and a worker's sparse). */
function fieldRules(w: Rec, at: DocPath, ctx: RuleContext): RawIssue[] {
  const issues: RawIssue[] = [];
  if (typeof w.agent === 'string' && ctx.agents && !ctx.agents.includes(w.agent))
    issues.push({ path: [...at, 'agent'], message: unknownAgent(w.agent, ctx.agents) });
  if (w.timeout !== undefined) {
    const problem = durationProblem(w.timeout);
    if (problem) issues.push({ path: [...at, 'timeout'], message: problem });
  }
  if (typeof w.base === 'string' && w.base.startsWith('-'))
    issues.push({
      path: [...at, 'base'],
      message: `"${w.base}" starts with "-", which git would read as an option (name a branch, tag or commit)`,
    });
  if (w.rate_limit_wait !== undefined) {
    const problem = durationProblem(w.rate_limit_wait);
    if (problem) issues.push({ path: [...at, 'rate_limit_wait'], message: problem });
  }
  for (const key of ['copy', 'link', 'sparse'] as const)
    list(w[key]).forEach((p, i) => {
      if (typeof p !== 'string') return;
      const problem = repoPathProblem(p);
      if (problem === 'outside')
        issues.push({
          path: [...at, key, i],
          message: `"${p}" must be a path inside the repository (relative, without "..")`,
        });
      else if (problem)
        issues.push({
          path: [...at, key, i],
          message: `"${p}" is ${problem === 'whole' ? 'the whole repository' : "git's own folder"}: name the files or folders the worker needs`,
        });
    });
  // A path both copied and linked (or one inside the other): the copy would land in the main checkout
  // through the link.
  const copies = list(w.copy).filter((c): c is string => typeof c === 'string');
  list(w.link).forEach((p, i) => {
    if (typeof p !== 'string' || repoPathProblem(p)) return;
    const c = copies.find((x) => !repoPathProblem(x) && overlaps(x, p));
    if (c)
      issues.push({
        path: [...at, 'link', i],
        message: `"${pathParts(p).join('/')}" and copy "${pathParts(c).join('/')}" name the same files (one is inside the other): keep one of them`,
      });
  });
  return issues;
}

/**
 * The most a task may hold: it reaches the agent as one argument, and Linux refuses an argument over
 * 128 KiB ("Argument list too long") when the worker starts; the protocol is added to it.
 */
export const MAX_TASK_BYTES = 100 * 1024;

/** What is wrong with a task's text, or undefined. */
export function taskProblem(task: string): string | undefined {
  if (task.trim() === '') return 'the task is empty or only whitespace: say what the agent should do';
  const bytes = Buffer.byteLength(task);
  if (bytes > MAX_TASK_BYTES)
    return `the task is ${Math.ceil(bytes / 1024)} KiB, over the ${MAX_TASK_BYTES / 1024} KiB an agent can be given as an argument: put the details in a file in the repository and have the task say to read it`;
  return undefined;
}

/**
 * A worker whose agent (one of the plan's `agents`) takes `{model}` in its command must name a model,
 * or the agent would get an empty argument.
 */
function modelPlaceholderRules(plan: Rec, workers: unknown[]): RawIssue[] {
  const agents = isRec(plan.agents) ? plan.agents : {};
  const defaults = isRec(plan.defaults) ? plan.defaults : {};
  const issues: RawIssue[] = [];
  workers.forEach((w, i) => {
    if (!isRec(w)) return;
    // Every agent its tries may run: `agents`, else its own (or the defaults').
    const names = Array.isArray(w.agents) ? list(w.agents) : [w.agent ?? defaults.agent];
    const name = names.find((n): n is string => {
      const agent = typeof n === 'string' ? agents[n] : undefined;
      return isRec(agent) && list(agent.command).some((a) => typeof a === 'string' && a.includes('{model}'));
    });
    const named = [w.model, w.models, defaults.model, defaults.models].some((m) => m !== undefined);
    if (name !== undefined && !named)
      issues.push({
        path: ['workers', i, 'feature'],
        message: `agent "${name}" takes {model} in its command: give this worker a model (model: …), or set defaults.model`,
      });
  });
  return issues;
}

/**
 * Try k of a best-of worker F runs in session `wt-F-try{k}` (SPEC §11): a worker named `F-try{k}`
 * would share it. (Its worktree and branch, `F.try{k}`, cannot be a feature's: features have no '.'.)
 */
function tryNameRules(workers: unknown[], features: (string | undefined)[]): RawIssue[] {
  const issues: RawIssue[] = [];
  workers.forEach((w, i) => {
    const feature = features[i];
    if (!isRec(w) || feature === undefined || typeof w.best_of !== 'number') return;
    for (let k = 1; k <= Math.min(w.best_of, 10) && w.best_of >= 2; k++) {
      const j = features.indexOf(tryFeature(feature, k, '-'));
      if (j >= 0)
        issues.push({
          path: ['workers', j, 'feature'],
          message: `"${features[j]}" would share its tmux session with try ${k} of "${feature}" (best_of: ${w.best_of}, sessions wt-${feature}-try1…): rename one of them`,
        });
    }
  });
  return issues;
}

function unknownAgent(name: string, agents: readonly string[]): string {
  const near = closest(name, agents);
  const mean = near !== undefined ? `did you mean "${near}"? ` : '';
  return `unknown agent "${name}" (${mean}valid agents: ${agents.join(', ')}; or define it under agents:)`;
}

function unknownFeature(name: string, features: readonly (string | undefined)[]): string {
  const known = [...new Set(features.filter((f): f is string => f !== undefined))];
  const near = closest(name, known);
  const hint = near !== undefined ? `did you mean "${near}"?` : `features in this plan: ${known.join(', ')}`;
  return `needs unknown feature "${name}" (${hint})`;
}

/** Each `needs` cycle once, named in full (`a -> b -> a`), at the need that starts it. */
function cycleRules(workers: unknown[], features: (string | undefined)[]): RawIssue[] {
  const index = new Map<string, number>();
  features.forEach((f, i) => f !== undefined && !index.has(f) && index.set(f, i));
  const edges = workers.map((w, i) =>
    list(isRec(w) ? w.needs : undefined)
      .map((n) => (typeof n === 'string' && n !== features[i] ? index.get(n) : undefined))
      .filter((n): n is number => n !== undefined),
  );
  const state = new Array<0 | 1 | 2>(workers.length).fill(0); // 0 new, 1 on the stack, 2 done
  const stack: number[] = [];
  const found = new Map<string, number[]>();
  const visit = (u: number): void => {
    state[u] = 1;
    stack.push(u);
    for (const v of edges[u]!) {
      if (state[v] === 1) {
        const cycle = stack.slice(stack.indexOf(v));
        const start = cycle.indexOf(Math.min(...cycle));
        const canonical = [...cycle.slice(start), ...cycle.slice(0, start)];
        found.set(canonical.join(','), canonical);
      } else if (state[v] === 0) visit(v);
    }
    stack.pop();
    state[u] = 2;
  };
  for (let i = 0; i < workers.length; i++) if (state[i] === 0 && index.get(features[i] ?? '') === i) visit(i);
  return [...found.values()].map((cycle) => {
    const [first, second] = [cycle[0]!, cycle[1] ?? cycle[0]!];
    const j = list((workers[first] as Rec).needs).indexOf(features[second]);
    const names = [...cycle, first].map((i) => features[i]).join(' -> ');
    return {
      path: ['workers', first, 'needs', j],
      message: `needs cycle: ${names} (remove one of these needs)`,
    };
  });
}

/** Programs that run their `-c` (or `-e`) argument as code: shells, and the usual interpreters. */
const SHELLS = /^(sh|bash|zsh|dash|ksh|mksh|ash|fish|busybox)$/;
const INTERPRETERS = /^(python[0-9.]*|node|nodejs|perl|ruby)$/;

/**
 * The placeholder inside a script a custom agent's command runs as code (`sh -c "… {task} …"`, also
 * after `env`, `bash -lc`, `node -e`), as the index of that argument and a message; undefined when none.
 * wo substitutes placeholders as it launches (src/session/launch.ts), `${task}` included, and quoting
 * cannot make a text safe inside a script (SPEC §9): the text must come in as a file or an argument.
 */
export function scriptPlaceholder(
  command: readonly unknown[],
): { index: number; message: string } | undefined {
  const argv = command.map((a) => (typeof a === 'string' ? a : ''));
  for (let k = 0; k < argv.length; k++) {
    const prog = argv[k]!.split('/').pop()!;
    const shell = SHELLS.test(prog);
    if (!shell && !INTERPRETERS.test(prog)) continue;
    const codeFlag = shell ? 'c' : prog.startsWith('python') ? 'c' : 'e';
    let runsCode = false;
    for (let j = k + 1; j < argv.length; j++) {
      const a = argv[j]!;
      if (a === '--') {
        // The end of its options: with -c, the script comes next.
        const hit = runsCode ? at(argv, j + 1, prog, '-c') : undefined;
        if (hit) return hit;
        break;
      }
      if (/^[-+][A-Za-z]+$/.test(a)) {
        if (a.slice(1).includes(codeFlag)) {
          // An interpreter's code is the option's argument; a shell's, its first operand.
          if (!shell || runsCode) {
            const hit = at(argv, j + 1, prog, a);
            if (hit) return hit;
            break; // its code is clean: a shell or interpreter among its arguments is looked at next
          }
          runsCode = true;
        } else if (shell && /^[-+]o$/.test(a)) j++; // `-o pipefail`: the option's value
        continue;
      }
      if (a.startsWith('--')) continue; // a long option (--norc, --login)
      const hit = runsCode ? at(argv, j, prog, '-c') : undefined;
      if (hit) return hit;
      break; // a clean script, a script file or a command: its arguments are looked at next
    }
  }
  return undefined;
}

/** The issue for a placeholder in argv[index], the script of `prog flag`, if it holds one. */
function at(
  argv: readonly string[],
  index: number,
  prog: string,
  flag: string,
): { index: number; message: string } | undefined {
  const script = argv[index];
  if (script === undefined) return undefined;
  const name = AGENT_PLACEHOLDERS.find((p) => script.includes(`{${p}}`));
  if (name === undefined) return undefined;
  return {
    index,
    message: `{${name}} inside the script of "${prog} ${flag}" would be run as code (quoting cannot make a text safe inside a script): pass it as an argument after the script instead (${prog} ${flag} '… "$1" …' ${prog} "{prompt_file}"), or read the prompt from the file named by $WO_PROMPT_FILE`,
  };
}
