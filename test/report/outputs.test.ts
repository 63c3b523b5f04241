// What a finished run writes besides its report: the JUnit file, the timings, and under GitHub Actions the
// step summary and annotations. A file that cannot be written is a warning, never a lost exit code.
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport } from '../../src/report/index.js';
import { writeRunOutputs } from '../../src/report/outputs.js';
import type { WorkerRecord } from '../../src/scheduler/types.js';

const T0 = Date.parse('2026-11-23T18:30:12.000Z');
const records: WorkerRecord[] = [
  {
    feature: 'a',
    outcome: 'done',
    attempts: [{ attempt: 1, outcome: 'done', startedAt: T0, finishedAt: T0 + 10 }],
    startedAt: T0,
    finishedAt: T0 + 10,
  },
  {
    feature: 'b',
    outcome: 'failed',
    reason: 'exit 1',
    attempts: [{ attempt: 1, outcome: 'failed', startedAt: T0, finishedAt: T0 + 20 }],
    startedAt: T0,
    finishedAt: T0 + 20,
  },
];
const report = buildReport({
  runId: 'r1',
  plan: 'workers.yaml',
  startedAt: T0,
  finishedAt: T0 + 30,
  records,
  workers: records.map((r) => ({
    feature: r.feature,
    branch: `wo/${r.feature}`,
    worktree: `/w/${r.feature}`,
  })),
});

describe('writeRunOutputs', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wo-outputs-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const run = (
    env: NodeJS.ProcessEnv,
    extra: { junit?: string; annotate?: boolean; timings?: string } = {},
  ) => {
    let written = '';
    let warned = '';
    return writeRunOutputs({
      report,
      markdownPath: '/r/report.md',
      env,
      annotate: extra.annotate ?? true,
      junit: extra.junit,
      timings: extra.timings,
      write: (t) => (written += t),
      warn: (t) => (warned += t),
    }).then(() => ({ written, warned }));
  };

  test('outside GitHub Actions: the JUnit file and the timings, no workflow commands', async () => {
    const junit = join(dir, 'out', 'junit.xml');
    const timings = join(dir, '.wo', 'timings.json');
    const { written, warned } = await run({ GITHUB_STEP_SUMMARY: join(dir, 's.md') }, { junit, timings });
    expect(await readFile(junit, 'utf8')).toContain(
      '<testsuite name="wo workers.yaml" tests="2" failures="1"',
    );
    expect(JSON.parse(await readFile(timings, 'utf8')).durations_ms).toEqual({ a: 10, b: 20 });
    expect([written, warned]).toEqual(['', '']);
    await expect(readFile(join(dir, 's.md'), 'utf8')).rejects.toThrow(); // not under GitHub Actions
  });

  test('under GitHub Actions: the summary appended after what the step wrote, and one annotation', async () => {
    const summary = join(dir, 'summary.md');
    await writeFile(summary, 'before\n');
    const { written } = await run({ GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
    const text = await readFile(summary, 'utf8');
    expect(text.startsWith('before\n\n# wo run r1\n')).toBe(true);
    expect(written).toBe('::error title=wo%3A b failed::exit 1%0Abranch wo/b\n');
    const merge = await run({ GITHUB_ACTIONS: 'true' }, { annotate: false });
    expect(merge.written).toBe('');
  });

  test('a file that cannot be written is a warning naming it; the others are still written', async () => {
    const blocked = join(dir, 'blocked');
    await mkdir(blocked);
    const summary = join(dir, 'summary.md');
    const { warned } = await run(
      { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
      { junit: blocked },
    );
    expect(warned).toMatch(new RegExp(`^wo: could not write the JUnit file ${blocked}: `));
    expect(await readFile(summary, 'utf8')).toContain('# wo run r1');
  });
});
