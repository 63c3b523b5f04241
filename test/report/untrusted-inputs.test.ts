// SPEC §9 "inputs and outputs of any size and kind": --shard values, timings files and shard reports
// that are empty, huge, not regular files or malformed get a clear message, never a crash.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { MAX_SHARDS, parseShard, resolveShard, shardFromEnv, splitShards } from '../../src/report/shard.js';
import { readTimings, updateTimings } from '../../src/report/timings.js';
import { REPORT_MAX_BYTES, TIMINGS_MAX_BYTES } from '../../src/report/bounded.js';
import type { RunReport } from '../../src/report/types.js';

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
