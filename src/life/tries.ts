// Best of N (SPEC §11): which agent and model a try gets, and which try wins. Pure: the judging
// stage gathers each try's facts (its outcome, the judge's output, its diff, cost and time) and moves
// the worker's branch as `branchMove` says.
import type { Outcome } from './state.js';

/** Try k's pick of a list its tries cycle through (`agents`, `models`): `list[(k-1) mod length]`. */
export function cycle<T>(list: readonly T[] | undefined, k: number): T | undefined {
  return list && list.length > 0 ? list[(k - 1) % list.length] : undefined;
}

/** What the judging knows of one try once it ended. */
export interface TryFacts {
  k: number;
  outcome: Outcome;
  /** Its outcome's reason, when it did not pass. */
  reason?: string;
  /** The judge's output (a passing try of a worker with a judge); undefined: not judged. */
  judged?: { exitCode: number; stdout: string };
  /** Lines added and removed against its base; null when not known. */
  linesChanged: number | null;
  costUsd: number | null;
  durationMs: number | null;
}

/** One try's verdict: its score, and why it cannot win (absent: it can). */
export interface TryVerdict {
  k: number;
  score: number | null;
  reason?: string;
}

/** The judge's number: the last line it printed, when that line is a number; else why not. */
export function judgeScore(j: { exitCode: number; stdout: string }): number | { problem: string } {
  if (j.exitCode !== 0) return { problem: `the judge exited with code ${j.exitCode}` };
  const last = j.stdout.trim().split('\n').pop()?.trim() ?? '';
  const n = last === '' ? NaN : Number(last);
  return Number.isFinite(n) ? n : { problem: `the judge printed no number (its last line: "${last}")` };
}

/** Nulls (not known) rank after every known value. */
const low = (a: number | null, b: number | null): number =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : a - b;

/**
 * Each try's verdict and the winner (SPEC §11): among passing tries (`done`, and a number from the
 * judge when there is one), the highest score, then the fewest changed lines, the lowest cost, the
 * shortest duration, the lowest k. Undefined winner: no try passed.
 */
export function judgeTries(
  tries: readonly TryFacts[],
  hasJudge: boolean,
): { winner?: number; verdicts: TryVerdict[] } {
  const verdicts = tries.map((t): TryVerdict => {
    if (t.outcome !== 'done') return { k: t.k, score: null, reason: t.reason ?? `it ended ${t.outcome}` };
    if (!hasJudge) return { k: t.k, score: null };
    const s = t.judged ? judgeScore(t.judged) : { problem: 'the judge did not run' };
    return typeof s === 'number'
      ? { k: t.k, score: s }
      : { k: t.k, score: null, reason: `disqualified: ${s.problem}` };
  });
  const facts = new Map(tries.map((t) => [t.k, t]));
  const passing = verdicts.filter((v) => v.reason === undefined);
  passing.sort((a, b) => {
    const [x, y] = [facts.get(a.k)!, facts.get(b.k)!];
    return (
      (hasJudge ? (b.score ?? 0) - (a.score ?? 0) : 0) ||
      low(x.linesChanged, y.linesChanged) ||
      low(x.costUsd, y.costUsd) ||
      low(x.durationMs, y.durationMs) ||
      a.k - b.k
    );
  });
  return { ...(passing[0] && { winner: passing[0].k }), verdicts };
}

/**
 * How the worker's branch comes to point at the winner's head without losing a commit: created when
 * missing, fast-forwarded when it is an ancestor of the head, left when it already is the head;
 * otherwise refused, naming the branch to move.
 */
export function branchMove(
  branch: string,
  git: { exists: boolean; isHead?: boolean; isAncestor?: boolean },
  winner: { k: number; branch: string },
): { move: 'create' | 'fast-forward' | 'none' } | { refused: string } {
  if (!git.exists) return { move: 'create' };
  if (git.isHead) return { move: 'none' };
  if (git.isAncestor) return { move: 'fast-forward' };
  return {
    refused: `branch ${branch} has commits that try ${winner.k}'s branch ${winner.branch} lacks: it was not moved, so nothing is lost. Merge ${winner.branch} into it, or delete it ('git branch -D ${branch}') and run again.`,
  };
}

/** `F.try{k}` (a try's feature, SPEC §11) as F and k; undefined for an ordinary worker's name. */
export function parseTry(name: string): { feature: string; k: number } | undefined {
  const m = /^(.+)\.try([1-9][0-9]?)$/.exec(name);
  return m ? { feature: m[1]!, k: Number(m[2]) } : undefined;
}

/** A worker's name in its tmux session: `F-try{k}` for try k (tmux takes no '.' in a session's name). */
export function sessionName(name: string): string {
  const t = parseTry(name);
  return t ? `${t.feature}-try${t.k}` : name;
}

/** The try a session's name may stand for (sessionName's inverse): `F-try{k}` → `F.try{k}`. */
export function tryOfSessionName(name: string): string | undefined {
  const m = /^(.+)-try([1-9][0-9]?)$/.exec(name);
  return m ? `${m[1]}.try${m[2]}` : undefined;
}

/** A worker of the plan and what stands for it in a run: itself, or its tries (SPEC §11). */
export interface PlanGroup<T> {
  feature: string;
  /** Whether its items are tries (`F.try{k}`) of a best-of worker. */
  tries: boolean;
  items: T[];
}

/**
 * Items (workers or their names) gathered by the plan's worker, in first-seen order: a best-of
 * worker once, with its tries' items, so that a count of workers is the plan's.
 */
export function byPlanWorker<T>(items: Iterable<T>, name: (item: T) => string): PlanGroup<T>[] {
  const groups = new Map<string, PlanGroup<T>>();
  for (const item of items) {
    const t = parseTry(name(item));
    const feature = t?.feature ?? name(item);
    let g = groups.get(feature);
    if (!g) groups.set(feature, (g = { feature, tries: t !== undefined, items: [] }));
    g.items.push(item);
  }
  return [...groups.values()];
}
