// report.md: summary line, outcome table, a mermaid timeline, and each worker's result under its own heading.
import { stripControl } from '../escapes.js';
import { formatDuration } from '../plan/duration.js';
import { codeSpan, containMarkdown, escapeInline, fenced, tableCell } from './md.js';
import { summaryHead } from './summary.js';
import type { Outcome, ReportTry, ReportWorker, RunReport } from './types.js';

/** Mermaid gantt tags: green for done, red for what failed, the "active" shade for interrupted. */
const GANTT_TAG: Record<Outcome, string> = {
  done: 'done',
  failed: 'crit',
  timeout: 'crit',
  crashed: 'crit',
  interrupted: 'active',
  skipped: '',
};

/** A gantt task name: mermaid reads up to the first `:`, and `#`/`;` start comments or statements. */
const ganttLabel = (text: string): string => text.replace(/[^A-Za-z0-9 _.()/-]/g, '_');

/** `3 (+120 −4, 5 files)`; `0`; `–` when not known. */
export function commitsCell(w: Pick<ReportWorker, 'commits' | 'diffstat'>): string {
  if (w.commits === null) return '–';
  const d = w.diffstat;
  if (!d || w.commits === 0) return String(w.commits);
  return `${w.commits} (+${d.insertions} −${d.deletions}, ${d.files} file${d.files === 1 ? '' : 's'})`;
}

/** `$0.0123` (what the agent reported it cost); `–` when it reported none. */
export function costCell(w: Pick<ReportWorker, 'usage'>): string {
  const cost = w.usage?.cost_usd;
  return cost === null || cost === undefined ? '–' : `$${cost < 0.01 ? cost.toFixed(4) : cost.toFixed(2)}`;
}

/**
 * `Cost $0.42 · 1200 tokens in, 340 out, 800 cache read`: the run's usage added up (report.usage).
 * A field no worker reported is left out; the cost says `not reported` rather than `$0` (SPEC §5).
 */
export function usageLine(report: Pick<RunReport, 'usage'>): string[] {
  const u = report.usage;
  if (!u) return [];
  // A total that leaves out workers whose agent reported no cost says so, and names them (SPEC §5).
  const left = u.cost_left_out ?? [];
  const shown = left.slice(0, 5).join(', ') + (left.length > 5 ? ` and ${left.length - 5} more` : '');
  const cost =
    u.cost_usd === null
      ? 'not reported'
      : `${costCell({ usage: u })}${left.length ? ` (not counted: ${shown}, whose agent reported no cost)` : ''}`;
  const tokens = [
    u.input_tokens !== null && `${u.input_tokens} tokens in`,
    u.output_tokens !== null && `${u.output_tokens} out`,
    u.cache_read_tokens !== null && `${u.cache_read_tokens} cache read`,
  ].filter(Boolean);
  return [`Cost ${cost}${tokens.length ? ` · ${tokens.join(', ')}` : ''}`, ''];
}

/** The reason's first line, cut to REASON_CELL characters: the table is for scanning, the section below has it whole. */
const REASON_CELL = 80;
export function reasonCell(reason: string | null): string {
  if (!reason) return '–';
  const first = reason.trim().split(/\r?\n/)[0]!.trim();
  const more = first.length > REASON_CELL || reason.trim().includes('\n');
  return (
    escapeInline(first.length > REASON_CELL ? first.slice(0, REASON_CELL - 1) : first) + (more ? '…' : '')
  );
}

