// Reading a plan file and checking it: file problems, YAML syntax, the schema, then the semantic rules.
import { NotRegularFile, openRegular } from '../fsutil.js';
import type { PlanIssue } from '../errors.js';
import { show } from './ajv-messages.js';
import { mergeIssues, type Locator, type RawIssue } from './issues.js';
import { planRules, type RuleContext } from './rules.js';
import { validateShape } from './schema.js';

export type PlanSource =
  /** `locate` is undefined when the plan was read the fast way (js-yaml keeps no positions). */
  | { ok: true; value: Record<string, unknown>; locate?: Locator }
  /** `fatal`: there is no plan to speak of (missing, a folder, unreadable); nothing else is worth checking. */
  | { ok: false; fatal: boolean; issues: PlanIssue[] };

/**
 * The fast way to a plan's value: js-yaml's YAML 1.2 core schema, which loads and parses a large
 * plan several times faster than `yaml` (whose lexer, parser and composer run interpreted in a
 * fresh process); docs/performance.md has the figures that keep it. It keeps no positions, so it is
 * only the answer for a plan without problems; anything unusual returns undefined.
 */
async function parseFast(text: string): Promise<Record<string, unknown> | undefined> {
  // Where the two readers differ, `yaml` decides: merge keys (`<<:`, which js-yaml's core schema
  // keeps as a key) and 0b101 (a number to js-yaml, a string in YAML 1.2).
  if (/<<\s*:|\b0b[01]/.test(text)) return undefined;
  // Anchors: js-yaml expands aliases without a limit (an alias bomb); `yaml` counts them.
  if (/(^|[\s:,[{-])&[A-Za-z0-9_-]/m.test(text)) return undefined;
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
 * `fast`, a well-formed mapping is parsed by js-yaml and has no `locate`: check it, and read it
 * again without `fast` when there is anything to report.
 */
export async function readPlan(
  file: string,
  shown: string,
  options: { fast?: boolean } = {},
): Promise<PlanSource> {
  const fail = (message: string, fatal: boolean, line?: number): PlanSource => ({
    ok: false,
    fatal,
    issues: [{ file: shown, ...(line !== undefined && { line, column: 1 }), path: '', message }],
  });
  let text: string;
  try {
    // Only a regular file, opened without waiting: a FIFO would block the read (and Ctrl-C) forever.
    const fh = await openRegular(file);
    try {
      text = await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch (e) {
    // Every read error is told as a problem of the plan file, with its fix.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('no such file (create it, or give the path of your plan)', true);
    if (e instanceof NotRegularFile && e.kind === 'a folder')
      return fail('is a folder, not a plan file (give the path of the YAML file)', true);
    if (e instanceof NotRegularFile)
      return fail(`is ${e.kind}, not a regular file (give the path of the YAML file)`, true);
    if (code === 'EISDIR') return fail('is a folder, not a plan file (give the path of the YAML file)', true);
    if (code === 'EACCES') return fail('cannot read it: permission denied', true);
    return fail(`cannot read it: ${(e as Error).message}`, true);
  }
  if (options.fast) {
    const value = await parseFast(text);
    if (value) return { ok: true, value };
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

/** Every problem in a plan's value, not yet placed: the schema's, then the rules' (none repeated at a path the schema faulted). */
export function planProblems(value: unknown, ctx: RuleContext): RawIssue[] {
  return mergeIssues(validateShape('plan', value), planRules(value, ctx));
}
