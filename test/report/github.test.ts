// GitHub Actions output, line by line: workflow-command escaping, annotation limits, log groups with
// command processing stopped around agent output, and the step summary under its 1 MiB cap.
import {
  annotations,
  escapeData,
  escapeProperty,
  logGroup,
  stepSummary,
  STEP_SUMMARY_LIMIT,
  workflowCommand,
} from '../../src/report/github.js';
import { buildReport, type RunReport } from '../../src/report/index.js';
import type { WorkerRecord } from '../../src/scheduler/types.js';

const T0 = Date.parse('2026-11-23T18:30:12.000Z');

function reportOf(records: WorkerRecord[]): RunReport {
  return buildReport({
    runId: 'r1',
    plan: 'workers.yaml',
    startedAt: T0,
    finishedAt: T0 + 1000,
    records,
    workers: records.map((r) => ({
      feature: r.feature,
      branch: `wo/${r.feature}`,
      worktree: `/w/${r.feature}`,
    })),
  });
}
const failed = (
  feature: string,
  reason: string,
  outcome: WorkerRecord['outcome'] = 'failed',
): WorkerRecord => ({
  feature,
  outcome,
  reason,
  attempts: [{ attempt: 1, outcome, reason, startedAt: T0, finishedAt: T0 + 10 }],
  startedAt: T0,
  finishedAt: T0 + 10,
});
const done = (feature: string): WorkerRecord => ({
  feature,
  outcome: 'done',
  attempts: [{ attempt: 1, outcome: 'done', startedAt: T0, finishedAt: T0 + 10 }],
  startedAt: T0,
  finishedAt: T0 + 10,
});

describe('workflow-command escaping', () => {
  test('a message escapes %, CR and LF, and nothing else', () => {
    expect(escapeData('100% done\r\nnext: a,b')).toBe('100%25 done%0D%0Anext: a,b');
    expect(escapeData('%0A is not a newline')).toBe('%250A is not a newline');
  });
  test('a property also escapes : and ,', () => {
    expect(escapeProperty('wo: a, b 100%\n')).toBe('wo%3A a%2C b 100%25%0A');
  });
  test('a command is one line however its parts look', () => {
    const line = workflowCommand('error', { title: 'x::y,z' }, 'first\nsecond::error::injected');
    expect(line).toBe('::error title=x%3A%3Ay%2Cz::first%0Asecond::error::injected\n');
    expect(line.split('\n')).toHaveLength(2);
  });
});

