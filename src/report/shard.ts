// `--shard i/n` (SPEC §8): which workers of a plan one shard of a CI matrix runs. A pure function of the
// plan's workers, n and the recorded durations, so every shard of a run computes the same split.
import { UsageError } from '../errors.js';
import type { ShardInfo } from './types.js';

/** What sharding needs of a worker. */
export interface ShardWorker {
  feature: string;
  needs: readonly string[];
}

/**
 * The most shards wo splits a plan into: above any CI's matrix (GitHub allows 256 jobs), and low
 * enough that the split's per-shard bookkeeping stays small whatever number is passed.
 */
export const MAX_SHARDS = 1000;

const tooMany = (what: string, total: number): UsageError =>
  new UsageError(
    `${what} splits the plan into ${total} shards, more than the ${MAX_SHARDS} wo allows: use at most as many shards as there are workers (more are fine, but each extra shard is empty)`,
  );

/** `2/3` → {index: 2, total: 3}; anything else is a usage error naming the form. */
export function parseShard(text: string): ShardInfo {
  const m = /^\s*(\d{1,16})\s*\/\s*(\d{1,16})\s*$/.exec(text);
  const index = Number(m?.[1]);
  const total = Number(m?.[2]);
  if (
    !m ||
    !Number.isSafeInteger(index) ||
    !Number.isSafeInteger(total) ||
    total < 1 ||
    index < 1 ||
    index > total
  )
    throw new UsageError(
      `--shard "${text}" is not a shard: use --shard i/n with 1 <= i <= n, e.g. --shard 1/3 (the first of three), or --shard auto in a CI job that runs in parallel`,
    );
  if (total > MAX_SHARDS) throw tooMany(`--shard ${index}/${total}`, total);
  return { index, total };
}

/** The parallel-job variables of the CIs `--shard auto` reads (SPEC §13), in the order they are tried. */
export const CI_SHARD_VARIABLES = [
  { ci: 'GitLab', index: 'CI_NODE_INDEX', total: 'CI_NODE_TOTAL', base: 1 },
  { ci: 'Buildkite', index: 'BUILDKITE_PARALLEL_JOB', total: 'BUILDKITE_PARALLEL_JOB_COUNT', base: 0 },
  { ci: 'CircleCI', index: 'CIRCLE_NODE_INDEX', total: 'CIRCLE_NODE_TOTAL', base: 0 },
  { ci: 'a Kubernetes Indexed Job', index: 'JOB_COMPLETION_INDEX', total: 'WO_SHARD_TOTAL', base: 0 },
] as const;

const allVariables = (): string =>
  CI_SHARD_VARIABLES.map((v) => `${v.index}/${v.total} (${v.ci})`).join(', ');

/**
 * `--shard auto`: the shard from the CI's own parallel-job variables, as a 1-based i/n (0-based
 * indexes are shifted). The first CI whose index variable is set wins; GitLab's CI_NODE_TOTAL=1
 * without an index (a job without `parallel:`) is the whole plan. None set, half a pair, or a value
 * out of range is a usage error naming the variables.
 */
export function shardFromEnv(env: NodeJS.ProcessEnv): ShardInfo {
  const set = (name: string) => env[name] !== undefined && env[name].trim() !== '';
  const v = CI_SHARD_VARIABLES.find((c) => set(c.index));
  if (!v) {
    if (env.CI_NODE_TOTAL?.trim() === '1') return { index: 1, total: 1 };
    throw new UsageError(
      `--shard auto found none of the CI's parallel-job variables: ${allVariables()}. Run it in a parallel CI job (GitLab parallel:, Buildkite parallelism:, CircleCI parallelism:, a Kubernetes Indexed Job with WO_SHARD_TOTAL), or use --shard i/n`,
    );
  }
  if (!set(v.total))
    throw new UsageError(
      v.total === 'WO_SHARD_TOTAL'
        ? `--shard auto: ${v.index} is set (${v.ci}) but WO_SHARD_TOTAL is not: set it to the Job's completions`
        : `--shard auto: ${v.index} is set (${v.ci}) but ${v.total} is not: run it in a parallel job, or use --shard i/n`,
    );
  const rawIndex = env[v.index]!.trim();
  const rawTotal = env[v.total]!.trim();
  const index = /^\d{1,16}$/.test(rawIndex) ? Number(rawIndex) : NaN;
  const total = /^\d{1,16}$/.test(rawTotal) ? Number(rawTotal) : NaN;
  const first = v.base;
  if (
    !Number.isSafeInteger(index) ||
    !Number.isSafeInteger(total) ||
    total < 1 ||
    index < first ||
    index > total - 1 + first
  )
    throw new UsageError(
      `--shard auto: ${v.index}=${JSON.stringify(rawIndex)} and ${v.total}=${JSON.stringify(rawTotal)} (${v.ci}) are not a shard: the index must be ${first}-based, from ${first} to ${v.total}${first === 0 ? ' - 1' : ''}`,
    );
  if (total > MAX_SHARDS) throw tooMany(`--shard auto (${v.total}=${rawTotal})`, total);
  return { index: index - first + 1, total };
}

