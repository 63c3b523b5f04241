// Best of N (SPEC §11): a best-of worker's tries made at selection, each a whole worker; once they
// ended (in the schedule, so that `needs` waits for it), their judging and the move of the worker's
// branch to the winner; and the judge stage, which puts the worker's one record and row in place of
// its tries' and keeps each try's line for the report.
import { branchFacts } from '../handoff/handoff.js';
import { commitOf, isAncestor } from '../git/git.js';
import { branchMove, cycle, judgeTries, parseTry, type TryFacts } from '../life/tries.js';
import { tryFeature } from '../plan/templates.js';
import type { WorkerSpec } from '../plan/types.js';
import { totalUsage, type WorkerInfo } from '../report/build.js';
import type { ReportTry } from '../report/types.js';
import type { TryGroup, WorkerRecord } from '../scheduler/types.js';
import { workerVars } from '../session/launch.js';
import type { BestOf, Judged, RunState, Stage } from './types.js';

/**
 * The workers the scheduler runs: a best-of worker's N tries in its place (SPEC §11), each a whole
 * worker with its own agent and model from the lists its tries cycle through.
 */
export function expandTries(selected: readonly WorkerSpec[]): { workers: WorkerSpec[]; bestOf: BestOf[] } {
  const workers: WorkerSpec[] = [];
  const bestOf: BestOf[] = [];
  for (const w of selected) {
    if (w.bestOf === undefined) {
      workers.push(w);
      continue;
    }
    const { bestOf: n, tryAgents, models, judge, until, model, ...rest } = w;
    void [judge, until];
    const tries = Array.from({ length: n }, (_, i): WorkerSpec => {
      const k = i + 1;
      const m = cycle(models, k) ?? model;
      return {
        ...rest,
        feature: tryFeature(w.feature, k),
        agent: cycle(tryAgents, k) ?? w.agent,
        ...(m !== undefined && { model: m }),
        tryOf: w.feature,
        try: k,
        tries: n,
      };
    });
    workers.push(...tries);
    bestOf.push({ spec: w, tries });
  }
  return { workers, bestOf };
}

/** The scheduler's groups: each best-of worker judged by `judgeWorker` once its tries ended. */
export function tryGroups(r: RunState): TryGroup[] {
  return r.bestOf.map((b) => ({
    feature: b.spec.feature,
    tries: b.tries.map((t) => t.feature),
    ...(b.spec.until === 'first' && {
      passedFirst: (winner: string) =>
        `ended early: try ${winner} passed first (until: first), so this one was not needed`,
    }),
    settle: async (records) => {
      // A judging that broke (git gone, a full disk) fails the worker saying so; its tries stay.
      const judged = await judgeWorker(r, b, records).catch((e: unknown): Judged => ({
        outcome: 'failed',
        reason: `its tries could not be judged: ${e instanceof Error ? e.message : String(e)}`,
        facts: [],
        verdicts: [],
      }));
      r.judged.set(b.spec.feature, judged);
      void r.events.tell({
        type: 'judged',
        feature: b.spec.feature,
        outcome: judged.outcome,
        at: Date.now(),
      });
      r.notice(`wo: ${verdictLine(b, judged, r.ws.locate(b.spec.feature).branch)}\n`);
      // The conflict radar compares the worker, at its winner, with the other done workers.
      if (judged.outcome === 'done') void r.radar?.add(b.spec.feature, r.ws.locate(b.spec.feature).branch);
      return { outcome: judged.outcome, ...(judged.reason !== undefined && { reason: judged.reason }) };
    },
  }));
}

/**
 * What the judging decided, for the person watching (the views show its tries, each a row):
 * `parser: try 2 of 3 won (codex, 4 lines changed); wo/parser points at it`.
 */
export function verdictLine(b: BestOf, j: Judged, branch: string): string {
  const f = b.spec.feature;
  const n = b.tries.length;
  if (j.winner === undefined) return `${f}: ${j.outcome} (best of ${n}): ${j.reason ?? 'no try passed'}`;
  const t = b.tries[j.winner - 1]!;
  const v = j.verdicts.find((x) => x.k === j.winner);
  const lines = j.facts.find((x) => x.k === j.winner)?.linesChanged;
  const why = [
    t.agent,
    ...(t.model !== undefined ? [t.model] : []),
    ...(v?.score !== null && v?.score !== undefined ? [`score ${v.score}`] : []),
    ...(lines !== null && lines !== undefined ? [`${lines} lines changed`] : []),
  ].join(', ');
  const won = `${f}: try ${j.winner} of ${n} won (${why})`;
  return j.outcome === 'done' ? `${won}; ${branch} points at it` : `${won}, but ${j.reason}`;
}

