// SPEC §9 "inputs and outputs of any size and kind": --shard values, timings files and shard reports
// that are empty, huge, not regular files or malformed get a clear message, never a crash.
import { execFileSync } from 'node:child_process';
import {
  mkdtempSync,
  rmSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { MAX_SHARDS, parseShard, resolveShard, shardFromEnv, splitShards } from '../../src/report/shard.js';
import { readTimings, updateTimings } from '../../src/report/timings.js';
import { REPORT_MAX_BYTES, TIMINGS_MAX_BYTES } from '../../src/report/bounded.js';
import type { RunReport } from '../../src/report/types.js';
import { findReportDirs, mergeReports, readReportDir } from '../../src/report/merge.js';
import { readLastOutputFile } from '../../src/report/last-output.js';
import { lastReported, latestOutcomes } from '../../src/run/history.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderHtml } from '../../src/report/html.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'wo-untrusted-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('--shard values', () => {
  test.each(['', ' ', '0', '0/0', '1/0', '0/3', '/', '1/', 'auto2'])('%j is exit 2 naming the form', (v) => {
    expect(() => resolveShard(v, {})).toThrow(UsageError);
    expect(() => resolveShard(v, {})).toThrow(/--shard i\/n/);
  });

  test('a total larger than the number of workers is fine: the extra shards are empty', () => {
    const shards = splitShards([{ feature: 'a', needs: [] }], 5);
    expect(shards.map((s) => s.length)).toEqual([1, 0, 0, 0, 0]);
    expect(parseShard(`3/${MAX_SHARDS}`)).toEqual({ index: 3, total: MAX_SHARDS });
  });

  test.each(['1/1000000000', '1/99999999999999999999999', `1/${MAX_SHARDS + 1}`])(
    'a huge total (%s) is refused, saying the most there may be',
    (v) => {
      expect(() => parseShard(v)).toThrow(UsageError);
      expect(() => parseShard(v)).toThrow(/more than the 1000 wo allows|is not a shard/);
    },
  );

  test('a huge total from the CI variables is refused too', () => {
    expect(() => shardFromEnv({ CI_NODE_INDEX: '1', CI_NODE_TOTAL: '4000000000' })).toThrow(/1000 wo allows/);
  });

  test('splitShards refuses a huge total rather than allocating it', () => {
    expect(() => splitShards([], 2 ** 31)).toThrow(UsageError);
  });
});

describe('timings files', () => {
  test('not there: no timings', async () => {
    await expect(readTimings(join(dir, 'none.json'))).resolves.toEqual(new Map());
  });

  test('a FIFO is refused at once (no writer: a blocking open would wait forever)', async () => {
    const fifo = join(dir, 'timings.json');
    execFileSync('mkfifo', [fifo]);
    await expect(readTimings(fifo)).rejects.toThrow(/is a FIFO, not a regular file; delete it/);
  });

  test('a folder and a device are refused', async () => {
    mkdirSync(join(dir, 'd'));
    await expect(readTimings(join(dir, 'd'))).rejects.toThrow(/is a folder, not a regular file/);
    await expect(readTimings('/dev/zero')).rejects.toThrow(/not a regular file/);
    symlinkSync('/dev/zero', join(dir, 'link'));
    await expect(readTimings(join(dir, 'link'))).rejects.toThrow(UsageError);
  });

  test('a file larger than the bound is refused by its size, unread', async () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, TIMINGS_MAX_BYTES + 1); // sparse: costs no disk
    await expect(readTimings(big)).rejects.toThrow(/more than the 16 MB wo reads; delete it/);
    expect(REPORT_MAX_BYTES).toBeGreaterThan(TIMINGS_MAX_BYTES);
  });

  test('malformed: not JSON, no durations_ms', async () => {
    writeFileSync(join(dir, 'a.json'), '{');
    writeFileSync(join(dir, 'b.json'), '[1,2]');
    await expect(readTimings(join(dir, 'a.json'))).rejects.toThrow(UsageError);
    await expect(readTimings(join(dir, 'b.json'))).rejects.toThrow(/no "durations_ms"/);
  });

  test('only worker names and durations are read: paths, words and negatives are dropped', async () => {
    const f = join(dir, 't.json');
    writeFileSync(
      f,
      JSON.stringify({
        version: 1,
        durations_ms: { ok: 5, '../etc': 1, 'a/b': 2, word: 'x', neg: -1, inf: 1e400, nan: null },
      }),
    );
    expect([...(await readTimings(f))]).toEqual([['ok', 5]]);
  });

  test('a report never puts a path or a non-number into the timings', () => {
    const worker = (feature: string, duration_ms: unknown) =>
      ({ feature, outcome: 'done', from_run: null, duration_ms }) as unknown as RunReport['workers'][number];
    const next = updateTimings(new Map(), {
      workers: [worker('../x', 5), worker('good', 7), worker('bad', '9'), worker('nan', NaN)],
    } as RunReport);
    expect(next.durations_ms).toEqual({ good: 7 });
  });
});

