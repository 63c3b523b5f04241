// wo report merge: shard reports joined into one report of the same shape as a single run's; and the
// timings file that shards are balanced by.
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport, renderMarkdown, type RunReport } from '../../src/report/index.js';
import { findReportDirs, mergeReports, readReportDir } from '../../src/report/merge.js';
import { splitShards } from '../../src/report/shard.js';
import { readTimings, recordTimings, updateTimings } from '../../src/report/timings.js';
import { UsageError } from '../../src/errors.js';
import type { WorkerRecord } from '../../src/scheduler/types.js';

const T0 = Date.parse('2026-11-23T18:30:12.000Z');
const outcomes: WorkerRecord['outcome'][] = [
  'done',
  'failed',
  'done',
  'timeout',
  'skipped',
  'done',
  'crashed',
];
const records: WorkerRecord[] = outcomes.map((outcome, i) =>
  outcome === 'skipped'
    ? { feature: `w${i}`, outcome, reason: 'needs "w1"', attempts: [] }
    : {
        feature: `w${i}`,
        outcome,
        attempts: [{ attempt: 1, outcome, startedAt: T0 + i * 1000, finishedAt: T0 + i * 1000 + 5000 }],
        startedAt: T0 + i * 1000,
        finishedAt: T0 + i * 1000 + 5000,
      },
);
const info = (r: WorkerRecord) => ({
  feature: r.feature,
  branch: `wo/${r.feature}`,
  worktree: `/w/${r.feature}`,
  result: `did ${r.feature}`,
  commits: 1,
  diffstat: { files: 1, insertions: 2, deletions: 0 },
});

/** The same plan run whole, and run as 3 shards (as --shard would split it). */
const single = buildReport({
  runId: 'whole',
  plan: 'workers.yaml',
  startedAt: T0,
  finishedAt: T0 + 20_000,
  records,
  workers: records.map(info),
});
const parts = splitShards(
  records.map((r) => ({ feature: r.feature, needs: [] })),
  3,
);
const shardReports: RunReport[] = parts.map((part, i) => {
  const mine = records.filter((r) => part.some((p) => p.feature === r.feature));
  return buildReport({
    runId: `shard${i + 1}`,
    plan: 'workers.yaml',
    startedAt: T0 + i * 100,
    finishedAt: T0 + 15_000 + i * 100,
    records: mine,
    workers: mine.map(info),
    shard: { index: i + 1, total: 3 },
  });
});
const shards = shardReports.map((report, i) => ({ dir: `/shards/wo-report-${i + 1}`, report }));

