// JUnit XML (`wo run --junit FILE`): one testcase per worker, for the test views of GitHub, GitLab and Jenkins.
//
// What the readers take from the file (docs/commands.md, "JUnit XML", has the sources):
// - GitLab: testcase `classname` (shown as the suite), `name`, `file`, `time` in seconds, the text of
//   `failure`/`error`/`skipped`, and `system-out`/`system-err` of a testcase; it ignores the
//   `message` attribute, so the reason is also the first line of the failure's text.
// - Jenkins (junit plugin): the same, plus the `message` and the testsuite counts; surefire's
//   `rerunFailure`/`flakyFailure` children record earlier attempts (read by the flaky-test-handler plugin,
//   ignored by the others).
// - GitHub has no JUnit view of its own: the marketplace actions that read it (test-reporter,
//   action-junit-report) take the same testcase/failure/skipped elements.
// Retries are shown the way Playwright's JUnit reporter shows them: the failure text has one section per
// attempt (`Retry #1 ──`), and `system-out` holds the result and the last output of the worker.
import { stripEscapes } from '../escapes.js';
import { ranThisRun } from './build.js';
import type { Outcome, ReportWorker, RunReport } from './types.js';

/** Outcomes that are a `failure` in JUnit: the worker ran and did not succeed. */
const FAILURES: ReadonlySet<Outcome> = new Set(['failed', 'timeout', 'crashed', 'interrupted']);

export interface JunitOptions {
  /** The last lines each worker printed (its log), by feature; shown in system-out. */
  lastOutput?: ReadonlyMap<string, string>;
}

/**
 * Text as XML character data or an attribute value: the five special characters escaped, and the
 * characters XML 1.0 forbids (controls other than tab, LF, CR; lone surrogates; U+FFFE/U+FFFF)
 * removed, since no escape can carry them and a strict parser rejects the whole file.
 */
export function xmlText(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]!};`);
}

/** Attribute values also keep their line breaks (a parser would normalise them to spaces). */
const xmlAttr = (text: string): string =>
  xmlText(text).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');

const seconds = (ms: number | null): string => ((ms ?? 0) / 1000).toFixed(3);

/** Terminal text as it read on screen: escape sequences gone. */
const clean = (text: string): string => stripEscapes(text).replace(/\s+$/, '');

function attemptsText(w: ReportWorker): string {
  if (w.attempt_details.length <= 1) return w.reason ?? w.outcome;
  return w.attempt_details
    .map((a, i) => {
      const head = i === 0 ? `Attempt 1` : `Retry #${i}`;
      return `${head} ${'─'.repeat(20)}\n${a.outcome}${a.reason ? `: ${a.reason}` : ''}`;
    })
    .join('\n\n');
}

function systemOut(w: ReportWorker, lastOutput: string | undefined): string | undefined {
  const parts: string[] = [];
  if (w.result && w.result.trim()) parts.push(`── .worker-result.md ──\n${clean(w.result)}`);
  if (lastOutput && lastOutput.trim()) parts.push(`── last output ──\n${clean(lastOutput)}`);
  return parts.length ? parts.join('\n\n') : undefined;
}

function testcase(w: ReportWorker, plan: string, opts: JunitOptions): string[] {
  // `file` is the plan: GitLab shows it beside the test, and it is where the worker is defined.
  const attrs = `name="${xmlAttr(w.feature)}" classname="${xmlAttr(`wo.${plan}`)}" file="${xmlAttr(plan)}" time="${seconds(w.duration_ms)}"`;
  const body: string[] = [];
  const properties = [
    ['outcome', w.outcome],
    ['attempts', String(w.attempts)],
    ['branch', w.branch],
    ...(w.commits !== null ? [['commits', String(w.commits)]] : []),
    ...(w.pr_url ? [['pr_url', w.pr_url]] : []),
    ...(w.rehearsal ? [['rehearsal', w.rehearsal]] : []),
  ];
  body.push('      <properties>');
  for (const [name, value] of properties)
    body.push(`        <property name="${xmlAttr(name!)}" value="${xmlAttr(value!)}"/>`);
  body.push('      </properties>');
  const reason = w.reason ?? w.outcome;
  const firstLine = reason.split('\n')[0]!;
  if (FAILURES.has(w.outcome)) {
    body.push(
      `      <failure message="${xmlAttr(firstLine)}" type="${w.outcome}">${xmlText(
        `${reason}${w.attempt_details.length > 1 ? `\n\n${attemptsText(w)}` : ''}`,
      )}</failure>`,
    );
    // Surefire's record of earlier failed runs of a test that failed in the end.
    for (const a of w.attempt_details.slice(0, -1))
      body.push(
        `      <rerunFailure message="${xmlAttr(`attempt ${a.attempt}: ${a.outcome}${a.reason ? `: ${a.reason.split('\n')[0]}` : ''}`)}" type="${a.outcome}"/>`,
      );
  } else if (w.outcome === 'skipped') {
    body.push(`      <skipped message="${xmlAttr(firstLine)}"/>`);
  } else {
    // done, perhaps after failed attempts: surefire calls such a test flaky.
    for (const a of w.attempt_details.filter((x) => x.outcome !== 'done'))
      body.push(
        `      <flakyFailure message="${xmlAttr(`attempt ${a.attempt}: ${a.outcome}${a.reason ? `: ${a.reason.split('\n')[0]}` : ''}`)}" type="${a.outcome}"/>`,
      );
  }
  const out = systemOut(w, opts.lastOutput?.get(w.feature));
  if (out !== undefined) body.push(`      <system-out>${xmlText(out)}</system-out>`);
  return [`    <testcase ${attrs}>`, ...body, '    </testcase>'];
}

