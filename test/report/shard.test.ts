// --shard i/n: every worker in exactly one shard, needs kept together, the same split every time, and
// balanced (by recorded durations, longest first; by count when none are known).
import {
  CI_SHARD_VARIABLES,
  needsGroups,
  parseShard,
  resolveShard,
  shardFromEnv,
  shardOf,
  splitShards,
  type ShardWorker,
} from '../../src/report/shard.js';
import { UsageError } from '../../src/errors.js';

const w = (feature: string, ...needs: string[]): ShardWorker => ({ feature, needs });
const names = (shards: ShardWorker[][]) => shards.map((s) => s.map((x) => x.feature));
const many = (n: number) => Array.from({ length: n }, (_, i) => w(`w${String(i).padStart(2, '0')}`));

/** A small deterministic pseudo-random sequence (no Math.random: the test must be the same every run). */
function lcg(seed: number) {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

function randomPlan(seed: number, size: number): { workers: ShardWorker[]; timings: Map<string, number> } {
  const rnd = lcg(seed);
  const workers: ShardWorker[] = [];
  const timings = new Map<string, number>();
  for (let i = 0; i < size; i++) {
    const needs = i > 0 && rnd() < 0.25 ? [workers[Math.floor(rnd() * i)]!.feature] : [];
    workers.push(w(`f${i}`, ...needs));
    if (rnd() < 0.8) timings.set(`f${i}`, Math.floor(rnd() * 600_000));
  }
  return { workers, timings };
}

describe('parseShard', () => {
  test('i/n, 1-based', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, total: 3 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, total: 1 });
  });
  test.each(['0/3', '4/3', '1/0', '1', 'a/b', '1.5/3', '-1/3', '', '1/3/4'])(
    '"%s" is a usage error naming the form',
    (s) => {
      expect(() => parseShard(s)).toThrow(UsageError);
      expect(() => parseShard(s)).toThrow(/use --shard i\/n with 1 <= i <= n/);
    },
  );
});

describe('needsGroups', () => {
  test('connects needs in both directions and through chains; plan order inside and between groups', () => {
    const plan = [w('a'), w('b', 'a'), w('c'), w('d', 'b'), w('e', 'c', 'f'), w('f'), w('g')];
    expect(needsGroups(plan).map((g) => g.map((x) => x.feature))).toEqual([
      ['a', 'b', 'd'],
      ['c', 'e', 'f'],
      ['g'],
    ]);
  });
});

