// A rehearsal's report (SPEC §12): report.md and JUnit say "rehearsal", and name the stood-in workers;
// an ordinary run's say nothing of it.
import { XMLParser } from 'fast-xml-parser';
import { buildReport, renderJunit, type RunReport } from '../../src/report/index.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import type { WorkerRecord } from '../../src/scheduler/types.js';

const T0 = Date.parse('2026-12-07T17:00:00.000Z');
const rec = (feature: string): WorkerRecord => ({
  feature,
  outcome: 'done',
  attempts: [{ attempt: 1, outcome: 'done', startedAt: T0, finishedAt: T0 + 1000 }],
  startedAt: T0,
  finishedAt: T0 + 1000,
});

function sample(rehearsal: boolean): RunReport {
  const report = buildReport({
    runId: 'r1',
    plan: 'workers.yaml',
    startedAt: T0,
    finishedAt: T0 + 2000,
    records: [rec('login'), rec('notes')],
    workers: [
      { feature: 'login', branch: 'wo/login', worktree: '/w/login', agent: 'claude', result: null },
      { feature: 'notes', branch: 'wo/notes', worktree: '/w/notes', agent: 'aider', result: null },
    ],
  });
  if (rehearsal) {
    report.rehearsal = true;
    report.workers[0]!.rehearsal = 'agent';
    report.workers[1]!.rehearsal = 'stand-in';
  }
  return report;
}

const parse = (xml: string) =>
  new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (n) => n === 'property' || n === 'testcase',
  }).parse(xml) as {
    testsuites: {
      testsuite: {
        name: string;
        properties?: { property: Array<{ name: string; value: string }> };
        testcase: Array<{ name: string; properties: { property: Array<{ name: string; value: string }> } }>;
      };
    };
  };

describe('a rehearsal in the report', () => {
  test('report.md: headed rehearsal, says so, and names the stood-in workers', () => {
    const md = renderMarkdown(sample(true));
    expect(md.split('\n')[0]).toBe('# wo rehearsal r1');
    expect(md).toContain('**Rehearsal**: every agent talked to the scripted model');
    expect(md).toContain('Stood in for (their agent does not rehearse; a step wrote `done`): notes (aider).');
    const plain = renderMarkdown(sample(false));
    expect(plain.split('\n')[0]).toBe('# wo run r1');
    expect(plain).not.toMatch(/rehears/i);
  });

  test('JUnit: a rehearsal property on the suite and on each testcase', () => {
    const suite = parse(renderJunit(sample(true))).testsuites.testsuite;
    expect(suite.name).toBe('wo workers.yaml (rehearsal)');
    expect(suite.properties!.property).toEqual([{ name: 'rehearsal', value: 'true' }]);
    const way = (i: number) =>
      suite.testcase[i]!.properties.property.find((p) => p.name === 'rehearsal')?.value;
    expect([way(0), way(1)]).toEqual(['agent', 'stand-in']);
    const plain = parse(renderJunit(sample(false))).testsuites.testsuite;
    expect(plain.properties).toBeUndefined();
    expect(renderJunit(sample(false))).not.toMatch(/rehears/i);
  });
});
