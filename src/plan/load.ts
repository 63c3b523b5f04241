// Reading a plan file and checking it: file problems, YAML syntax, the schema, then the semantic rules.
import { readFile } from 'node:fs/promises';
import type { PlanIssue } from '../errors.js';
import { show } from './ajv-messages.js';
import { mergeIssues, placeIssues, type Locator } from './issues.js';
import { planRules, type RuleContext } from './rules.js';
import { validateShape } from './schema.js';

export type PlanSource =
  /** `fast`: parsed by js-yaml, whose positions are not kept: re-read without `fast` to place issues. */
  | { ok: true; value: Record<string, unknown>; locate: Locator; fast?: boolean }
  /** `fatal`: there is no plan to speak of (missing, a folder, unreadable); nothing else is worth checking. */
  | { ok: false; fatal: boolean; issues: PlanIssue[] };

/**
 * The fast way to a plan's value: js-yaml's YAML 1.2 core schema, about ten times quicker than
 * `yaml` on a cold start (a 500-worker plan: ~15 ms against ~150 ms). It keeps no positions, so it
 * is only the answer for a plan without problems; anything unusual returns undefined.
 */
async function parseFast(text: string): Promise<Record<string, unknown> | undefined> {
  // Where the two readers differ, `yaml` decides: merge keys (`<<:`, which js-yaml's core schema
  // keeps as a key) and 0b101 (a number to js-yaml, a string in YAML 1.2).
  if (/<<\s*:|\b0b[01]/.test(text)) return undefined;
  try {
    const { load, CORE_SCHEMA } = await import('js-yaml');
    const value: unknown = load(text, { schema: CORE_SCHEMA });
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined; // a syntax error: `yaml` says where
  }
}

/**
 * Reads and parses a plan; `shown` is its name in messages. Never throws for a bad file. With
 * `fast`, a well-formed mapping is parsed by js-yaml and `locate` is not available: check it, and
 * read it again without `fast` when there is anything to report.
 */
export async function readPlan(file: string, shown: string, o: { fast?: boolean } = {}): Promise<PlanSource> {
  const fail = (message: string, fatal: boolean, line?: number): PlanSource => ({
    ok: false,
    fatal,
    issues: [{ file: shown, ...(line !== undefined && { line, column: 1 }), path: '', message }],
  });
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('no such file (create it, or give the path of your plan)', true);
    if (code === 'EISDIR') return fail('is a folder, not a plan file (give the path of the YAML file)', true);
    if (code === 'EACCES') return fail('cannot read it: permission denied', true);
    return fail(`cannot read it: ${(e as Error).message}`, true);
  }
  if (o.fast) {
    const value = await parseFast(text);
    if (value) {
      const locate: Locator = () => {
        throw new Error('a plan read with `fast` has no positions: read it again without it');
      };
      return { ok: true, value, locate, fast: true };
    }
  }
  // `yaml` (with positions) is loaded only here: a plan read the fast way never needs it.
  const { parseYaml } = await import('./yaml-source.js');
  const parsed = parseYaml(text);
  if (!parsed.ok) {
    const issues = parsed.errors.map((e) => ({
      file: shown,
      line: e.line,
      column: e.column,
      path: '',
      message: e.message,
    }));
    return { ok: false, fatal: false, issues };
  }
  if (parsed.empty)
    return fail('the plan is empty (start with "version: 1" and a "workers:" list)', false, 1);
  const value = parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const got = show(value);
    const pos = parsed.locate([]);
    return {
      ok: false,
      fatal: false,
      issues: [
        {
          file: shown,
          ...pos,
          path: '',
          message: `the plan must be a mapping with "version" and "workers" keys, got ${got}`,
        },
      ],
    };
  }
  return { ok: true, value: value as Record<string, unknown>, locate: parsed.locate };
}

/** Every problem in a parsed plan: the schema's, then the rules' (none repeated at a path the schema faulted). */
export function checkPlan(
  source: { value: unknown; locate: Locator },
  shown: string,
  ctx: RuleContext,
): PlanIssue[] {
  const raw = mergeIssues(validateShape('plan', source.value), planRules(source.value, ctx));
  return placeIssues(raw, shown, source.locate);
}
