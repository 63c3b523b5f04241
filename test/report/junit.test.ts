// JUnit XML: a strict parser reads the file; counts, failures, skips, retries and output are where the
// readers (GitLab, Jenkins, GitHub's JUnit actions) look for them.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { buildReport, renderJunit, type RunReport } from '../../src/report/index.js';
import { xmlText } from '../../src/report/junit.js';
import type { WorkerRecord } from '../../src/scheduler/types.js';

const T0 = Date.parse('2026-11-23T18:30:12.000Z');
const rec = (
  feature: string,
  outcome: WorkerRecord['outcome'],
  extra: Partial<WorkerRecord> = {},
): WorkerRecord => ({
  feature,
  outcome,
  attempts: [
    {
      attempt: 1,
      outcome,
      startedAt: T0,
      finishedAt: T0 + 1500,
      ...(extra.reason && { reason: extra.reason }),
    },
  ],
  startedAt: T0,
  finishedAt: T0 + 1500,
  ...extra,
});

function sample(): RunReport {
  const records: WorkerRecord[] = [
    rec('login', 'done', { exitCode: 0 }),
    rec('api', 'failed', { reason: 'exit 1: tests failed <3 & "quotes"\nsecond line' }),
    rec('slow', 'timeout', { reason: 'timed out after 1m' }),
    rec('gone', 'crashed', { reason: 'session ended without status' }),
    rec('stopped', 'interrupted', { reason: 'interrupted' }),
    { feature: 'e2e', outcome: 'skipped', reason: 'needs "api" which was failed', attempts: [] },
    {
      feature: 'flaky',
      outcome: 'done',
      attempts: [
        { attempt: 1, outcome: 'failed', reason: 'exit 2', startedAt: T0, finishedAt: T0 + 1000 },
        { attempt: 2, outcome: 'done', startedAt: T0 + 1000, finishedAt: T0 + 3000 },
      ],
      startedAt: T0,
      finishedAt: T0 + 3000,
    },
    {
      feature: 'retried',
      outcome: 'failed',
      reason: 'exit 1',
      attempts: [
        {
          attempt: 1,
          outcome: 'crashed',
          reason: 'session ended without status',
          startedAt: T0,
          finishedAt: T0 + 1000,
        },
        { attempt: 2, outcome: 'failed', reason: 'exit 1', startedAt: T0 + 1000, finishedAt: T0 + 2000 },
      ],
      startedAt: T0,
      finishedAt: T0 + 2000,
    },
  ];
  return buildReport({
    runId: '20261123-183012-ab12',
    plan: 'workers.yaml',
    startedAt: T0,
    finishedAt: T0 + 72_000,
    records,
    workers: records.map((r) => ({
      feature: r.feature,
      branch: `wo/${r.feature}`,
      worktree: `/w/${r.feature}`,
      result: r.feature === 'login' ? '# Login\n\n\u001b[32mDone\u001b[0m ]]> <b>' : null,
      commits: r.feature === 'login' ? 2 : null,
    })),
  });
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => ['testcase', 'property', 'rerunFailure', 'flakyFailure'].includes(name),
});

type Case = Record<string, unknown> & { name: string };
function parse(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = parser.parse(xml) as {
    testsuites: Record<string, unknown> & { testsuite: Record<string, unknown> & { testcase: Case[] } };
  };
  return {
    suites: doc.testsuites,
    suite: doc.testsuites.testsuite,
    cases: doc.testsuites.testsuite.testcase,
  };
}

