// The pure rules of integration (SPEC §10): merge order, bisection and its cost, the outcome, the
// radar's git version gate, and the words and report sections built from an integration.
import { decideOutcome, firstBreaking, maxVerifyRuns, mergeOrder } from '../../src/integrate/plan.js';
import { radarUsable } from '../../src/integrate/radar.js';
import { integrationText } from '../../src/integrate/run.js';
import { integrationSection } from '../../src/report/markdown.js';
import { integrationAnnotations } from '../../src/report/github.js';
import type { ReportIntegration } from '../../src/report/types.js';
import { radarText } from '../../src/ui/words.js';

const w = (feature: string, ...needs: string[]) => ({ feature, needs });

describe('mergeOrder', () => {
  test('plan order when nothing needs anything', () => {
    expect(mergeOrder([w('a'), w('b'), w('c')]).map((x) => x.feature)).toEqual(['a', 'b', 'c']);
  });
  test('a worker comes after the workers it needs, the rest keep plan order', () => {
    const order = mergeOrder([w('e2e', 'api', 'login'), w('login'), w('docs'), w('api', 'login')]);
    expect(order.map((x) => x.feature)).toEqual(['login', 'docs', 'api', 'e2e']);
  });
  test('a need outside the list (not being merged) does not hold a worker back', () => {
    expect(mergeOrder([w('b', 'gone'), w('a')]).map((x) => x.feature)).toEqual(['b', 'a']);
  });
});

describe('firstBreaking', () => {
  /** A verify that passes while fewer than `culprit` merges are in; counts its runs. */
  const breaksAt = (culprit: number) => {
    const asked: number[] = [];
    return { asked, passesWith: async (k: number) => (asked.push(k), k < culprit) };
  };

  test.each([1, 2, 3, 5, 8, 13, 16, 17, 20])(
    'names the first breaking merge of n and stays within ceil(log2 n) + 1 runs (n = %i), for every culprit',
    async (n) => {
      for (let culprit = 1; culprit <= n; culprit++) {
        const v = breaksAt(culprit);
        const found = await firstBreaking(n, v.passesWith);
        expect(found.culprit).toBe(culprit);
        // The full run that failed first, plus the bisection's.
        expect(1 + v.asked.length).toBeLessThanOrEqual(maxVerifyRuns(n));
        // What is said to pass was seen passing: the merge just before the culprit (none for the first).
        expect(found.lastPass).toBe(culprit - 1);
        expect(v.asked.every((k) => k >= 1 && k < n)).toBe(true);
      }
    },
  );

  test('the bound itself', () => {
    expect([1, 2, 3, 4, 5, 8, 9, 20].map(maxVerifyRuns)).toEqual([1, 2, 3, 3, 4, 4, 5, 6]);
  });
});

describe('decideOutcome', () => {
  test('integrated: everything merged, verify passed or none', () => {
    expect(decideOutcome({ conflicts: 0, notMerged: 0, verifyPassed: true })).toBe('integrated');
    expect(decideOutcome({ conflicts: 0, notMerged: 0 })).toBe('integrated');
  });
  test('partial: conflicts skipped, the rest merged and verified', () => {
    expect(decideOutcome({ conflicts: 2, notMerged: 0, verifyPassed: true })).toBe('partial');
    expect(decideOutcome({ conflicts: 1, notMerged: 0 })).toBe('partial');
  });
  test('failed: verify fails, stopped on a conflict, or an error', () => {
    expect(decideOutcome({ conflicts: 0, notMerged: 0, verifyPassed: false })).toBe('failed');
    expect(decideOutcome({ conflicts: 1, notMerged: 0, verifyPassed: false })).toBe('failed');
    expect(decideOutcome({ conflicts: 1, notMerged: 2 })).toBe('failed');
    expect(decideOutcome({ conflicts: 0, notMerged: 0, error: 'git merge: boom' })).toBe('failed');
  });
});

