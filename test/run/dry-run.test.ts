// `wo run --dry-run` shows what wo adds to each agent's command, as its adapter would add it at the
// start (SPEC §4), on real git; nothing is created.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runEnv, type RunEnv } from './harness.js';

describe('wo run --dry-run', () => {
  let r: RunEnv | undefined;
  afterEach(() => {
    r?.cleanup();
    r = undefined;
  });

  test("each agent's additions: claude's hooks and cost cap, codex's writable roots; the model", async () => {
    r = runEnv();
    r.writePlan(
      'version: 1\nworkers:\n' +
        '  - feature: a\n    agent: claude-print\n    model: opus\n    task: do a\n' +
        '    setup: npm ci\n    verify: npm test\n    max_cost_usd: 0.5\n' +
        '  - feature: b\n    agent: codex\n    task: do b\n' +
        '  - feature: c\n    agent: shell\n    task: echo c\n',
    );
    const res = await r.wo(['run', '--dry-run']);
    expect(res.code).toBe(0);
    const section = (f: string) => res.stdout.split('\n\n').find((s) => s.startsWith(`${f}\n`)) ?? '';
    const a = section('a');
    expect(a).toMatch(/command {3}claude -p \{prompt\} .* --model opus\n/);
    expect(a).toContain("wo adds   --allowedTools 'Bash(npm ci)' 'Bash(npm test)' --settings '{\"hooks\":");
    expect(a).toMatch(/characters\) --max-budget-usd 0\.5$/m);
    const git = join(r.repo.root, '.git');
    // As narrow as a commit to its own branch (SPEC §9): the branch's ref folder, not every ref.
    const roots = [
      join(git, 'worktrees', 'b'),
      join(git, 'objects'),
      join(git, 'refs', 'heads', 'wo'),
      join(git, 'logs', 'refs', 'heads', 'wo'),
    ];
    expect(section('b')).toContain(
      `wo adds   -c 'sandbox_workspace_write.writable_roots=[${roots.map((p) => JSON.stringify(p)).join(',')}]' --output-last-message ${join(r.repo.root, '.wo', 'workers', 'b', 'last-message.md')}`,
    );
    // A plain shell worker: wo adds nothing.
    expect(section('c')).not.toContain('wo adds');
    expect(existsSync(join(r.repo.base, 'repo-worktrees'))).toBe(false);
    expect(existsSync(join(r.repo.root, '.wo'))).toBe(false);
    // Nor the sandbox roots it names: a dry run makes no folder in git's either.
    expect(existsSync(join(git, 'worktrees', 'b'))).toBe(false);
    expect(existsSync(join(git, 'refs', 'heads', 'wo'))).toBe(false);
  });
});