/** Try k's name in a reason: `try 2 (codex)`. */
const named = (t: WorkerSpec): string => `try ${t.try} (${t.agent}${t.model ? `, ${t.model}` : ''})`;

/**
 * Judges a best-of worker's ended tries (SPEC §11) and, when one won, moves the worker's branch to
 * it without losing a commit. The worker is done when a try won and its branch points at it.
 */
export async function judgeWorker(r: RunState, b: BestOf, records: WorkerRecord[]): Promise<Judged> {
  const { ws, ctx } = r;
  const facts = await Promise.all(
    b.tries.map(async (t, i): Promise<TryFacts> => {
      const rec = records[i]!;
      const loc = ws.locate(t.feature);
      const cost = rec.attempts
        .map((a) => a.usage?.cost_usd)
        .filter((c): c is number => typeof c === 'number');
      const ran = rec.attempts.length > 0;
      const stat = ran ? (await branchFacts(ws.git, ws.repoRoot, loc.branch, t.base)).diffstat : null;
      const f: TryFacts = {
        k: t.try!,
        outcome: rec.outcome,
        ...(rec.reason !== undefined && { reason: rec.reason }),
        linesChanged: stat ? stat.insertions + stat.deletions : null,
        costUsd: cost.length ? cost.reduce((x, y) => x + y, 0) : null,
        durationMs:
          rec.startedAt !== undefined && rec.finishedAt !== undefined ? rec.finishedAt - rec.startedAt : null,
      };
      if (rec.outcome === 'done' && b.spec.judge !== undefined) {
        // The judge is the user's shell command, as verify is; bounded by the worker's timeout and the run.
        const out = await ws.runner.run('sh', ['-c', b.spec.judge], {
          cwd: loc.worktree,
          env: { ...ctx.env, ...t.env, ...workerVars({ ...t, worktree: loc.worktree, runId: r.runId }) },
          reject: false,
          ...(t.timeoutMs !== undefined && { timeoutMs: t.timeoutMs }),
          signal: ctx.signal,
        });
        f.judged = { exitCode: out.timedOut ? 124 : out.exitCode, stdout: out.stdout };
      }
      return f;
    }),
  );
  const { winner, verdicts } = judgeTries(facts, b.spec.judge !== undefined);
  if (winner === undefined) {
    const why = verdicts.map((v) => `${named(b.tries[v.k - 1]!)}: ${v.reason ?? 'did not pass'}`).join('; ');
    // Ctrl-C ended the tries: the worker was interrupted, not failed.
    const outcome = ctx.signal.aborted ? 'interrupted' : 'failed';
    return { outcome, reason: `no try passed: ${why}`, facts, verdicts };
  }
  const moved = await moveBranch(r, b, b.tries[winner - 1]!);
  return moved === undefined
    ? { outcome: 'done', winner, facts, verdicts }
    : { outcome: 'failed', reason: moved, winner, facts, verdicts };
}

/**
 * Points the worker's branch at the winner's head when that loses nothing (created, or
 * fast-forwarded); otherwise, or when the branch is checked out somewhere, why not (the worker's
 * reason). `update-ref` with the old value: a branch that moved meanwhile is not overwritten.
 */
async function moveBranch(r: RunState, b: BestOf, winner: WorkerSpec): Promise<string | undefined> {
  const { git, repoRoot } = r.ws;
  const branch = r.ws.locate(b.spec.feature).branch;
  const from = r.ws.locate(winner.feature).branch;
  const head = await commitOf(git, repoRoot, `refs/heads/${from}`);
  if (head === undefined) return `try ${winner.try} won, but its branch ${from} is gone: nothing was moved`;
  const now = await commitOf(git, repoRoot, `refs/heads/${branch}`);
  const behind = now !== undefined && (await isAncestor(git, repoRoot, now, head));
  const move = branchMove(
    branch,
    { exists: now !== undefined, isHead: now === head, isAncestor: behind },
    { k: winner.try!, branch: from },
  );
  if ('refused' in move) return move.refused;
  if (move.move === 'none') return undefined;
  const out = (await git.worktrees(repoRoot)).find(
    (w) => w.branch === branch || w.branch === `refs/heads/${branch}`,
  );
  if (out)
    return `try ${winner.try} won, but branch ${branch} is checked out in ${out.path}, so it was not moved: switch that checkout to another branch (or remove it), then 'git branch -f ${branch} ${from}'.`;
  const res = await git.run(
    repoRoot,
    [
      'update-ref',
      '-m',
      `wo: best of ${b.tries.length}, try ${winner.try} won`,
      `refs/heads/${branch}`,
      head,
      now ?? '',
    ],
    false,
  );
  // A branch the judging made is wo's, as one `worktree add -b` makes: `--push` may push it (SPEC §9).
  if (res.exitCode === 0 && now === undefined) await git.recordCreated(repoRoot, branch);
  return res.exitCode === 0
    ? undefined
    : `try ${winner.try} won, but moving branch ${branch} to ${from} failed: ${res.stderr.trim()}`;
}

