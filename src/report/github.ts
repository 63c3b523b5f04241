// GitHub Actions output (SPEC §7, §8): the step summary, a log group per worker, and an error
// annotation per failed worker, all as GitHub's workflow commands and files require. What a worker's
// log group holds is worded with the other views, in ui/log-groups.ts.
//
// Rules relied on (sources in docs/commands.md, "GitHub Actions"):
// - A workflow command is a line `::name key=value,key=value::message`. In the message `%`, CR and LF
//   are escaped as %25, %0D, %0A; in a property value also `:` as %3A and `,` as %2C (the escaping of
//   @actions/core's command.ts).
// - A step shows at most 10 error annotations (and 10 warnings); more are dropped without a word.
// - A step summary ($GITHUB_STEP_SUMMARY) over 1024 KiB is refused whole ("upload aborted").
// - Text the step did not write itself (an agent's output) is printed between `::stop-commands::TOKEN`
//   and `::TOKEN::`, so that no line of it is taken as a command.
import { randomBytes } from 'node:crypto';
import { stripControl, stripEscapes } from '../escapes.js';
import { containMarkdown } from './md.js';
import { ranThisRun } from './build.js';
import type { Outcome, ReportWorker, RunReport } from './types.js';

/** GitHub's limit on a step summary: 1024 KiB ("supports content up to a size of 1024k"). */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;
/** Error annotations GitHub shows per step. */
export const ERROR_ANNOTATIONS_PER_STEP = 10;

/** The outcomes annotated as errors: the worker ran and did not succeed. */
const FAILED: ReadonlySet<Outcome> = new Set(['failed', 'timeout', 'crashed', 'interrupted']);

/** True when running as a GitHub Actions step. */
export const isGitHubActions = (env: NodeJS.ProcessEnv): boolean => env.GITHUB_ACTIONS === 'true';

/** A command's message: `%`, CR and LF escaped. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A command's property value: as a message, plus `:` and `,`. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One workflow command line (with its newline). */
export function workflowCommand(name: string, props: Record<string, string>, message: string): string {
  const p = Object.entries(props)
    .map(([k, v]) => `${k}=${escapeProperty(v)}`)
    .join(',');
  return `::${name}${p ? ` ${p}` : ''}::${escapeData(message)}\n`;
}

/** Longest message put in one annotation; the summary and the report have the rest. */
const ANNOTATION_MESSAGE_MAX = 4000;

/** Lines of a failed worker's result put in its annotation, after its reason. */
const RESULT_LINES = 6;

