// SPEC v3 §9 "the agent is untrusted": sandbox escapes (issue 19). wo's own git calls never run a
// program a worker configured; codex's writable roots come from wo's knowledge, never the worktree's
// `.git` file; a worker that moves another branch fails; `--push` never takes over a branch wo did not
// create; a placeholder inside a shell script is refused at validation.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, type Fixture } from '../commands/setup.js';

/** A script that leaves `marker` behind when anything runs it. */
function markerScript(dir: string, marker: string): string {
  const script = join(dir, 'evil.sh');
  writeFileSync(script, `#!/bin/sh\ntouch '${marker}'\ncat\n`);
  chmodSync(script, 0o755);
  return script;
}

/**
 * A shell worker's task that points its worktree's admin folder at a common folder of its own whose
 * config runs `script` as fsmonitor and as a clean filter, and leaves a tracked file changed (so a
 * status must look at it). Committed first, so the branch has work to push.
 */
function redirectTask(script: string): string {
  return [
    'echo work > work.txt && git add work.txt && git commit -q -m work',
    'fake="$PWD/../fake-common-$WO_FEATURE"',
    'cp -R "$(git rev-parse --path-format=absolute --git-common-dir)" "$fake"',
    `git config -f "$fake/config" core.fsmonitor '${script}'`,
    `git config -f "$fake/config" filter.evil.clean '${script}'`,
    `git config -f "$fake/config" core.hooksPath /nonexistent`,
    'echo "* filter=evil" > .gitattributes',
    'echo changed >> README.md',
    'printf "%s\\n" "$fake" > "$(git rev-parse --path-format=absolute --git-dir)/commondir"',
  ].join(' && ');
}

describe("wo's own git calls in a worktree run no program the worktree configured", () => {
  let f: Fixture;
  beforeEach(() => {
    f = fixture();
  });
  afterEach(() => f.cleanup());

  test('a commondir pointed at a config with core.fsmonitor and a filter: status, clean and push never run it', async () => {
    const marker = join(f.repo.base, 'ran-marker');
    const script = markerScript(f.repo.base, marker);
    const remote = join(f.repo.base, 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', remote]);
    f.repo.git('remote', 'add', 'origin', remote);
    writeFileSync(
      join(f.repo.root, 'workers.yaml'),
      `version: 1\nworkers:\n  - feature: evil\n    agent: shell\n    task: ${JSON.stringify(redirectTask(script))}\n`,
    );
    const run = await f.wo('run', '--push');
    expect(run.err).toContain('uncommitted'); // the hand-off looked at the worktree with git status
    expect(run.code).toBe(0);
    expect(
      execFileSync('git', ['-C', remote, 'branch', '--list', 'wo/evil'], { encoding: 'utf8' }),
    ).toContain('wo/evil');
    const clean = await f.wo('clean', 'evil');
    expect(clean.code).toBe(2); // README.md changed and .gitattributes untracked: refused, as it should
    expect(clean.err).toContain('uncommitted');
    expect(existsSync(marker)).toBe(false);
    const forced = await f.wo('clean', 'evil', '--force');
    expect(forced.code).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });

  test('the attack is real: a plain git status in such a worktree runs the script', () => {
    // The control for the test above: without wo's pinning, git follows the rewritten commondir.
    const marker = join(f.repo.base, 'ran-marker');
    const script = markerScript(f.repo.base, marker);
    const wt = join(f.repo.base, 'wt');
    f.repo.git('worktree', 'add', '-q', '-b', 'wo/x', wt);
    execFileSync('sh', ['-c', redirectTask(script)], {
      cwd: wt,
      env: { ...f.ctx.env, WO_FEATURE: 'x' },
    });
    execFileSync('git', ['status', '--porcelain'], { cwd: wt, env: f.ctx.env });
    expect(existsSync(marker)).toBe(true);
  });
});