function table(report: RunReport): string[] {
  const rows = report.workers.map((w) =>
    [
      escapeInline(w.feature),
      w.from_run ? `${w.outcome} (from run ${escapeInline(w.from_run)})` : w.outcome,
      w.duration_ms === null ? '–' : formatDuration(w.duration_ms),
      String(w.attempts),
      w.branch ? codeSpan(w.branch) : '–',
      commitsCell(w),
      costCell(w),
      reasonCell(w.reason),
    ]
      .map(tableCell)
      .join(' | '),
  );
  return [
    '| WORKER | OUTCOME | DURATION | ATTEMPTS | BRANCH | COMMITS | COST | REASON |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ].concat(rows.map((r) => `| ${r} |`));
}

/**
 * One bar per worker that ran. Why `dateFormat x` with a length in whole seconds: epoch-ms
 * starts are exact and zone-free, and mermaid's gantt accepts `Ns` lengths reliably where
 * millisecond lengths and decimal seconds are not parsed. Workers that never started have
 * no bar (mermaid rejects a task without dates).
 */
function gantt(report: RunReport): string[] {
  // A worker carried over from an earlier run ran then, not in this run's time.
  const ran = report.workers.filter((w) => !w.from_run && w.started_at !== null && w.finished_at !== null);
  if (ran.length === 0) return [];
  const lines = ['```mermaid', 'gantt', '  dateFormat x', '  axisFormat %H:%M:%S', '  section workers'];
  ran.forEach((w, i) => {
    const start = Date.parse(w.started_at!);
    const seconds = Math.max(1, Math.round((Date.parse(w.finished_at!) - start) / 1000));
    const tags = [GANTT_TAG[w.outcome], `w${i}`].filter(Boolean).join(', ');
    lines.push(`  ${ganttLabel(`${w.feature} (${w.outcome})`)} :${tags}, ${start}, ${seconds}s`);
  });
  lines.push('```');
  return lines;
}

/** A best-of worker's tries (SPEC §11), the winner starred: what each scored, changed and cost. */
function triesTable(w: Pick<ReportWorker, 'tries'>): string[] {
  if (!w.tries?.length) return [];
  const cell = (v: number | boolean | null): string => (v === null ? '–' : String(v));
  const row = (t: ReportTry) =>
    [
      `${t.try}${t.winner ? ' ★' : ''}`,
      escapeInline(t.agent) + (t.model !== undefined ? ` (${escapeInline(t.model)})` : ''),
      t.outcome,
      t.verify_passed === null ? '–' : t.verify_passed ? 'passed' : 'failed',
      cell(t.score),
      cell(t.lines_changed),
      costCell(t),
      t.duration_ms === null ? '–' : formatDuration(t.duration_ms),
      codeSpan(t.branch),
      reasonCell(t.reason),
    ].map(tableCell);
  return [
    '',
    '| try | agent | outcome | verify | score | lines changed | cost | duration | branch | reason |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...w.tries.map((t) => `| ${row(t).join(' | ')} |`),
  ];
}

function workerSection(w: ReportWorker): string[] {
  const facts = [`**${w.outcome}**`];
  if (w.from_run) facts.push(`carried over from run ${codeSpan(w.from_run)}: not re-run by this run`);
  if (w.attempts > 0) facts.push(`${w.attempts} attempt${w.attempts === 1 ? '' : 's'}`);
  if (w.duration_ms !== null) facts.push(formatDuration(w.duration_ms));
  if (w.exit_code !== null) facts.push(`exit code ${w.exit_code}`);
  if (w.worktree) facts.push(`worktree ${codeSpan(w.worktree)}`);
  if (w.commits !== null) facts.push(`${w.commits} commit${w.commits === 1 ? '' : 's'} ahead of its base`);
  if (w.diffstat && w.commits)
    facts.push(`${w.diffstat.files} files changed, +${w.diffstat.insertions} −${w.diffstat.deletions}`);
  if (w.agent) facts.push(`agent ${codeSpan(w.agent)}${w.agent_version ? ` ${w.agent_version}` : ''}`);
  if (w.model !== undefined) facts.push(`model ${codeSpan(w.model)}`);
  if (w.usage && (w.usage.input_tokens !== null || w.usage.output_tokens !== null))
    facts.push(`${w.usage.input_tokens ?? 0} tokens in, ${w.usage.output_tokens ?? 0} out`);
  if (w.waiting_ms) facts.push(`waited ${formatDuration(w.waiting_ms)} for a person`);
  if (w.rate_limited_ms) facts.push(`waited ${formatDuration(w.rate_limited_ms)} for a rate limit`);
  if (w.pushed) facts.push(`pushed`);
  if (w.pr_url) facts.push(`draft PR ${w.pr_url}`);
  const out = [`### ${escapeInline(w.feature)}`, '', facts.join(' · '), ...triesTable(w)];
  if (w.handoff_error) out.push('', `Hand-off: ${escapeInline(w.handoff_error)}`);
  if (w.reason) {
    out.push('');
    // A multi-line reason (output lines, verify logs) is kept verbatim in a code block.
    out.push(w.reason.includes('\n') ? fenced(w.reason) : `Reason: ${escapeInline(w.reason)}`);
  }
  out.push('');
  out.push(w.result && w.result.trim() ? containMarkdown(w.result) : '_no result file_');
  out.push('');
  // What a person would have seen (a worker that timed out or was left waiting), as plain text.
  if (w.last_screen) out.push('Last screen:', '', fenced(w.last_screen), '');
  // What its agent was not allowed to do (claude -p cannot ask): a person decides whether to allow it.
  if (w.permission_denials?.length) {
    out.push('Permission denied:', '');
    for (const d of w.permission_denials) out.push(`- ${escapeInline(d.tool)}: ${codeSpan(d.wanted)}`);
    out.push('');
  }
  return out;
}

/**
 * Under the summary line, which counts this run's workers only: how many more lines are carried over
 * from earlier runs (`wo run --failed`), and from which.
 */
function carriedNote(report: RunReport): string[] {
  const carried = report.workers.filter((w) => w.from_run);
  if (carried.length === 0) return [];
  const runs = [...new Set(carried.map((w) => w.from_run!))].map(codeSpan).join(', ');
  const n = carried.length;
  return [
    `Also listed: ${n} worker${n === 1 ? '' : 's'} of the plan this run did not re-run, with ${n === 1 ? 'its' : 'their'} latest outcome carried over from run ${runs} (not counted above).`,
    '',
  ];
}

/** A rehearsal's note (SPEC §12): what it proved, and which workers a step stood in for. */
export function rehearsalNote(report: Pick<RunReport, 'rehearsal' | 'workers'>): string[] {
  if (!report.rehearsal) return [];
  const stood = report.workers.filter((w) => w.rehearsal === 'stand-in');
  return [
    '**Rehearsal**: every agent talked to the scripted model wo started on 127.0.0.1, not to its provider; usage is what that model counted, and nothing was billed.',
    ...(stood.length
      ? [
          '',
          `Stood in for (their agent does not rehearse; a step wrote \`done\`): ${stood.map((w) => `${escapeInline(w.feature)} (${escapeInline(w.agent ?? '?')})`).join(', ')}.`,
        ]
      : []),
    '',
  ];
}

/** What the conflict radar predicted while the workers ran (SPEC §10). */
function radarSection(report: RunReport): string[] {
  const found = report.predicted_conflicts ?? [];
  if (found.length === 0) return [];
  return [
    '## Predicted conflicts',
    '',
    ...found.map(
      (c) =>
        `- ${escapeInline(c.feature)} ⚠ conflicts with ${escapeInline(c.with)} in ${c.files.map(codeSpan).join(', ')}`,
    ),
    '',
  ];
}

/** The Integration section (SPEC §10): the branch, what was merged, each conflict, and verify. */
export function integrationSection(report: Pick<RunReport, 'integration'>): string[] {
  const x = report.integration;
  if (!x) return [];
  const out = [
    '## Integration',
    '',
    `**${x.outcome}** · branch ${codeSpan(x.branch)} from ${codeSpan(x.base)}${x.head ? ` at ${codeSpan(x.head.slice(0, 12))}` : ''} · ${formatDuration(x.duration_ms)}`,
    '',
    `Merged, in order: ${x.merged.length ? x.merged.map(escapeInline).join(', ') : 'none'}`,
  ];
  for (const c of x.conflicts)
    out.push(
      `- ${escapeInline(c.feature)} conflicts${c.with.length ? ` with ${c.with.map(escapeInline).join(', ')}` : ''} in ${c.files.map(codeSpan).join(', ')} (${escapeInline(c.resolution)})`,
    );
  if (x.not_merged.length) out.push('', `Not merged: ${x.not_merged.map(escapeInline).join(', ')}`);
  if (x.verify) {
    const v = x.verify;
    out.push(
      '',
      `Verify ${codeSpan(v.command)}: ${v.passed ? 'passed' : `failed (exit ${v.exit_code ?? '–'}). ${escapeInline(v.finding ?? '')}`} · ${v.runs} run${v.runs === 1 ? '' : 's'}`,
    );
    if (v.output) out.push('', fenced(v.output));
  }
  if (x.reason) out.push('', `Reason: ${escapeInline(x.reason)}`);
  if (x.pr_url) out.push('', `Draft PR ${x.pr_url}`);
  if (x.handoff_error) out.push('', `Hand-off: ${escapeInline(x.handoff_error)}`);
  out.push('');
  return out;
}

export function renderMarkdown(report: RunReport): string {
  const lines = [
    `# wo ${report.rehearsal ? 'rehearsal' : 'run'} ${escapeInline(report.run_id)}`,
    '',
    ...rehearsalNote(report),
    `**${summaryHead(report.summary)}** in ${formatDuration(report.duration_ms)}`,
    '',
    ...carriedNote(report),
    ...usageLine(report),
    `Plan ${codeSpan(report.plan)}${report.shard ? ` · shard ${report.shard.index}/${report.shard.total}` : ''} · started ${report.started_at} · finished ${report.finished_at}`,
    '',
    ...table(report),
    '',
  ];
  lines.push(...radarSection(report), ...integrationSection(report));
  const timeline = gantt(report);
  if (timeline.length) lines.push('## Timeline', '', ...timeline, '');
  lines.push('## Results', '');
  for (const w of report.workers) lines.push(...workerSection(w));
  // Results, reasons and screens are agents' and programs' text: none of their escapes reach a reader
  // of report.md in a terminal (SPEC §9); wo's own markdown has none to lose.
  return `${stripControl(lines.join('\n')).replace(/\n+$/, '')}\n`;
}