describe('annotations', () => {
  test('one ::error per failed, timeout, crashed or interrupted worker; none for done or skipped', () => {
    const r = reportOf([
      done('ok'),
      failed('api', 'exit 1: 3% of tests failed\nsee log'),
      failed('slow', 'timed out after 1m', 'timeout'),
      failed('gone', 'session ended without status', 'crashed'),
      failed('stop', 'interrupted', 'interrupted'),
      { feature: 'e2e', outcome: 'skipped', reason: 'needs "api"', attempts: [] },
    ]);
    expect(annotations(r).split('\n')).toEqual([
      '::error title=wo%3A api failed::exit 1: 3%25 of tests failed%0Asee log%0Abranch wo/api',
      '::error title=wo%3A slow timeout::timed out after 1m%0Abranch wo/slow',
      '::error title=wo%3A gone crashed::session ended without status%0Abranch wo/gone',
      '::error title=wo%3A stop interrupted::interrupted%0Abranch wo/stop',
      '',
    ]);
  });

  test('a failed hand-off of a done worker is an ::error with the words of git or gh', () => {
    const r = reportOf([done('ok'), done('held'), failed('api', 'exit 1')]);
    r.workers[1]!.handoff_error = 'git push to origin refused wo/held: [remote rejected] (hook declined)';
    expect(annotations(r).split('\n')).toEqual([
      '::error title=wo%3A api failed::exit 1%0Abranch wo/api',
      '::error title=wo%3A held hand-off failed::git push to origin refused wo/held: [remote rejected] (hook declined)',
      '',
    ]);
  });

  test('no failures, no output', () => {
    expect(annotations(reportOf([done('a')]))).toBe('');
  });

  test('more than the per-step limit: the first 10 as errors, one warning names the rest', () => {
    const r = reportOf(Array.from({ length: 13 }, (_, i) => failed(`w${i}`, `exit ${i}`)));
    const lines = annotations(r).trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('::error '))).toHaveLength(10);
    expect(lines[9]).toBe('::error title=wo%3A w9 failed::exit 9%0Abranch wo/w9');
    expect(lines).toHaveLength(11);
    expect(lines[10]).toBe(
      '::warning title=wo%3A 3 more failed workers not annotated::GitHub shows at most 10 error annotations per step; not annotated: w10 (failed), w11 (failed), w12 (failed). The job summary and the report list every worker.',
    );
  });

  test("the reason comes with the result's first lines: not only an exit code", () => {
    const r = reportOf([failed('api', 'exit code 1'), failed('quiet', 'exit code 2')]);
    r.workers[0]!.result = [
      '**exit code 1**',
      '',
      'The agent exited with code 1 without writing a result.',
      '',
      'Last output:',
      '',
      '```',
      '\u001b[31mError: cannot find module ./db\u001b[0m',
      'at load (src/api.ts:3)',
      'line 3',
      'line 4',
      '```',
    ].join('\n');
    expect(annotations(r).split('\n')).toEqual([
      '::error title=wo%3A api failed::exit code 1%0Abranch wo/api%0A%0AThe agent exited with code 1 without writing a result.%0ALast output:%0AError: cannot find module ./db%0Aat load (src/api.ts:3)%0Aline 3%0Aline 4',
      // No result: the reason and branch, as before.
      '::error title=wo%3A quiet failed::exit code 2%0Abranch wo/quiet',
      '',
    ]);
  });

  test('a long reason is cut; escape sequences are removed', () => {
    const r = reportOf([failed('big', `\u001b[31m${'x'.repeat(5000)}`)]);
    const line = annotations(r).trimEnd();
    expect(line).not.toContain('\u001b');
    expect(line.length).toBeLessThan(4100);
    expect(line.endsWith('…')).toBe(true);
  });
});

describe('log groups', () => {
  test('wo lines as they are, agent output between stop-commands and its token', () => {
    const text = logGroup(
      'login: done',
      ['[18:30:12] started (attempt 1)'],
      '::error::fake\n\u001b[1mbold\u001b[0m\n',
      'TOKEN',
    );
    expect(text.split('\n')).toEqual([
      '::group::login: done',
      '[18:30:12] started (attempt 1)',
      '::stop-commands::TOKEN',
      '::error::fake',
      'bold',
      '::TOKEN::',
      '::endgroup::',
      '',
    ]);
  });

  test('a title cannot end the command early; no output, no stop-commands', () => {
    const text = logGroup('a\nb%', [], undefined, 'T');
    expect(text).toBe('::group::a%0Ab%25\n::endgroup::\n');
  });

  test('tokens differ from group to group', () => {
    const tokenOf = (t: string) => /::stop-commands::(.*)\n/.exec(t)![1];
    expect(tokenOf(logGroup('a', [], 'x'))).not.toBe(tokenOf(logGroup('a', [], 'x')));
  });
});

describe('step summary', () => {
  test('a report under the cap goes in whole', () => {
    expect(stepSummary('# r\n\nbody\n', '/r/report.md')).toBe('# r\n\nbody\n');
  });

  test('a report over the cap is cut at a line, its open fence closed, and a note says where the rest is', () => {
    const md = `# r\n\n\`\`\`\n${'a line of output ü\n'.repeat(100_000)}\`\`\`\n`;
    expect(Buffer.byteLength(md)).toBeGreaterThan(STEP_SUMMARY_LIMIT);
    const out = stepSummary(md, '/r/report.md');
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(STEP_SUMMARY_LIMIT);
    expect(out).toMatch(
      /a line of output ü\n```\n\n---\n\n\*\*The report was cut here\*\* to stay under GitHub's 1 MiB step-summary limit\. The whole report is `\/r\/report\.md`/,
    );
    expect(out).not.toContain('\ufffd'); // no character split in half
  });

  test('a smaller budget (the step wrote to its summary already) is kept too', () => {
    const out = stepSummary('é'.repeat(3000), '/r.md', 2000);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(2000);
    expect(out).toContain('The report was cut here');
  });
});
