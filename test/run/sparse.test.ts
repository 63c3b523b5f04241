// `sparse:` end to end (issue 13): wo run checks out only the worker's folders, --dry-run says so,
// and wo clean removes a sparse worktree like any other.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runEnv, type RunEnv } from './harness.js';

describe('wo run with sparse:', () => {
  let r: RunEnv;
  beforeEach(() => {
    r = runEnv();
    for (const file of ['pkg/a/a.ts', 'pkg/b/b.ts', 'docs/guide.md']) {
      mkdirSync(join(r.repo.root, file, '..'), { recursive: true });
      writeFileSync(join(r.repo.root, file), `${file}\n`);
    }
    r.repo.git('add', '-A');
    r.repo.git('commit', '-q', '-m', 'tree');
    r.writePlan(
      'version: 1\ndefaults:\n  agent: shell\n  timeout: 30s\nworkers:\n' +
        // The agent lists what it sees, outside the worktree ($PROBE).
        `  - feature: narrow\n    task: 'find . -name "*.ts" -o -name "*.md" ! -name ".*" | sort > "$PROBE/narrow"'\n    sparse: [pkg/a]\n` +
        `  - feature: whole\n    task: 'true'\n`,
    );
  });
  afterEach(() => r.cleanup());

  test('the agent sees only its folders and the top-level files; dry run and clean', async () => {
    const dry = await r.wo(['run', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('  sparse    pkg/a and the top-level files (cone mode)\n');
    expect(dry.stdout.match(/sparse/g)).toHaveLength(1); // the whole-tree worker has no such line

    const res = await r.wo(['run']);
    expect(res.code).toBe(0);
    expect(r.report().summary).toMatchObject({ done: 2 });
    expect(readFileSync(join(r.probe, 'narrow'), 'utf8')).toBe('./README.md\n./pkg/a/a.ts\n');
    expect(existsSync(join(r.worktree('whole'), 'pkg/b/b.ts'))).toBe(true);
    expect(r.repo.git('-C', r.worktree('narrow'), 'status', '--porcelain')).toBe('');

    // Adopted as it is from now on, and the dry run says so.
    const again = await r.wo(['run', '--dry-run']);
    expect(again.stdout).toContain(
      '  sparse    pkg/a and the top-level files (not applied: the worktree exists)\n',
    );

    const clean = await r.wo(['clean']);
    expect(clean).toMatchObject({ code: 0, stderr: '' });
    expect(clean.stdout).toContain('cleaned narrow');
    expect(existsSync(r.worktree('narrow'))).toBe(false);
    expect(r.repo.git('branch', '--list', 'wo/*').trim()).toBe('');
  });
});
