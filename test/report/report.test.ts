// The report: report.json shape and counts, markdown structure, atomic writing, last-run.json round trip.
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildReport,
  carriedOver,
  newRunId,
  ranThisRun,
  renderJunit,
  readLastReport,
  renderJson,
  renderMarkdown,
  summaryLine,
  writeReport,
  type RunReport,
} from '../../src/report/index.js';
import { containMarkdown } from '../../src/report/md.js';
import { annotations } from '../../src/report/github.js';
import { updateTimings } from '../../src/report/timings.js';
import { UsageError } from '../../src/errors.js';
import type { WorkerRecord } from '../../src/scheduler/types.js';
import { REPORT_KEYS, REPORT_WORKER_KEYS } from '../spec-report.js';

const T0 = Date.parse('2026-11-23T18:30:12.000Z');

const records: WorkerRecord[] = [
  {
    feature: 'login',
    outcome: 'done',
    attempts: [{ attempt: 1, outcome: 'done', startedAt: T0 + 500, finishedAt: T0 + 8600, exitCode: 0 }],
    startedAt: T0,
    finishedAt: T0 + 8600,
    exitCode: 0,
  },
  {
    feature: 'api',
    outcome: 'timeout',
    reason: 'timed out after 1m',
    attempts: [
      { attempt: 1, outcome: 'failed', reason: 'exit 1', startedAt: T0, finishedAt: T0 + 1000, exitCode: 1 },
      {
        attempt: 2,
        outcome: 'timeout',
        reason: 'timed out after 1m',
        startedAt: T0 + 1000,
        finishedAt: T0 + 61_000,
        adopted: true,
      },
    ],
    startedAt: T0,
    finishedAt: T0 + 61_000,
  },
  { feature: 'e2e', outcome: 'skipped', reason: 'needs "api" which was timeout', attempts: [] },
];

function report(extra: Partial<Parameters<typeof buildReport>[0]> = {}): RunReport {
  return buildReport({
    runId: '20261123-183012-ab12',
    plan: 'workers.yaml',
    startedAt: T0,
    finishedAt: T0 + 72_000,
    records,
    workers: [
      {
        feature: 'login',
        branch: 'wo/login',
        worktree: '/w/shop-worktrees/login',
        result: '# Login\n\nDone.',
        commits: 3,
        diffstat: { files: 5, insertions: 120, deletions: 4 },
      },
      { feature: 'api', branch: 'wo/api', worktree: '/w/shop-worktrees/api', result: null },
      { feature: 'e2e', branch: 'wo/e2e', worktree: '/w/shop-worktrees/e2e' },
    ],
    ...extra,
  });
}