describe('mergeReports', () => {
  const { report: merged, warnings } = mergeReports([...shards].reverse(), 'merged-id');

  test('has the shape of a single run report: the same keys, at the top and per worker', () => {
    expect(Object.keys(merged).sort()).toEqual(Object.keys(single).sort());
    for (const w of merged.workers)
      expect(Object.keys(w).sort()).toEqual(Object.keys(single.workers[0]!).sort());
    expect(merged.shard).toBeNull();
    expect(warnings).toEqual([]);
  });

  test('every worker once, summary counts as the single run, times spanning the shards', () => {
    expect(merged.workers.map((w) => w.feature).sort()).toEqual(single.workers.map((w) => w.feature).sort());
    expect(merged.summary).toEqual(single.summary);
    expect(merged.started_at).toBe(new Date(T0).toISOString());
    expect(merged.finished_at).toBe(new Date(T0 + 15_200).toISOString());
    expect(merged.duration_ms).toBe(15_200);
    expect(merged.run_id).toBe('merged-id');
    // shard order, whatever order the folders were given in
    expect(merged.workers.map((w) => w.feature)).toEqual(parts.flat().map((p) => p.feature));
    for (const w of merged.workers) expect(w).toEqual(single.workers.find((s) => s.feature === w.feature));
  });

  test('its markdown has the same sections as the single run: summary, table, timeline, results', () => {
    const md = renderMarkdown(merged);
    const headings = (text: string) =>
      text
        .split('\n')
        .filter((l) => /^#|^\| WORKER|^```mermaid/.test(l))
        .map((l) => l.replace(/^# wo run .*/, '# wo run'));
    expect(headings(md).sort()).toEqual(headings(renderMarkdown(single)).sort());
    expect(md).toContain('**7 workers: 3 done, 1 failed, 1 timeout, 1 crashed, 1 skipped**');
  });

  test('a missing shard is a warning naming it', () => {
    expect(mergeReports([shards[0]!, shards[2]!], 'm').warnings).toEqual([
      'shard 2/3 missing: their workers are not in the merged report',
    ]);
  });

  test('the same worker in two reports, or two plans, is refused', () => {
    expect(() => mergeReports([shards[0]!, { ...shards[0]!, dir: '/other' }], 'm')).toThrow(
      /worker "w\d" is in two reports \((\/other and \/shards\/wo-report-1|\/shards\/wo-report-1 and \/other)\)/,
    );
    const other = { dir: '/x', report: { ...shardReports[1]!, plan: 'other.yaml' } };
    expect(() => mergeReports([shards[0]!, other], 'm')).toThrow(UsageError);
    expect(() => mergeReports([], 'm')).toThrow(UsageError);
  });

  test('a report from before commits and hand-off existed gets those keys as null', () => {
    const old = JSON.parse(JSON.stringify(shardReports[0])) as RunReport & Record<string, unknown>;
    for (const w of old.workers as unknown as Array<Record<string, unknown>>) {
      delete w.commits;
      delete w.pr_url;
    }
    const { report } = mergeReports([{ dir: '/old', report: old }], 'm');
    expect(report.workers[0]).toMatchObject({ commits: null, pr_url: null });
  });
});

describe('report folders', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wo-merge-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  test('a folder with report.json is one; one without stands for those directly inside it', async () => {
    for (const [i, s] of shardReports.entries()) {
      await mkdir(join(dir, 'shards', `wo-report-${i + 1}`), { recursive: true });
      await writeFile(join(dir, 'shards', `wo-report-${i + 1}`, 'report.json'), JSON.stringify(s));
    }
    await mkdir(join(dir, 'shards', 'empty'));
    const found = await findReportDirs([join(dir, 'shards'), join(dir, 'shards', 'wo-report-2')]);
    expect(found).toEqual([1, 2, 3].map((i) => join(dir, 'shards', `wo-report-${i}`)));
    expect((await readReportDir(found[0]!)).report.run_id).toBe('shard1');
  });

  test('no report anywhere, a file, or a broken report.json: a usage error naming it', async () => {
    await expect(findReportDirs([dir])).rejects.toThrow(
      /holds no report.json, nor do the folders directly inside it/,
    );
    await expect(findReportDirs([join(dir, 'nope')])).rejects.toThrow(/is not a folder/);
    await expect(findReportDirs([])).rejects.toThrow(UsageError);
    await writeFile(join(dir, 'report.json'), '{"workers": "no"}');
    await expect(readReportDir(dir)).rejects.toThrow(/is not a wo report/);
    await writeFile(join(dir, 'report.json'), '{');
    await expect(readReportDir(dir)).rejects.toThrow(/is not valid JSON/);
  });
});

describe('timings', () => {
  test('a run replaces the durations of workers that ran to an end, keeps the others', () => {
    const before = new Map([
      ['w4', 999],
      ['gone', 5],
    ]);
    const r = single;
    r.workers[5]!.outcome = 'interrupted';
    const next = updateTimings(before, r);
    expect(next.durations_ms).toEqual({ gone: 5, w0: 5000, w1: 5000, w2: 5000, w3: 5000, w4: 999, w6: 5000 });
    r.workers[5]!.outcome = 'done';
  });

  test('file round trip; a missing file is no timings; a broken one is an error naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wo-timings-'));
    try {
      const file = join(dir, '.wo', 'timings.json');
      expect(await readTimings(file)).toEqual(new Map());
      await recordTimings(file, single);
      expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
        version: 1,
        durations_ms: { w0: 5000 },
      });
      expect((await readTimings(file)).get('w6')).toBe(5000);
      await writeFile(file, '[1]');
      await expect(readTimings(file)).rejects.toThrow(
        /is not a wo timings file .* delete it .* or pass another file with --timings/,
      );
      await writeFile(file, 'nope');
      await expect(readTimings(file)).rejects.toThrow(UsageError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
