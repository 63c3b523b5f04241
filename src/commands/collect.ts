// wo collect [feature]: the results of done/failed workers; running ones are named as still running.
import type { Context } from '../context.js';
import { stripControl } from '../escapes.js';
import type { Workspace } from '../workspace.js';
import { assertFeatureName, byName, findWorkers, unknownWorker, workerState } from '../worker/inspect.js';
import { protocolPaths, readResult } from '../protocol/protocol.js';
import { readSavedResult } from '../protocol/saved.js';
import { endedWord } from '../life/state.js';
import { reportedOnly, type ReportedOnly } from '../run/history.js';
import { openCommandWorkspace } from './settings.js';

export interface CollectOptions {
  json?: boolean;
}

export interface CollectEntry {
  feature: string;
  status: string;
  /** The result file's text; null while running or when the worker wrote none. */
  result: string | null;
}

export async function collectCommand(ctx: Context, feature: string | undefined, opts: CollectOptions = {}) {
  if (feature !== undefined) assertFeatureName(feature);
  const ws = await openCommandWorkspace(ctx, { tmux: true });
  return collectResults(ctx, ws, feature, opts);
}

/** Why a worker has a line but no worktree: the run that reported it. */
const noteOf = (last: ReportedOnly): string =>
  `(${last.feature} was ${last.outcome} in run ${last.runId ?? '?'} of ${last.plan}${last.reason ? `: ${last.reason}` : ''}; it has no worktree)`;

export async function collectResults(
  ctx: Context,
  ws: Workspace,
  feature: string | undefined,
  opts: CollectOptions,
): Promise<number> {
  const views = await findWorkers(ws, { feature });
  const entries: CollectEntry[] = [];
  const notes: string[] = [];
  if (feature !== undefined && views.length === 0) {
    // Its worktree is gone: `wo clean` kept its result.
    const saved = await readSavedResult(ws.repoRoot, feature);
    if (saved) {
      entries.push({ feature, status: saved.status ?? 'cleaned', result: saved.text });
      notes.push(
        `(worktree removed by wo clean${saved.cleanedAt ? ` at ${saved.cleanedAt}` : ''}; result kept in ${saved.path})`,
      );
    } else {
      // A worker of a plan that never started (skipped) is only a line in a report (SPEC §5).
      const [last] = await reportedOnly(ws.repoRoot, new Set(), feature);
      if (!last) throw await unknownWorker(ws, feature);
      entries.push({ feature, status: last.outcome, result: null });
      notes.push(noteOf(last));
    }
  }
  for (const v of views) {
    const state = workerState(v);
    const result = state.final ? await readResult(v.loc.worktree) : undefined;
    entries.push({ feature: v.feature, status: endedWord(state), result: result ?? null });
  }
  // The latest run's skipped workers, which never got a worktree, are listed too (SPEC §5).
  if (feature === undefined) {
    for (const last of await reportedOnly(ws.repoRoot, new Set(views.map((v) => v.feature)))) {
      entries.push({ feature: last.feature, status: last.outcome, result: null });
      notes.push(noteOf(last));
    }
    entries.sort((a, b) => byName(a.feature, b.feature));
  }

  if (opts.json) {
    ctx.io.out(`${JSON.stringify(entries, null, 2)}\n`);
    return 0;
  }
  if (entries.length === 0) {
    ctx.io.out(`no workers. Start one with: wo spawn <feature> "<task>" --create\n`);
    return 0;
  }
  const finished = entries.filter((e) => e.status !== 'running');
  const running = entries.filter((e) => e.status === 'running').map((e) => e.feature);
  const parts: string[] = [];
  for (const e of finished) {
    const view = views.find((v) => v.feature === e.feature);
    // A result is shown as text: no escape sequence in it reaches the terminal (the JSON form
    // escapes them anyway).
    const body =
      (e.result !== null ? stripControl(e.result).trimEnd() : '') ||
      `(no result file${view ? `: ${protocolPaths(view.loc.worktree).result} does not exist` : ''})`;
    parts.push(`## ${e.feature} — ${e.status}\n\n${body}\n`);
  }
  parts.push(...notes.map((n) => `${n}\n`));
  if (finished.length === 0) parts.push('no finished workers yet.\n');
  if (running.length) parts.push(`still running: ${running.join(', ')} (see wo status)\n`);
  ctx.io.out(parts.join('\n'));
  return 0;
}