/**
 * `--shard TEXT` with the environment it reads: `auto` takes the CI's variables (shardFromEnv), anything
 * else is `i/n` (parseShard). What `wo run` calls for --shard.
 */
export function resolveShard(text: string, env: NodeJS.ProcessEnv): ShardInfo {
  return text.trim() === 'auto' ? shardFromEnv(env) : parseShard(text);
}

/**
 * Groups workers that must share a shard: a worker and everything it needs, or that needs it,
 * directly or through others (the connected parts of the needs graph). Each group lists its
 * workers in plan order; groups are ordered by their first worker.
 */
export function needsGroups<W extends ShardWorker>(workers: readonly W[]): W[][] {
  const parent = new Map(workers.map((w) => [w.feature, w.feature]));
  const find = (f: string): string => {
    let root = f;
    while (parent.get(root) !== root) root = parent.get(root)!;
    // Path compression keeps long chains cheap.
    for (let x = f; x !== root;) {
      const next = parent.get(x)!;
      parent.set(x, root);
      x = next;
    }
    return root;
  };
  for (const w of workers)
    for (const n of w.needs) {
      if (!parent.has(n)) continue; // a need outside the plan is the plan validator's business
      const [a, b] = [find(w.feature), find(n)];
      if (a !== b) parent.set(a, b);
    }
  const groups = new Map<string, W[]>();
  for (const w of workers) {
    const root = find(w.feature);
    groups.set(root, [...(groups.get(root) ?? []), w]);
  }
  return [...groups.values()];
}

/**
 * Splits the workers into `total` shards: every worker in exactly one, a worker's needs in the same
 * shard, balanced by the durations in `timings` (ms by feature), longest group first, each to the
 * shard with the least work so far (ties: fewer workers, then the lower shard). A worker with no
 * recorded duration counts as the median of those known; with none known every worker counts 1, so
 * shard sizes differ by at most one where no needs bind workers together. Shards list their workers
 * in plan order; some may be empty (more shards than groups).
 */
export function splitShards<W extends ShardWorker>(
  workers: readonly W[],
  total: number,
  timings: ReadonlyMap<string, number> = new Map(),
): W[][] {
  if (!Number.isSafeInteger(total) || total < 1 || total > MAX_SHARDS) throw tooMany('the split', total);
  const known = workers
    .map((w) => timings.get(w.feature))
    .filter((d): d is number => d !== undefined && Number.isFinite(d) && d >= 0)
    .sort((a, b) => a - b);
  const fallback = known.length ? known[Math.floor((known.length - 1) / 2)]! : 1;
  const cost = (w: W): number => {
    if (!known.length) return 1;
    const d = timings.get(w.feature);
    return d !== undefined && Number.isFinite(d) && d >= 0 ? d : fallback;
  };
  const order = new Map(workers.map((w, i) => [w.feature, i]));
  const groups = needsGroups(workers).map((g) => ({
    workers: g,
    cost: g.reduce((s, w) => s + cost(w), 0),
    first: order.get(g[0]!.feature)!,
  }));
  // Longest first; equal costs keep plan order, so the split never depends on anything but its inputs.
  groups.sort((a, b) => b.cost - a.cost || b.workers.length - a.workers.length || a.first - b.first);
  const shards = Array.from({ length: total }, () => ({ load: 0, count: 0, workers: [] as W[] }));
  for (const g of groups) {
    let best = shards[0]!;
    for (const s of shards)
      if (s.load < best.load || (s.load === best.load && s.count < best.count)) best = s;
    best.load += g.cost;
    best.count += g.workers.length;
    best.workers.push(...g.workers);
  }
  return shards.map((s) => s.workers.sort((a, b) => order.get(a.feature)! - order.get(b.feature)!));
}

/** The workers of shard `shard.index` (1-based). */
export function shardOf<W extends ShardWorker>(
  workers: readonly W[],
  shard: ShardInfo,
  timings?: ReadonlyMap<string, number>,
): W[] {
  return splitShards(workers, shard.total, timings)[shard.index - 1]!;
}