function annotationMessage(w: ReportWorker): string {
  const reason = w.reason ?? w.outcome;
  const parts = [reason];
  if (w.attempts > 1) parts.push(`after ${w.attempts} attempts`);
  if (w.branch) parts.push(`branch ${w.branch}`);
  // What the worker said (or wo quoted of its output) is what a reader of the annotation needs:
  // an exit code alone says nothing. Blank lines, code fences and a headline that repeats the reason go.
  const said = stripEscapes(w.result ?? '')
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '' && !/^\s*(```|~~~)/.test(l) && l !== `**${reason}**`)
    .slice(0, RESULT_LINES);
  if (said.length) parts.push('', ...said);
  return capped(stripEscapes(parts.join('\n')));
}

const capped = (text: string): string =>
  text.length > ANNOTATION_MESSAGE_MAX ? `${text.slice(0, ANNOTATION_MESSAGE_MAX - 1)}…` : text;

/**
 * One `::error` per failed worker, at most ERROR_ANNOTATIONS_PER_STEP; when more failed, one
 * `::warning` (warnings have a budget of their own) names those left out.
 */
export function annotations(report: RunReport, limit = ERROR_ANNOTATIONS_PER_STEP): string {
  // A worker carried over from an earlier run (--failed) was annotated by that run.
  const ran = ranThisRun(report);
  // A failed push or pull request is annotated too (SPEC §8): the branch dies with the runner.
  const failed = [
    ...ran
      .filter((w) => FAILED.has(w.outcome))
      .map((w) => ({ w, title: w.outcome, text: annotationMessage(w) })),
    ...ran
      .filter((w) => w.handoff_error)
      .map((w) => ({ w, title: 'hand-off failed', text: capped(stripEscapes(w.handoff_error!)) })),
  ];
  const shown = failed.slice(0, limit);
  let out = shown
    .map(({ w, title, text }) => workflowCommand('error', { title: `wo: ${w.feature} ${title}` }, text))
    .join('');
  const left = failed.slice(limit);
  if (left.length) {
    out += workflowCommand(
      'warning',
      { title: `wo: ${left.length} more failed worker${left.length === 1 ? '' : 's'} not annotated` },
      `GitHub shows at most ${limit} error annotations per step; not annotated: ${left
        .map(({ w, title }) => `${w.feature} (${title})`)
        .join(', ')}. The job summary and the report list every worker.`,
    );
  }
  return out + integrationAnnotations(report);
}

/** SPEC §10: one `::error` per integration conflict, and one for a failing verify on the merged tree. */
export function integrationAnnotations(report: Pick<RunReport, 'integration'>): string {
  const x = report.integration;
  if (!x) return '';
  let out = x.conflicts
    .map((c) =>
      workflowCommand(
        'error',
        { title: `wo: ${c.feature} conflicts` },
        `${c.feature} conflicts${c.with.length ? ` with ${c.with.join(', ')}` : ''} in ${c.files.join(', ')} (${c.resolution}); branch ${x.branch}`,
      ),
    )
    .join('');
  if (x.verify && !x.verify.passed)
    out += workflowCommand(
      'error',
      { title: 'wo: verify fails on the merged tree' },
      `${x.verify.finding ?? 'verify failed'} (${x.verify.command}, branch ${x.branch})`,
    );
  if (x.reason) out += workflowCommand('error', { title: `wo: integration ${x.outcome}` }, x.reason);
  return out;
}

/** A random token for ::stop-commands::. */
export const newToken = (): string => `wo-${randomBytes(12).toString('hex')}`;

/**
 * A collapsible log group. `lines` are wo's own (their text is stripped of controls); `untrusted`
 * (an agent's output) is printed with command processing stopped, so no line of it acts.
 */
export function logGroup(title: string, lines: string[], untrusted?: string, token = newToken()): string {
  let out = `::group::${escapeData(stripControl(title))}\n`;
  for (const l of lines) out += `${stripControl(l)}\n`;
  if (untrusted && untrusted.trim()) {
    out += `::stop-commands::${token}\n`;
    for (const l of stripEscapes(untrusted).replace(/\s+$/, '').split(/\r?\n/)) out += `${stripControl(l)}\n`;
    out += `::${token}::\n`;
  }
  return `${out}::endgroup::\n`;
}

/** Cuts a string to at most `bytes` bytes of UTF-8 without splitting a character. */
function cutUtf8(text: string, bytes: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= bytes) return text;
  let end = bytes;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--; // back to a character's first byte
  return buf.subarray(0, end).toString('utf8');
}

/**
 * The markdown for $GITHUB_STEP_SUMMARY, within `budget` bytes (the limit minus what the step wrote
 * already). A longer report is cut at a line, any open code fence closed, and a note says where the
 * whole report is.
 */
export function stepSummary(given: string, reportPath: string, budget = STEP_SUMMARY_LIMIT): string {
  // The report quotes agents: their escapes stay out of the summary too (SPEC §9).
  const markdown = stripControl(given);
  const text = markdown.endsWith('\n') ? markdown : `${markdown}\n`;
  if (Buffer.byteLength(text, 'utf8') <= budget) return text;
  const note = `\n\n---\n\n**The report was cut here** to stay under GitHub's 1 MiB step-summary limit. The whole report is \`${reportPath.replace(/`/g, "'")}\` (and in the run's artifacts, when the workflow uploads them).\n`;
  // Room for the note and for the fence or comment closer containMarkdown may add.
  const room = budget - Buffer.byteLength(note, 'utf8') - 64;
  if (room <= 0) return cutUtf8(note.trimStart(), Math.max(0, budget));
  let body = cutUtf8(text, room);
  const lastLine = body.lastIndexOf('\n');
  if (lastLine > 0) body = body.slice(0, lastLine);
  return `${containMarkdown(body)}${note}`;
}