describe('shard reports given to wo report merge', () => {
  const worker = (feature: string, extra: Record<string, unknown> = {}) => ({
    feature,
    outcome: 'done',
    from_run: null,
    reason: null,
    attempts: 1,
    started_at: '2026-11-23T18:30:00.000Z',
    finished_at: '2026-11-23T18:31:00.000Z',
    duration_ms: 60_000,
    branch: `wo/${feature}`,
    worktree: `/w/${feature}`,
    exit_code: 0,
    result: null,
    usage: null,
    attempt_details: [],
    ...extra,
  });
  const report = (extra: Record<string, unknown> = {}, workers = [worker('a')]) => ({
    run_id: 'r1',
    plan: 'workers.yaml',
    started_at: '2026-11-23T18:30:00.000Z',
    finished_at: '2026-11-23T18:31:00.000Z',
    duration_ms: 60_000,
    summary: {},
    shard: { index: 1, total: 1 },
    workers,
    ...extra,
  });
  const put = (sub: string, data: unknown): string => {
    mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, sub, 'report.json'), typeof data === 'string' ? data : JSON.stringify(data));
    return join(dir, sub);
  };

  test('a date that is not one is refused, naming the file (not "Invalid time value")', async () => {
    const d = put('s', report({ started_at: 'yesterday' }));
    await expect(readReportDir(d)).rejects.toThrow(
      /started_at and finished_at must be dates.*remove that folder/,
    );
  });

  test.each(['../../etc/passwd', 'a/b', '', '.hidden'])('a worker named %j is refused', async (name) => {
    const d = put('s', report({}, [worker(name)]));
    await expect(readReportDir(d)).rejects.toThrow(/is not a worker name/);
  });

  test('values of the wrong kind are cleaned and said, and the merge goes on', async () => {
    const d = put(
      's',
      report({ shard: 'x' }, [
        worker('a', {
          duration_ms: '1e9',
          attempts: -3,
          exit_code: {},
          usage: { cost_usd: 'free' },
          started_at: 'then',
          attempt_details: 'many',
          branch: 7,
        }),
      ]),
    );
    const shard = await readReportDir(d);
    const w = shard.report.workers[0]!;
    expect(w).toMatchObject({
      duration_ms: null,
      attempts: 0,
      exit_code: null,
      usage: null,
      started_at: null,
      attempt_details: [],
      branch: '',
    });
    const { report: merged, warnings } = mergeReports([shard], 'm');
    expect(warnings.join('\n')).toMatch(/a\.duration_ms.*had values of the wrong kind, left out/);
    expect(merged.shard).toBeNull();
    // Nothing of it reaches the timings file but a name and a number.
    expect(updateTimings(new Map(), merged).durations_ms).toEqual({});
  });

  test('a report.json that is a FIFO, a device link or huge is refused without waiting or reading it', async () => {
    mkdirSync(join(dir, 'fifo'));
    execFileSync('mkfifo', [join(dir, 'fifo', 'report.json')]);
    mkdirSync(join(dir, 'dev'));
    symlinkSync('/dev/zero', join(dir, 'dev', 'report.json'));
    mkdirSync(join(dir, 'big'));
    writeFileSync(join(dir, 'big', 'report.json'), '');
    truncateSync(join(dir, 'big', 'report.json'), REPORT_MAX_BYTES + 1);
    // Each is found as a report folder, then refused with a message when read.
    expect(await findReportDirs([dir])).toEqual(['big', 'dev', 'fifo'].map((s) => join(dir, s)));
    await expect(readReportDir(join(dir, 'fifo'))).rejects.toThrow(/is a FIFO, not a regular file/);
    await expect(readReportDir(join(dir, 'dev'))).rejects.toThrow(/not a regular file/);
    await expect(readReportDir(join(dir, 'big'))).rejects.toThrow(/more than the 64 MB wo reads/);
  });

  test('a last-output.json that is a FIFO or huge adds nothing and does not wait', async () => {
    mkdirSync(join(dir, 'o'));
    execFileSync('mkfifo', [join(dir, 'o', 'last-output.json')]);
    expect(await readLastOutputFile(join(dir, 'o'))).toEqual(new Map());
  });
});

