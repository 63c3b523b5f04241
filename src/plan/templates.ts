// Placeholders in templates ({repo}, {feature}, …) and git's rules for branch names.
import { closest } from './suggest.js';

/** Placeholders an agent's argv may use (SPEC §1). */
export const AGENT_PLACEHOLDERS = [
  'prompt',
  'prompt_file',
  'task',
  'feature',
  'worktree',
  'branch',
  'model',
] as const;
export const WORKTREES_DIR_PLACEHOLDERS = ['repo'] as const;
export const BRANCH_PLACEHOLDERS = ['feature', 'repo'] as const;
export const REPORT_DIR_PLACEHOLDERS = ['run_id'] as const;
/** Placeholders of `integrate.branch` (SPEC §10). */
export const INTEGRATE_BRANCH_PLACEHOLDERS = ['run_id', 'date'] as const;

/** The name of try k of feature F (SPEC §11): `F.try{k}` for its worktree and branch, `F-try{k}` in its session. */
export function tryFeature(feature: string, k: number, sep: '.' | '-' = '.'): string {
  return `${feature}${sep}try${k}`;
}

/** The `{name}` placeholders in a template, in order; `${NAME}` (shell syntax) is not one. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/(?<!\$)\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!);
}

/** Replaces each `{name}` that `values` knows; leaves the rest as written. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/(?<!\$)\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (all, name: string) => values[name] ?? all);
}

/** The first placeholder not in `allowed`, as a message, or undefined. */
export function unknownPlaceholder(template: string, allowed: readonly string[]): string | undefined {
  const bad = placeholders(template).find((p) => !allowed.includes(p));
  if (bad === undefined) return undefined;
  const near = closest(bad, allowed);
  const mean = near !== undefined ? `did you mean {${near}}? ` : '';
  return `unknown placeholder {${bad}} (${mean}valid here: ${allowed.map((p) => `{${p}}`).join(', ')})`;
}

/** Why `name` is not a valid git branch name (git check-ref-format --branch), or undefined. */
export function refNameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name === '@') return 'it is "@"';
  if (name.startsWith('-')) return 'it starts with "-"';
  if (/\s/.test(name)) return 'it contains a space';
  if (/[\x00-\x1f\x7f]/.test(name)) return 'it contains a control character';
  const bad = /[~^:?*[\\]/.exec(name);
  if (bad) return `it contains "${bad[0]}"`;
  for (const seq of ['..', '@{', '//']) if (name.includes(seq)) return `it contains "${seq}"`;
  if (name.startsWith('/') || name.endsWith('/')) return 'it starts or ends with "/"';
  if (name.endsWith('.')) return 'it ends with "."';
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return `a part starts with "." ("${part}")`;
    if (part.endsWith('.lock')) return `a part ends with ".lock" ("${part}")`;
  }
  return undefined;
}

/** What is wrong with a `worktrees.dir` template, or undefined. */
export function worktreesDirProblem(template: string): string | undefined {
  const bad = unknownPlaceholder(template, WORKTREES_DIR_PLACEHOLDERS);
  return bad && `${bad}; each worker's folder is {dir}/{feature}`;
}

/** What is wrong with a `worktrees.branch` template, or undefined; `sample` fills the placeholders. */
export function branchTemplateProblem(
  template: string,
  sample: { feature: string; repo: string },
): string | undefined {
  const bad = unknownPlaceholder(template, BRANCH_PLACEHOLDERS);
  if (bad) return bad;
  if (!placeholders(template).includes('feature'))
    return `must contain {feature}, so that each worker gets its own branch (e.g. "wo/{feature}")`;
  const name = fillTemplate(template, sample);
  const problem = refNameProblem(name);
  return problem && `gives "${name}", which is not a valid git branch name: ${problem}`;
}
