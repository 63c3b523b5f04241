// A rehearsal script (SPEC §12, `wo run --rehearse FILE`): what the scripted model does per feature,
// and the model's turns each choice becomes. The file is YAML, one `feature: choice` per line:
//
//   login: ok          # writes .wo-rehearsal/login.md, commits it, writes the result and done
//   search: fail       # writes why to the result, then failed
//   billing: ask       # first asks a person (a command outside the agent's allowed tools)
//   export: limit 20s  # first hits its provider's limit, which resets 20 s later
//   admin: silent      # ends its turn at once, saying nothing
//
// A feature the file does not name is `ok`. docs/rehearsal.md says the same for users.
import { isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import { PlanError, type PlanIssue } from '../errors.js';
import { durationProblem, parseDuration } from '../plan/duration.js';
import type { Step } from './model-server.js';

/** What the scripted model does for one feature. */
export type Choice =
  | { kind: 'ok' | 'fail' | 'ask' | 'silent' }
  /** Hits its provider's limit first, which resets `ms` after the model said so. */
  | { kind: 'limit'; ms: number };

/** A parsed rehearsal script: each named feature's choice, and the line that named it. */
export interface RehearsalScript {
  file: string;
  choices: Map<string, { choice: Choice; line: number }>;
}

const CHOICES = 'ok, fail, ask, limit DUR (e.g. limit 20s) or silent';

/** Reads one choice; a problem in words otherwise. */
export function parseChoice(text: string): Choice | string {
  const t = text.trim();
  if (t === 'ok' || t === 'fail' || t === 'ask' || t === 'silent') return { kind: t };
  const m = /^limit(?:\s+(\S+))?$/.exec(t);
  if (m) {
    if (m[1] === undefined) return `"limit" needs how long the limit lasts: limit 20s`;
    const problem = durationProblem(m[1]);
    return problem ?? { kind: 'limit', ms: parseDuration(m[1]) };
  }
  return `${JSON.stringify(t)} is not a rehearsal choice: use ${CHOICES}`;
}

/**
 * Parses a rehearsal script's text; every problem at once, as `file:line:column` (exit 2). `features`,
 * when given, are the plan's: a name outside them is a problem too.
 */
export function parseRehearsalScript(
  text: string,
  file: string,
  features?: ReadonlySet<string>,
): RehearsalScript {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const issues: PlanIssue[] = [];
  const at = (offset: number | undefined) => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return { line, column: col };
  };
  // yaml's own words, without the position it repeats (file:line:column says it).
  for (const e of doc.errors)
    issues.push({
      file,
      ...at(e.pos[0]),
      path: '',
      message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
    });
  const choices = new Map<string, { choice: Choice; line: number }>();
  if (issues.length === 0 && doc.contents !== null) {
    if (!isMap(doc.contents))
      issues.push({
        file,
        ...at(doc.contents.range?.[0]),
        path: '',
        message: `a rehearsal script is a mapping of feature to choice (login: ok); choices: ${CHOICES}`,
      });
    else
      for (const pair of doc.contents.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        const where = at(isScalar(pair.key) ? pair.key.range?.[0] : undefined);
        if (key === undefined) {
          issues.push({ file, ...where, path: '', message: 'a key must be a feature name' });
          continue;
        }
        if (features && !features.has(key)) {
          issues.push({
            file,
            ...where,
            path: key,
            message: `no worker "${key}" in the plan (its features: ${[...features].join(', ') || 'none'})`,
          });
          continue;
        }
        const value = isScalar(pair.value) ? pair.value.value : undefined;
        const choice =
          typeof value === 'string' ? parseChoice(value) : `the choice must be one of ${CHOICES}`;
        if (typeof choice === 'string')
          issues.push({
            file,
            ...at(isNode(pair.value) ? pair.value.range?.[0] : undefined),
            path: key,
            message: choice,
          });
        else choices.set(key, { choice, line: where.line });
      }
  }
  if (issues.length) throw new PlanError(issues);
  return { file, choices };
}

/** The choice for a feature: the script's, or `ok`. */
export const choiceOf = (script: RehearsalScript | undefined, feature: string): Choice =>
  script?.choices.get(feature)?.choice ?? { kind: 'ok' };

/** Words for a choice (the report, the notice). */
export const choiceWords = (c: Choice): string => (c.kind === 'limit' ? `limit ${c.ms / 1000}s` : c.kind);

/**
 * The scripted model's turns for one worker, through the agent's own tools (its file tool and its
 * shell, each within the preset's allowed tools). `worktree` is absolute: Claude Code's file tool
 * takes absolute paths.
 */
export function stepsFor(choice: Choice, feature: string, worktree: string): Step[] {
  const note = `${worktree}/.wo-rehearsal/${feature}.md`;
  const ok: Step[] = [
    {
      write: note,
      content: `# ${feature}\n\nWritten by the scripted model of a wo rehearsal (wo run --rehearse).\n`,
    },
    { bash: `git add .wo-rehearsal/${feature}.md` },
    { bash: `git commit -q -m "Rehearsal: ${feature}"` },
    {
      write: `${worktree}/.worker-result.md`,
      content: `Rehearsal: wrote and committed .wo-rehearsal/${feature}.md.\n`,
    },
    { bash: 'echo done > .worker-status' },
    { text: 'Done: the rehearsal task is committed.' },
  ];
  switch (choice.kind) {
    case 'ok':
      return ok;
    case 'fail':
      return [
        { write: `${worktree}/.worker-result.md`, content: 'Rehearsal: the scripted failure.\n' },
        { bash: 'echo failed > .worker-status' },
        { text: 'Failed, as the rehearsal script says.' },
      ];
    case 'ask':
      // Outside every preset's allowed tools, and harmless when a person allows it.
      return [{ bash: 'sh -c "echo the rehearsal asks a person"' }, ...ok];
    case 'limit': {
      const resetInS = Math.max(1, Math.round(choice.ms / 1000));
      return [{ error: 429, message: 'the rehearsal usage limit', resetInS, times: 1 }, ...ok];
    }
    case 'silent':
      return [{ text: '' }];
  }
}