/** Whether a try's verify passed: null when the worker has none or it never ran. */
function verifyPassed(spec: WorkerSpec, rec: WorkerRecord): boolean | null {
  if (spec.verify === undefined) return null;
  if (rec.outcome === 'done') return true;
  return rec.reason?.startsWith('verify ') ? false : null;
}

/**
 * The judge stage: each best-of worker's record and facts become one (its winner's, with the
 * worker's branch, every try's usage summed, outcome and reason from the judging), and its tries'
 * lines are kept for the report (`tries`).
 */
export const judge: Stage = {
  name: 'judge',
  run(r) {
    if (r.bestOf.length === 0) return;
    const records = new Map(r.records.map((x) => [x.feature, x]));
    const infos = new Map(r.workers.map((x) => [x.feature, x]));
    const gone = new Set<string>();
    const mine = new Map<string, { record: WorkerRecord; info: WorkerInfo }>();
    for (const b of r.bestOf) {
      const f = b.spec.feature;
      const recs = b.tries.map((t) => records.get(t.feature)!);
      const tinfos = b.tries.map((t) => infos.get(t.feature));
      for (const t of b.tries) gone.add(t.feature);
      // Every group settles once its tries ended, even on Ctrl-C; this is only a guard.
      const judged = r.judged.get(f) ?? {
        outcome: 'interrupted' as const,
        reason: 'the run ended before its tries were judged',
        facts: [],
        verdicts: [],
      };
      const win = judged.winner;
      const main = win !== undefined ? win - 1 : recs.length - 1;
      const times = (xs: Array<number | undefined>) => xs.filter((x): x is number => x !== undefined);
      const started = times(recs.map((x) => x.startedAt));
      const finished = times(recs.map((x) => x.finishedAt));
      // The winner's attempts (or the last try's), the outcome and reason the judging gave.
      const record: WorkerRecord = { ...recs[main]!, feature: f, outcome: judged.outcome };
      delete record.reason;
      if (judged.reason !== undefined) record.reason = judged.reason;
      if (started.length) record.startedAt = Math.min(...started);
      if (finished.length) record.finishedAt = Math.max(...finished);
      const loc = r.ws.locate(f);
      const base = tinfos[main];
      const usage = totalUsage(tinfos.map((x) => x?.usage ?? null));
      const info: WorkerInfo = {
        ...base,
        // The commits on the worker's branch are the winner's, once it points there.
        ...(judged.outcome !== 'done' && { commits: null, diffstat: null }),
        feature: f,
        branch: loc.branch,
        worktree: base?.worktree ?? r.ws.locate(b.tries[main]!.feature).worktree,
        usage,
      };
      mine.set(f, { record, info });
      const verdicts = new Map(judged.verdicts.map((v) => [v.k, v]));
      const facts = new Map(judged.facts.map((x) => [x.k, x]));
      r.tries.set(
        f,
        b.tries.map((t, i): ReportTry => {
          const rec = recs[i]!;
          const v = verdicts.get(t.try!);
          const reason = v?.reason ?? rec.reason ?? null;
          return {
            try: t.try!,
            agent: t.agent,
            ...(t.model !== undefined && { model: t.model }),
            outcome: rec.outcome,
            reason,
            verify_passed: verifyPassed(t, rec),
            score: v?.score ?? null,
            lines_changed: facts.get(t.try!)?.linesChanged ?? null,
            usage: tinfos[i]?.usage ?? null,
            duration_ms: facts.get(t.try!)?.durationMs ?? null,
            started_at: rec.startedAt !== undefined ? new Date(rec.startedAt).toISOString() : null,
            finished_at: rec.finishedAt !== undefined ? new Date(rec.finishedAt).toISOString() : null,
            branch: r.ws.locate(t.feature).branch,
            winner: judged.winner === t.try,
          };
        }),
      );
    }
    // The worker's one record in place of its tries' (at its first try's place: plan order).
    const swap = <T extends { feature: string }>(list: T[], of: (f: string) => T | undefined): T[] =>
      list.flatMap((x) => {
        if (!gone.has(x.feature)) return [x];
        const t = parseTry(x.feature);
        const whole = t?.k === 1 ? of(t.feature) : undefined;
        return whole ? [whole] : [];
      });
    r.records = swap(r.records, (f) => mine.get(f)?.record);
    r.workers = swap(r.workers, (f) => mine.get(f)?.info);
  },
};