/** The testcase `integration` (SPEC §10): a failure unless the outcome is `integrated`. */
function integrationCase(report: RunReport): string[] {
  const x = report.integration;
  if (!x) return [];
  const attrs = `name="integration" classname="${xmlAttr(`wo.${report.plan}`)}" file="${xmlAttr(report.plan)}" time="${seconds(x.duration_ms)}"`;
  const lines = [
    `merged: ${x.merged.join(', ') || 'none'}`,
    ...x.conflicts.map(
      (c) =>
        `conflict: ${c.feature}${c.with.length ? ` with ${c.with.join(', ')}` : ''} in ${c.files.join(', ')}`,
    ),
    ...(x.not_merged.length ? [`not merged: ${x.not_merged.join(', ')}`] : []),
    ...(x.verify
      ? [`verify ${x.verify.command}: ${x.verify.passed ? 'passed' : (x.verify.finding ?? 'failed')}`]
      : []),
    ...(x.reason ? [x.reason] : []),
  ];
  const body = [
    '      <properties>',
    `        <property name="outcome" value="${xmlAttr(x.outcome)}"/>`,
    `        <property name="branch" value="${xmlAttr(x.branch)}"/>`,
    '      </properties>',
  ];
  if (x.outcome !== 'integrated')
    body.push(
      `      <failure message="${xmlAttr(`integration ${x.outcome}`)}" type="${x.outcome}">${xmlText(lines.join('\n'))}</failure>`,
    );
  body.push(`      <system-out>${xmlText(lines.join('\n'))}</system-out>`);
  return [`    <testcase ${attrs}>`, ...body, '    </testcase>'];
}

/** The report as JUnit XML: one testsuite (the run), one testcase per worker, in report order. */
export function renderJunit(report: RunReport, opts: JunitOptions = {}): string {
  // A test report of this run: workers carried over from an earlier run (--failed) are not tests it ran.
  const workers = ranThisRun(report);
  const x = report.integration;
  const tests = workers.length + (x ? 1 : 0);
  const failures =
    workers.filter((w) => FAILURES.has(w.outcome)).length + (x && x.outcome !== 'integrated' ? 1 : 0);
  const skipped = workers.filter((w) => w.outcome === 'skipped').length;
  const time = seconds(report.duration_ms);
  const shard = report.shard ? ` (shard ${report.shard.index}/${report.shard.total})` : '';
  const suiteName = `wo ${report.plan}${shard}${report.rehearsal ? ' (rehearsal)' : ''}`;
  const counts = `tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${time}"`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="wo" ${counts}>`,
    `  <testsuite name="${xmlAttr(suiteName)}" ${counts} timestamp="${report.started_at.replace(/\.\d+Z$/, '')}" id="${xmlAttr(report.run_id)}">`,
    // A rehearsal says so where CI shows a suite's facts (SPEC §12).
    ...(report.rehearsal
      ? ['    <properties>', '      <property name="rehearsal" value="true"/>', '    </properties>']
      : []),
    ...workers.flatMap((w) => testcase(w, report.plan, opts)),
    ...integrationCase(report),
    '  </testsuite>',
    '</testsuites>',
  ];
  return `${lines.join('\n')}\n`;
}
