// The pure parts of integration (SPEC §10): the merge order, the bisection over merges, and the
// outcome. No git here: integrate.ts feeds them what git said, and unit tests feed them fakes.

/** A worker as the merge order sees it: its feature, and the features it `needs`. */
export interface Ordered {
  feature: string;
  needs: readonly string[];
}

/**
 * The merge order: a worker after the workers it `needs`, otherwise plan order (the order given).
 * A need outside the list is ignored (it is not being merged); the plan's rules forbid cycles, and a
 * cycle that got here anyway keeps plan order for its members.
 */
export function mergeOrder<T extends Ordered>(workers: readonly T[]): T[] {
  const present = new Set(workers.map((w) => w.feature));
  const placed = new Set<string>();
  const out: T[] = [];
  let left = [...workers];
  while (left.length) {
    const i = left.findIndex((w) => w.needs.every((n) => !present.has(n) || placed.has(n)));
    const next = left[i === -1 ? 0 : i]!;
    out.push(next);
    placed.add(next.feature);
    left = left.filter((w) => w !== next);
  }
  return out;
}

/** The most verify runs a bisection of `n` merges may take, the first full run included (SPEC §10). */
export const maxVerifyRuns = (n: number): number => (n <= 1 ? 1 : Math.ceil(Math.log2(n)) + 1);

/**
 * The first merge after which verify fails, given that it fails with all `n` merges (1-based: 1 is
 * the first merge). `passesWith(k)` runs verify on the tree after the first k merges. Binary search
 * over 1..n-1 only: n is known to fail, so this costs at most ceil(log2 n) runs. `lastPass` is the
 * largest k seen passing (0 when none was: the base itself was not checked).
 */
export async function firstBreaking(
  n: number,
  passesWith: (k: number) => Promise<boolean>,
): Promise<{ culprit: number; lastPass: number }> {
  let lo = 1; // the answer is in [lo, hi]
  let hi = n;
  let lastPass = 0;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (await passesWith(mid)) {
      lastPass = mid;
      lo = mid + 1;
    } else hi = mid;
  }
  return { culprit: lo, lastPass };
}

export type IntegrationOutcome = 'integrated' | 'partial' | 'failed';

/** What decides the outcome: conflicts skipped, workers never tried, verify, and any error. */
export interface OutcomeFacts {
  conflicts: number;
  notMerged: number;
  /** undefined: no verify (none configured, or nothing merged). */
  verifyPassed?: boolean;
  error?: string;
}

/**
 * SPEC §10: `integrated` (every worker merged, verify passed or none), `partial` (conflicts skipped,
 * the rest merged and verified), `failed` (verify fails, stopped on a conflict, or an error).
 */
export function decideOutcome(f: OutcomeFacts): IntegrationOutcome {
  if (f.error !== undefined || f.verifyPassed === false || f.notMerged > 0) return 'failed';
  return f.conflicts > 0 ? 'partial' : 'integrated';
}