test('the radar needs git 2.38 or newer', () => {
  expect(radarUsable({ major: 2, minor: 37 })).toBe(false);
  expect(radarUsable({ major: 2, minor: 38 })).toBe(true);
  expect(radarUsable({ major: 3, minor: 0 })).toBe(true);
  expect(radarUsable({ major: 1, minor: 99 })).toBe(false);
});

test("the radar's line, as SPEC §10 words it", () => {
  expect(radarText({ feature: 'login', with: 'signup', files: ['src/auth.ts'] })).toBe(
    'login ⚠ conflicts with signup in src/auth.ts',
  );
});

describe('an integration in words, markdown and annotations', () => {
  const x: ReportIntegration = {
    branch: 'wo-integration/r1',
    base: 'main',
    head: '0123456789abcdef',
    merged: ['login', 'cart', 'signup'],
    conflicts: [{ feature: 'profile', files: ['src/auth.ts'], with: ['login'], resolution: 'skipped' }],
    not_merged: [],
    verify: {
      command: 'npm test',
      exit_code: 1,
      passed: false,
      culprit: 'signup',
      finding: 'verify passes with login, cart; fails once signup is merged',
      runs: 3,
      output: 'FAIL test/a.test.ts',
    },
    outcome: 'failed',
    reason: null,
    duration_ms: 1200,
  };

  test('one line names the conflict and the merge that breaks verify', () => {
    expect(integrationText(x)).toBe(
      'integration failed: wo-integration/r1 holds login, cart, signup; verify passes with login, cart; fails once signup is merged; profile conflicts with login in src/auth.ts',
    );
  });

  test('report.md: an Integration section', () => {
    const md = integrationSection({ integration: x }).join('\n');
    expect(md).toContain('## Integration');
    expect(md).toContain('**failed** · branch `wo-integration/r1` from `main`');
    expect(md).toContain('profile conflicts with login in `src/auth.ts` (skipped)');
    expect(md).toContain('fails once signup is merged');
    expect(integrationSection({})).toEqual([]);
  });

  test('GitHub: one error per conflict and one for the failing verify', () => {
    const lines = integrationAnnotations({ integration: x }).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^::error title=wo%3A profile conflicts::profile conflicts with login in src\/auth.ts/,
    );
    expect(lines[1]).toMatch(
      /^::error title=wo%3A verify fails on the merged tree::verify passes with login, cart/,
    );
  });
});

describe('JUnit: a testcase integration', () => {
  const base = {
    run_id: 'r1',
    plan: 'workers.yaml',
    started_at: '2026-12-07T10:00:00.000Z',
    finished_at: '2026-12-07T10:01:00.000Z',
    duration_ms: 60_000,
    summary: { done: 0, failed: 0, timeout: 0, crashed: 0, skipped: 0, interrupted: 0 },
    shard: null,
    workers: [],
  };
  const integration = (outcome: ReportIntegration['outcome']): ReportIntegration => ({
    branch: 'wo-integration/r1',
    base: 'main',
    head: 'abc',
    merged: ['login'],
    conflicts:
      outcome === 'partial'
        ? [{ feature: 'cart', files: ['a.ts'], with: ['login'], resolution: 'skipped' }]
        : [],
    not_merged: [],
    verify: null,
    outcome,
    reason: null,
    duration_ms: 1500,
  });

  test('a failure unless integrated, counted in the suite', async () => {
    const { renderJunit } = await import('../../src/report/junit.js');
    const partial = renderJunit({ ...base, integration: integration('partial') });
    expect(partial).toContain('tests="1" failures="1"');
    expect(partial).toMatch(/<testcase name="integration" [^>]*time="1.500">/);
    expect(partial).toContain('<failure message="integration partial" type="partial">');
    expect(partial).toContain('conflict: cart with login in a.ts');
    const ok = renderJunit({ ...base, integration: integration('integrated') });
    expect(ok).toContain('tests="1" failures="0"');
    expect(ok).not.toContain('<failure');
    expect(renderJunit(base)).toContain('tests="0"');
  });
});
