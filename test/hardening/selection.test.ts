// SPEC §4 selection: --failed reads the latest outcome of each worker over all runs of this plan,
// never re-runs (or clears) a worker that finished done; --only with an empty list is exit 2.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lines, runEnv, type RunEnv } from '../run/harness.js';

const head = 'version: 1\ndefaults:\n  agent: shell\n  timeout: 30s\nworkers:\n';

describe('selection', () => {
  let r: RunEnv;
  beforeEach(() => {
    r = runEnv();
  });
  afterEach(() => r.cleanup());

  test('--failed twice in a row, with another plan run between, never re-runs a worker that ended done', async () => {
    const count = (f: string) => `echo x >> "$PROBE/${f}"`;
    r.writePlan(
      head +
        `  - feature: good\n    task: ${count('good')}\n` +
        `  - feature: gated\n    task: |\n      ${count('gated')}\n      test -f "$PROBE/open"\n`,
    );
    expect((await r.wo(['run'])).code).toBe(1);
    writeFileSync(join(r.probe, 'open'), '');
    expect((await r.wo(['run', '--failed'])).code).toBe(0);
    // Another plan ran last, where a worker named `good` failed: it is not this plan's history.
    r.writePlan(`${head}  - feature: good\n    task: exit 3\n`, 'other.yaml');
    expect((await r.wo(['run', 'other.yaml'])).code).toBe(1);
    const third = await r.wo(['run', '--failed']);
    expect(third.stderr).toContain('Nothing to run');
    expect(third.code).toBe(0);
    expect(lines(join(r.probe, 'good'))).toHaveLength(1);
    expect(lines(join(r.probe, 'gated'))).toHaveLength(2);
  });

  test('--only with an empty list is exit 2 and starts nothing', async () => {
    r.writePlan(`${head}  - feature: a\n    task: ${'echo a'}\n`);
    for (const only of [',', '', ' , ']) {
      const res = await r.wo(['run', '--only', only]);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('--only names no worker');
    }
    expect(existsSync(join(r.repo.base, 'repo-worktrees'))).toBe(false);
  });
});

describe('--dry-run', () => {
  let r: RunEnv;
  beforeEach(() => {
    r = runEnv();
  });
  afterEach(() => r.cleanup());

  test('shows copy, env names (never values) and retries too, and creates nothing', async () => {
    writeFileSync(join(r.repo.root, '.env'), 'SECRET=1\n');
    r.writePlan(
      `${head}  - feature: a\n    task: "true"\n    copy: [.env]\n    env: { API_TOKEN: s3cret, MODE: fast }\n    retries: 2\n`,
    );
    const res = await r.wo(['run', '--dry-run']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/copy +\.env/);
    expect(res.stdout).toMatch(/env +API_TOKEN, MODE/);
    expect(res.stdout).not.toContain('s3cret');
    expect(res.stdout).toMatch(/retries +2/);
    expect(existsSync(join(r.repo.base, 'repo-worktrees'))).toBe(false);
  });
});