describe('"the latest run" for --failed', () => {
  const put = (id: string, startedAt: string, outcome: string, mtime: number) => {
    const d = join(dir, '.wo', 'runs', id);
    mkdirSync(d, { recursive: true });
    const file = join(d, 'report.json');
    writeFileSync(
      file,
      JSON.stringify({
        run_id: id,
        plan: 'workers.yaml',
        started_at: startedAt,
        workers: [{ feature: 'a', outcome }],
      }),
    );
    utimesSync(file, mtime, mtime);
  };

  test('is the one wo wrote last, not the one whose dates claim 2099', async () => {
    put('forged', '2099-01-01T00:00:00.000Z', 'done', 1_000_000);
    put('real', '2026-11-23T18:30:00.000Z', 'failed', 2_000_000);
    const { outcomes, latest } = await latestOutcomes(dir, 'workers.yaml');
    expect(outcomes.get('a')).toBe('failed');
    expect(latest.get('a')?.runId).toBe('real');
    expect((await lastReported(dir, 'a'))?.runId).toBe('real');
  });
});

describe('the run-wide parts of a shard report', () => {
  const base = {
    run_id: 'r',
    plan: 'workers.yaml',
    started_at: '2026-11-23T18:30:00.000Z',
    finished_at: '2026-11-23T18:31:00.000Z',
    duration_ms: 1,
    summary: {},
    shard: null,
    workers: [{ feature: 'a', outcome: 'done', attempts: 1, attempt_details: [], branch: '', worktree: '' }],
  };
  test.each([
    { integration: 'x' },
    { integration: { merged: 'x' } },
    {
      integration: {
        branch: 'b',
        base: 'm',
        outcome: 'failed',
        merged: [],
        not_merged: [],
        conflicts: [],
        verify: { command: 'c', passed: false, output: 7 },
        duration_ms: 1,
      },
    },
    { predicted_conflicts: 'x' },
    { predicted_conflicts: [{ files: 3 }] },
    { rehearsal: 'yes' },
  ])('%j of the wrong shape is left out, and every format renders', async (extra) => {
    mkdirSync(join(dir, 's'));
    writeFileSync(join(dir, 's', 'report.json'), JSON.stringify({ ...base, ...extra }));
    const shard = await readReportDir(join(dir, 's'));
    const { report, warnings } = mergeReports([shard], 'm');
    expect(warnings.join('\n')).toMatch(/had values of the wrong kind, left out/);
    expect(() => renderMarkdown(report)).not.toThrow();
    expect(() => renderJunit(report)).not.toThrow();
    expect(() => renderHtml(report)).not.toThrow();
  });
});