describe('splitShards', () => {
  test.each([
    [1, 10],
    [3, 60],
    [7, 120],
    [4, 5],
  ])('seeded plan %#: coverage, disjointness, needs together, deterministic', (seed, size) => {
    const { workers, timings } = randomPlan(seed, size);
    for (const n of [1, 2, 3, 5, 8]) {
      const shards = splitShards(workers, n, timings);
      expect(shards).toHaveLength(n);
      const all = shards.flat().map((x) => x.feature);
      expect(all.sort()).toEqual(workers.map((x) => x.feature).sort()); // every worker, exactly once
      const where = new Map(shards.flatMap((s, i) => s.map((x) => [x.feature, i] as const)));
      for (const x of workers)
        for (const need of x.needs)
          expect([x.feature, where.get(need)]).toEqual([x.feature, where.get(x.feature)]);
      // the same inputs, in a fresh call, give the same split; and each shard is in plan order
      expect(
        names(
          splitShards(
            workers.map((x) => ({ ...x })),
            n,
            new Map(timings),
          ),
        ),
      ).toEqual(names(shards));
      const order = new Map(workers.map((x, i) => [x.feature, i]));
      for (const s of shards)
        expect(s.map((x) => order.get(x.feature)!)).toEqual(
          [...s.map((x) => order.get(x.feature)!)].sort((a, b) => a - b),
        );
    }
  });

  test('by count when no durations are known: sizes differ by at most one', () => {
    for (const [size, n] of [
      [10, 3],
      [7, 7],
      [3, 5],
      [100, 8],
    ] as const) {
      const sizes = splitShards(many(size), n).map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    expect(names(splitShards(many(5), 2))).toEqual([
      ['w00', 'w02', 'w04'],
      ['w01', 'w03'],
    ]);
  });

  test('by duration, longest first: the heavy worker gets a shard of its own', () => {
    const workers = many(5);
    const timings = new Map([
      ['w00', 100],
      ['w01', 100],
      ['w02', 1000],
      ['w03', 100],
      ['w04', 100],
    ]);
    expect(names(splitShards(workers, 2, timings))).toEqual([['w02'], ['w00', 'w01', 'w03', 'w04']]);
  });

  test('balance: no shard carries more than the ideal share plus the longest group', () => {
    for (const seed of [11, 12, 13]) {
      const { workers, timings } = randomPlan(seed, 80);
      const known = [...timings.values()].sort((a, b) => a - b);
      const median = known[Math.floor((known.length - 1) / 2)]!;
      const cost = (x: ShardWorker) => timings.get(x.feature) ?? median;
      const groups = needsGroups(workers).map((g) => g.reduce((s, x) => s + cost(x), 0));
      const total = groups.reduce((a, b) => a + b, 0);
      for (const n of [2, 4, 6]) {
        const loads = splitShards(workers, n, timings).map((s) => s.reduce((sum, x) => sum + cost(x), 0));
        expect(Math.max(...loads)).toBeLessThanOrEqual(total / n + Math.max(...groups));
      }
    }
  });

  test('unknown durations count as the median of the known ones', () => {
    const workers = many(4);
    const timings = new Map([
      ['w00', 10],
      ['w01', 1000],
      ['w02', 10],
    ]); // median 10: w03 counts 10
    expect(names(splitShards(workers, 2, timings))).toEqual([['w01'], ['w00', 'w02', 'w03']]);
  });

  test('more shards than groups: some shards are empty, none has two groups', () => {
    const shards = splitShards([w('a'), w('b', 'a'), w('c')], 4);
    expect(names(shards)).toEqual([['a', 'b'], ['c'], [], []]);
  });

  test('shardOf picks the i-th (1-based)', () => {
    expect(shardOf(many(4), { index: 2, total: 2 }).map((x) => x.feature)).toEqual(['w01', 'w03']);
  });
});

describe('--shard auto (SPEC §13): each CI’s parallel-job variables', () => {
  const workers: ShardWorker[] = Array.from({ length: 11 }, (_, i) => ({
    feature: `w${i}`,
    needs: i === 3 ? ['w2'] : [],
  }));
  const timings = new Map([
    ['w0', 5000],
    ['w5', 90_000],
  ]);
  /** What each CI sets for the k-th (0-based) of n parallel jobs. */
  const envs: Record<string, (k: number, n: number) => NodeJS.ProcessEnv> = {
    gitlab: (k, n) => ({ CI_NODE_INDEX: String(k + 1), CI_NODE_TOTAL: String(n), GITLAB_CI: 'true' }),
    buildkite: (k, n) => ({ BUILDKITE_PARALLEL_JOB: String(k), BUILDKITE_PARALLEL_JOB_COUNT: String(n) }),
    circleci: (k, n) => ({ CIRCLE_NODE_INDEX: String(k), CIRCLE_NODE_TOTAL: String(n) }),
    kubernetes: (k, n) => ({ JOB_COMPLETION_INDEX: String(k), WO_SHARD_TOTAL: String(n) }),
  };

  test.each(Object.keys(envs))('%s: every job gets the same workers as --shard i/n', (ci) => {
    for (const n of [1, 2, 3, 4]) {
      const fromEnv: string[][] = [];
      for (let k = 0; k < n; k++) {
        const shard = resolveShard('auto', envs[ci]!(k, n));
        expect(shard).toEqual(parseShard(`${k + 1}/${n}`));
        const auto = shardOf(workers, shard, timings).map((w) => w.feature);
        expect(auto).toEqual(shardOf(workers, parseShard(`${k + 1}/${n}`), timings).map((w) => w.feature));
        fromEnv.push(auto);
      }
      // Every worker in exactly one job.
      expect(fromEnv.flat().sort()).toEqual(workers.map((w) => w.feature).sort());
    }
  });

  test('i/n still works beside auto, and auto ignores surrounding blanks', () => {
    expect(resolveShard('2/3', {})).toEqual({ index: 2, total: 3 });
    expect(resolveShard(' auto ', { CIRCLE_NODE_INDEX: '0', CIRCLE_NODE_TOTAL: '1' })).toEqual({
      index: 1,
      total: 1,
    });
    // GitLab without parallel: sets CI_NODE_TOTAL=1 and no index: the whole plan.
    expect(shardFromEnv({ CI_NODE_TOTAL: '1' })).toEqual({ index: 1, total: 1 });
  });

  test('none set is a usage error naming every variable', () => {
    expect(() => resolveShard('auto', { CI: 'true' })).toThrow(UsageError);
    let message = '';
    try {
      shardFromEnv({ CI: 'true', CI_NODE_INDEX: '' });
    } catch (e) {
      message = (e as Error).message;
    }
    for (const v of CI_SHARD_VARIABLES) {
      expect(message).toContain(v.index);
      expect(message).toContain(v.total);
    }
    expect(message).toContain('--shard i/n');
  });

  test.each([
    [
      { CI_NODE_INDEX: '0', CI_NODE_TOTAL: '3' },
      /CI_NODE_INDEX="0" and CI_NODE_TOTAL="3" \(GitLab\) are not a shard: the index must be 1-based/,
    ],
    [{ CI_NODE_INDEX: '4', CI_NODE_TOTAL: '3' }, /CI_NODE_INDEX="4"/],
    [
      { BUILDKITE_PARALLEL_JOB: '3', BUILDKITE_PARALLEL_JOB_COUNT: '3' },
      /0-based, from 0 to BUILDKITE_PARALLEL_JOB_COUNT - 1/,
    ],
    [{ CIRCLE_NODE_INDEX: '-1', CIRCLE_NODE_TOTAL: '3' }, /CIRCLE_NODE_INDEX="-1"/],
    [{ CIRCLE_NODE_INDEX: '1', CIRCLE_NODE_TOTAL: '0' }, /CIRCLE_NODE_TOTAL="0"/],
    [{ JOB_COMPLETION_INDEX: '1.5', WO_SHARD_TOTAL: '3' }, /JOB_COMPLETION_INDEX="1.5"/],
    [{ JOB_COMPLETION_INDEX: '2' }, /WO_SHARD_TOTAL is not: set it to the Job's completions/],
    [{ BUILDKITE_PARALLEL_JOB: '1' }, /BUILDKITE_PARALLEL_JOB_COUNT is not/],
  ])('%j is a usage error naming the variables', (env, message) => {
    expect(() => resolveShard('auto', env)).toThrow(UsageError);
    expect(() => resolveShard('auto', env)).toThrow(message);
  });
});