describe('buildReport', () => {
  test('has every key of SPEC §5 with the right types', () => {
    const r = report();
    expect(Object.keys(r).sort()).toEqual([...REPORT_KEYS].sort());
    expect(r).toMatchObject({
      run_id: '20261123-183012-ab12',
      plan: 'workers.yaml',
      started_at: '2026-11-23T18:30:12.000Z',
      finished_at: '2026-11-23T18:31:24.000Z',
      duration_ms: 72_000,
      shard: null,
    });
    for (const w of r.workers) {
      for (const k of REPORT_WORKER_KEYS) expect(w).toHaveProperty(k);
      expect(typeof w.feature).toBe('string');
      expect(typeof w.attempts).toBe('number');
      expect(typeof w.branch).toBe('string');
      expect(typeof w.worktree).toBe('string');
      for (const k of ['reason', 'started_at', 'finished_at', 'result'] as const) {
        expect(w[k] === null || typeof w[k] === 'string').toBe(true);
      }
      for (const k of ['duration_ms', 'exit_code'] as const) {
        expect(w[k] === null || typeof w[k] === 'number').toBe(true);
      }
    }
  });

  test('fills worker fields from records and infos', () => {
    const [login, api, e2e] = report().workers;
    expect(login).toMatchObject({
      outcome: 'done',
      reason: null,
      attempts: 1,
      started_at: '2026-11-23T18:30:12.000Z',
      finished_at: '2026-11-23T18:30:20.600Z',
      duration_ms: 8600,
      branch: 'wo/login',
      exit_code: 0,
      result: '# Login\n\nDone.',
    });
    expect(api).toMatchObject({
      outcome: 'timeout',
      reason: 'timed out after 1m',
      attempts: 2,
      exit_code: null,
    });
    expect(api!.attempt_details[1]).toMatchObject({ attempt: 2, adopted: true, duration_ms: 60_000 });
    expect(e2e).toMatchObject({
      outcome: 'skipped',
      attempts: 0,
      started_at: null,
      finished_at: null,
      duration_ms: null,
      result: null,
    });
  });

  test('summary counts every outcome, all six keys present', () => {
    expect(report().summary).toEqual({
      done: 1,
      failed: 0,
      timeout: 1,
      crashed: 0,
      skipped: 1,
      interrupted: 0,
    });
    expect(summaryLine(report())).toBe('3 workers: 1 done, 1 timeout, 1 skipped in 1m12s');
  });

  test('renderJson is the model, pretty-printed', () => {
    const r = report();
    expect(JSON.parse(renderJson(r))).toEqual(r);
    expect(renderJson(r)).toMatch(/^\{\n {2}"run_id"/);
  });
});

describe('renderMarkdown', () => {
  const md = renderMarkdown(report());

  test('has the summary line, the table, the timeline and one heading per worker', () => {
    expect(md).toContain('**3 workers: 1 done, 1 timeout, 1 skipped** in 1m12s');
    expect(md).toContain(
      '| WORKER | OUTCOME | DURATION | ATTEMPTS | BRANCH | COMMITS | COST | REASON |\n| --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    expect(md).toContain('| login | done | 8.6s | 1 | `wo/login` | 3 (+120 −4, 5 files) | – |');
    expect(md).toContain('| api | timeout | 1m1s | 2 | `wo/api` | – | – | timed out after 1m |');
    expect(md).toContain('| e2e | skipped | – | 0 | `wo/e2e` | – | – | needs "api" which was timeout |');
    expect(md).toContain('3 commits ahead of its base · 5 files changed, +120 −4');
    expect(md).toMatch(/```mermaid\ngantt\n {2}dateFormat x\n/);
    expect(md).toContain(`  login (done) :done, w0, ${T0}, 9s`);
    expect(md).toContain(`  api (timeout) :crit, w1, ${T0}, 61s`);
    expect(md).not.toMatch(/e2e \(skipped\) :/); // never started: no bar
    for (const f of ['login', 'api', 'e2e']) expect(md).toContain(`\n### ${f}\n`);
    expect(md).toContain('Reason: needs "api" which was timeout');
  });

  test('results sit between blank lines; a missing one says so', () => {
    expect(md).toContain('\n\n# Login\n\nDone.\n\n### api');
    expect(md.match(/_no result file_/g)).toHaveLength(2);
  });

  test('a result with an unclosed fence cannot swallow the rest of the report', () => {
    const r = report();
    r.workers[0]!.result = 'Log:\n```sh\nnpm test\n';
    const text = renderMarkdown(r);
    expect(text).toContain('Log:\n```sh\nnpm test\n```\n\n### api');
  });

  test('table cells and headings escape what would break them', () => {
    const r = report();
    r.workers[0]!.branch = 'we|ird`branch';
    r.workers[1]!.reason = 'line one\nline two';
    const text = renderMarkdown(r);
    expect(text).toContain('| ``we\\|ird`branch`` |');
    expect(text).toContain('```\nline one\nline two\n```');
  });

  test('the REASON cell is the first line, cut, escaped; the section below keeps it whole', () => {
    const r = report();
    r.workers[1]!.reason = `${'x'.repeat(100)}|*\nsecond line`;
    const text = renderMarkdown(r);
    expect(text).toContain(`| ${'x'.repeat(79)}… |`);
    r.workers[1]!.reason = 'exit 1: *boom* | pipe\nmore';
    expect(renderMarkdown(r)).toContain('| exit 1: \\*boom\\* \\| pipe… |');
    expect(renderMarkdown(r)).toContain('```\nexit 1: *boom* | pipe\nmore\n```');
  });

  test('a branch with no commits shows 0; pushed and a PR show in the section', () => {
    const r = report();
    r.workers[0]!.commits = 0;
    r.workers[1]!.pushed = true;
    r.workers[1]!.pr_url = 'https://github.com/o/r/pull/7';
    r.workers[1]!.handoff_error = null;
    const text = renderMarkdown(r);
    expect(text).toContain('| `wo/login` | 0 | – |');
    expect(text).toContain('pushed · draft PR https://github.com/o/r/pull/7');
  });

  test('no gantt block when no worker ran', () => {
    const text = renderMarkdown(report({ records: [records[2]!] }));
    expect(text).not.toContain('```mermaid');
    expect(text).toContain('**1 worker: 1 skipped**');
  });
});

describe('a --failed report: workers carried over from earlier runs', () => {
  const EARLIER = '20261122-090000-cd34';
  const carriedReport = () => {
    const earlier = report({ runId: EARLIER });
    // This run re-ran api and e2e; login is carried over as the earlier run reported it.
    return buildReport({
      runId: '20261123-183012-ab12',
      plan: 'workers.yaml',
      startedAt: T0 + 100_000,
      finishedAt: T0 + 160_000,
      records: records.filter((r) => r.feature !== 'login'),
      workers: [
        { feature: 'api', branch: 'wo/api', worktree: '/w/shop-worktrees/api' },
        { feature: 'e2e', branch: 'wo/e2e', worktree: '/w/shop-worktrees/e2e' },
      ],
      carried: [
        carriedOver(
          earlier.workers.find((w) => w.feature === 'login')!,
          EARLIER,
        ),
      ],
      order: ['login', 'api', 'e2e'],
    });
  };

  test('every worker of the plan is listed, in plan order; carried ones name their run and are not counted', () => {
    const r = carriedReport();
    expect(r.workers.map((w) => [w.feature, w.outcome, w.from_run])).toEqual([
      ['login', 'done', EARLIER],
      ['api', 'timeout', null],
      ['e2e', 'skipped', null],
    ]);
    expect(r.summary).toMatchObject({ done: 0, timeout: 1, skipped: 1 });
    expect(r.workers[0]).toMatchObject({ result: '# Login\n\nDone.', commits: 3, attempts: 1 });
    for (const w of r.workers) for (const k of REPORT_WORKER_KEYS) expect(w).toHaveProperty(k);
    expect(ranThisRun(r).map((w) => w.feature)).toEqual(['api', 'e2e']);
    // A line carried again keeps the run that ran it.
    expect(carriedOver(r.workers[0]!, 'later').from_run).toBe(EARLIER);
  });

  test('markdown marks them, says they are not counted, and leaves them out of the timeline', () => {
    const md = renderMarkdown(carriedReport());
    expect(md).toContain('**2 workers: 1 timeout, 1 skipped**');
    expect(md).toContain(`| login | done (from run ${EARLIER}) |`);
    expect(md).toContain(`Also listed: 1 worker of the plan this run did not re-run`);
    expect(md).toContain(`carried over from run \`${EARLIER}\``);
    expect(md).not.toMatch(/login \(done\) :/);
  });

  test('JUnit, annotations and timings are about this run only', () => {
    const r = carriedReport();
    expect(renderJunit(r)).not.toContain('name="login"');
    expect(renderJunit(r)).toContain('tests="2"');
    expect(updateTimings(new Map(), r).durations_ms).not.toHaveProperty('login');
    expect(annotations(r)).not.toContain('login');
  });
});

describe('containMarkdown', () => {
  test('closes tilde and long backtick fences with a matching fence', () => {
    expect(containMarkdown('~~~~\ncode')).toBe('~~~~\ncode\n~~~~');
    expect(containMarkdown('````\n```\nstill code')).toBe('````\n```\nstill code\n````');
  });
  test('leaves closed fences and plain text alone, trimming trailing space', () => {
    expect(containMarkdown('```\na\n```\n\n')).toBe('```\na\n```');
    expect(containMarkdown('inline ```code``` here')).toBe('inline ```code``` here');
  });
  test('closes an open HTML comment', () => {
    expect(containMarkdown('text <!-- todo')).toBe('text <!-- todo\n-->');
  });
});

describe('newRunId', () => {
  test('is a sortable UTC timestamp plus 4 hex digits', () => {
    expect(newRunId(new Date('2026-11-23T18:30:12.345Z'))).toMatch(/^20261123-183012-[0-9a-f]{4}$/);
    expect(newRunId(new Date('2026-01-02T03:04:05Z')) < newRunId(new Date('2026-01-02T03:04:06Z'))).toBe(
      true,
    );
  });
});

describe('writeReport / readLastReport', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'wo-report-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('writes report.md, report.json, report.html and last-run.json, leaving no temporary files', async () => {
    const r = report();
    const written = await writeReport(r, { repoRoot: root });
    const dir = join(root, '.wo', 'runs', r.run_id);
    expect(written).toEqual({
      dir,
      markdown: join(dir, 'report.md'),
      json: join(dir, 'report.json'),
      html: join(dir, 'report.html'),
      lastRun: join(root, '.wo', 'last-run.json'),
    });
    expect(JSON.parse(await readFile(written.json, 'utf8'))).toEqual(r);
    expect(await readFile(written.markdown, 'utf8')).toBe(renderMarkdown(r));
    expect(JSON.parse(await readFile(written.lastRun, 'utf8'))).toEqual({
      run_id: r.run_id,
      report_dir: dir,
      report_json: written.json,
      finished_at: r.finished_at,
    });
    expect((await readdir(dir)).sort()).toEqual([
      'last-output.json',
      'report.html',
      'report.json',
      'report.md',
    ]);
    expect((await readdir(join(root, '.wo'))).sort()).toEqual(['.gitignore', 'last-run.json', 'runs']);
    expect(await readFile(join(root, '.wo', '.gitignore'), 'utf8')).toBe('*\n');
  });

  test('a relative dir is taken from the repository root, with {run_id} substituted', async () => {
    const r = report();
    const written = await writeReport(r, { repoRoot: root, dir: 'reports/{run_id}' });
    expect(written.dir).toBe(join(root, 'reports', r.run_id));
    expect((await readLastReport(root))?.run_id).toBe(r.run_id);
  });

  test('readLastReport round-trips, and is undefined before any run', async () => {
    expect(await readLastReport(root)).toBeUndefined();
    const r = report();
    await writeReport(r, { repoRoot: root });
    expect(await readLastReport(root)).toEqual(r);
  });

  test('a corrupt last-run.json is a clear error', async () => {
    await mkdir(join(root, '.wo'), { recursive: true });
    await writeFile(join(root, '.wo', 'last-run.json'), '{"run_id": ');
    const err = await readLastReport(root).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/last-run\.json is not valid JSON .*delete .*last-run\.json/);
  });

  test('a pointer to a missing or foreign report is a clear error', async () => {
    await mkdir(join(root, '.wo'), { recursive: true });
    const pointer = join(root, '.wo', 'last-run.json');
    await writeFile(pointer, JSON.stringify({ report_json: join(root, 'gone.json') }));
    await expect(readLastReport(root)).rejects.toThrow(/gone\.json, which does not exist/);
    await writeFile(join(root, 'other.json'), '{"workers": [{"feature": "a", "outcome": "great"}]}');
    await writeFile(pointer, JSON.stringify({ report_json: 'other.json' }));
    await expect(readLastReport(root)).rejects.toThrow(/is not a wo report/);
    await writeFile(pointer, '[]');
    await expect(readLastReport(root)).rejects.toThrow(/has no "report_json"/);
  });
});