describe('renderJunit', () => {
  const xml = renderJunit(sample(), {
    lastOutput: new Map([['api', 'npm test\n\u001b[31mFAIL\u001b[0m src/a.test.ts']]),
  });
  const { suites, suite, cases } = parse(xml);
  const byName = new Map(cases.map((c) => [c.name, c]));

  test('one testcase per worker, and the counts right on testsuite and testsuites', () => {
    expect(cases.map((c) => c.name)).toEqual([
      'login',
      'api',
      'slow',
      'gone',
      'stopped',
      'e2e',
      'flaky',
      'retried',
    ]);
    for (const el of [suite, suites])
      expect({ tests: el.tests, failures: el.failures, errors: el.errors, skipped: el.skipped }).toEqual({
        tests: '8',
        failures: '5', // failed, timeout, crashed, interrupted, and the retried failure
        errors: '0',
        skipped: '1',
      });
    expect(suite.time).toBe('72.000');
    expect(suite.timestamp).toBe('2026-11-23T18:30:12');
    expect(byName.get('login')).toMatchObject({
      classname: 'wo.workers.yaml',
      file: 'workers.yaml',
      time: '1.500',
    });
  });

  test('failed, timeout, crashed and interrupted are failures with the reason as message and type the outcome', () => {
    for (const [name, type] of [
      ['api', 'failed'],
      ['slow', 'timeout'],
      ['gone', 'crashed'],
      ['stopped', 'interrupted'],
    ] as const) {
      const failure = byName.get(name)!.failure as Record<string, string>;
      expect(failure.type).toBe(type);
    }
    const api = byName.get('api')!.failure as Record<string, string>;
    expect(api.message).toBe('exit 1: tests failed <3 & "quotes"'); // first line; entities decoded by the parser
    expect(api['#text']).toContain('second line'); // GitLab shows the text, not the message
    expect(byName.get('login')!.failure).toBeUndefined();
  });

  test('skipped is <skipped> with its reason; done has neither failure nor skipped', () => {
    expect(byName.get('e2e')!.skipped).toEqual({ message: 'needs "api" which was failed' });
    expect(byName.get('login')!.skipped).toBeUndefined();
  });

  test('retries are visible: attempt sections in the failure text, surefire rerun/flaky elements, properties', () => {
    const retried = byName.get('retried')!;
    const text = (retried.failure as Record<string, string>)['#text'];
    expect(text).toMatch(
      /Attempt 1 ─+\ncrashed: session ended without status\n\nRetry #1 ─+\nfailed: exit 1/,
    );
    expect(retried.rerunFailure).toEqual([
      { message: 'attempt 1: crashed: session ended without status', type: 'crashed' },
    ]);
    const flaky = byName.get('flaky')!;
    expect(flaky.failure).toBeUndefined();
    expect(flaky.flakyFailure).toEqual([{ message: 'attempt 1: failed: exit 2', type: 'failed' }]);
    const props = (flaky.properties as { property: Array<{ name: string; value: string }> }).property;
    expect(props).toContainEqual({ name: 'attempts', value: '2' });
    expect(props).toContainEqual({ name: 'branch', value: 'wo/flaky' });
  });

  test('system-out holds the result and the last output, as the terminal showed them', () => {
    expect(byName.get('login')!['system-out']).toBe('── .worker-result.md ──\n# Login\n\nDone ]]> <b>');
    expect(byName.get('api')!['system-out']).toBe('── last output ──\nnpm test\nFAIL src/a.test.ts');
    expect(byName.get('slow')!['system-out']).toBeUndefined();
  });

  test('a feature or reason with XML-special or forbidden characters still parses', () => {
    const r = sample();
    r.workers[1]!.reason = 'bad \u0000\u0007 bytes & <tags> \ud800 lone surrogate';
    const again = parse(renderJunit(r)).cases[1]!;
    expect((again.failure as Record<string, string>).message).toBe('bad  bytes & <tags>  lone surrogate');
  });

  test('an empty run is a valid file with zero tests', () => {
    const r = buildReport({
      runId: 'x',
      plan: 'p.yaml',
      startedAt: T0,
      finishedAt: T0,
      records: [],
      workers: [],
    });
    expect(XMLValidator.validate(renderJunit(r))).toBe(true);
    expect(renderJunit(r)).toContain('tests="0" failures="0" errors="0" skipped="0"');
  });
});

test('xmlText escapes the five specials', () => {
  expect(xmlText(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
});
