// SPEC v3 §9 "the agent is untrusted": sandbox escapes (issue 19). wo's own git calls never run a
// program a worker configured; codex's writable roots come from wo's knowledge, never the worktree's
// `.git` file; a worker that moves another branch fails; `--push` never takes over a branch wo did not
// create; a placeholder inside a shell script is refused at validation.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { codexArgs, commitRoots } from '../../src/agents/codex.js';
import { Git, gitDirsOf } from '../../src/git/git.js';
import { processRunner } from '../../src/process/run.js';
import { codexSandboxCheck } from '../../src/commands/doctor.js';
import { fixture, type Fixture } from '../commands/setup.js';
import { waitFor } from '../helpers.js';
import { CODEX_BIN_DIR } from '../agents/agent-env.js';
import { agentRun, AGENT_TEST_MS, plan, type AgentRun } from '../agents/harness.js';

/** Tests of the real Codex CLI run where the pinned one is installed (scripts/install-agents.sh). */
const withCodex = existsSync(CODEX_BIN_DIR) ? test : test.skip;

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

  test('a worktree with nothing uncommitted whose commondir was redirected: its removal never runs the filter', async () => {
    const marker = join(f.repo.base, 'ran-marker');
    const script = markerScript(f.repo.base, marker);
    const task = [
      'fake="$PWD/../fake-common-$WO_FEATURE"',
      'cp -R "$(git rev-parse --path-format=absolute --git-common-dir)" "$fake"',
      `git config -f "$fake/config" filter.evil.clean '${script}'`,
      'mkdir -p "$fake/info" && echo "* filter=evil" > "$fake/info/attributes"',
      'printf "%s\\n" "$fake" > "$(git rev-parse --path-format=absolute --git-dir)/commondir"',
      // Same content, new time: a status must read the file again, through the filter.
      'touch -d "2001-01-01" README.md',
    ].join(' && ');
    writeFileSync(
      join(f.repo.root, 'workers.yaml'),
      `version: 1\nworkers:\n  - feature: quiet\n    agent: shell\n    task: ${JSON.stringify(task)}\n`,
    );
    expect((await f.wo('run')).code).toBe(0);
    // Straight to the removal (clean's own status, pinned, would refresh the index first): git's
    // check inside `worktree remove` must read the repository's config too.
    await new Git(processRunner).removeWorktree(f.repo.root, f.wt('quiet'), false);
    expect(existsSync(f.wt('quiet'))).toBe(false);
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

describe("codex's writable roots come from wo's knowledge", () => {
  let f: Fixture;
  beforeEach(() => {
    f = fixture();
  });
  afterEach(() => f.cleanup());

  /** A linked worktree on wo/login beside the repository, with wo/other and main as neighbours. */
  const worktree = () => {
    f.repo.git('branch', 'wo/other');
    const wt = join(f.repo.base, 'wt-login');
    f.repo.git('worktree', 'add', '-q', '-b', 'wo/login', wt);
    return wt;
  };

  test("a worktree whose .git says `gitdir: /` keeps the same roots: the admin folder git made, the objects, its branch's ref folder", async () => {
    const wt = worktree();
    const git = new Git(processRunner);
    const dirs = await gitDirsOf(git, f.repo.root, wt);
    const common = join(f.repo.root, '.git');
    expect(dirs).toEqual({ common, admin: join(common, 'worktrees', 'wt-login') });
    const roots = commitRoots({ ...dirs!, branch: 'wo/login' });
    writeFileSync(join(wt, '.git'), 'gitdir: /\n');
    writeFileSync(join(dirs!.admin, 'commondir'), '/\n');
    const again = await gitDirsOf(new Git(processRunner), f.repo.root, wt);
    expect(commitRoots({ ...again!, branch: 'wo/login' })).toEqual(roots);
    expect(roots).not.toContain('/');
    expect(roots).toEqual([
      dirs!.admin,
      join(common, 'objects'),
      join(common, 'refs', 'heads', 'wo'),
      join(common, 'logs', 'refs', 'heads', 'wo'),
    ]);
  });

  withCodex(
    "in the real codex sandbox, a commit to its branch works; main, the repository's config and the .git pointer stay out of reach",
    async () => {
      const wt = worktree();
      const dirs = await gitDirsOf(new Git(processRunner), f.repo.root, wt);
      const args = await codexArgs({ ...dirs!, branch: 'wo/login' }, join(f.repo.base, 'last.txt'));
      const roots = args[1]!; // sandbox_workspace_write.writable_roots=[…], exactly as wo passes it
      const home = join(f.repo.base, 'codex-home');
      mkdirSync(home, { recursive: true });
      const script = [
        'echo one > one.txt && git add one.txt && git commit -q -m one && echo COMMITTED',
        'git update-ref refs/heads/main HEAD && echo MAIN-MOVED',
        `echo x >> '${join(f.repo.root, '.git', 'config')}' && echo CONFIG-WRITTEN`,
        'echo "gitdir: /" > .git && echo POINTER-WRITTEN',
      ].join('; ');
      // The test's repository is under /tmp, which codex leaves writable by default: excluded here, as
      // for a repository anywhere else, so that only wo's roots open the git folders.
      const r = spawnSync(
        join(CODEX_BIN_DIR, 'codex'),
        [
          'sandbox',
          '-c',
          'sandbox_mode="workspace-write"',
          '-c',
          'sandbox_workspace_write.exclude_slash_tmp=true',
          '-c',
          'sandbox_workspace_write.exclude_tmpdir_env_var=true',
          '-c',
          roots,
          '--',
          'sh',
          '-c',
          script,
        ],
        { cwd: wt, env: { ...f.ctx.env, CODEX_HOME: home }, encoding: 'utf8', timeout: 60_000 },
      );
      expect(r.stdout).toContain('COMMITTED');
      expect(r.stdout).not.toContain('MAIN-MOVED');
      expect(r.stdout).not.toContain('CONFIG-WRITTEN');
      expect(r.stdout).not.toContain('POINTER-WRITTEN');
      expect(f.repo.git('log', '-1', '--format=%s', 'wo/login').trim()).toBe('one');
      expect(f.repo.git('rev-parse', 'main')).toBe(f.repo.git('rev-parse', 'wo/other'));
      expect(readFileSync(join(wt, '.git'), 'utf8')).toMatch(/^gitdir: .*worktrees/);
    },
    AGENT_TEST_MS,
  );
});

describe('a worker that moves a branch not its own is failed, naming it', () => {
  let f: Fixture;
  beforeEach(() => {
    f = fixture();
  });
  afterEach(() => f.cleanup());

  test('a custom agent that moves main ends failed, the reason naming main; its own branch may move', async () => {
    writeFileSync(
      join(f.repo.root, 'workers.yaml'),
      [
        'version: 1',
        'concurrency: 1', // b starts after a: only a ran while main moved
        'agents:',
        '  mover:',
        '    command: [sh, -c, "git commit -q --allow-empty -m mine && git update-ref refs/heads/main HEAD"]',
        '  own:',
        '    command: [sh, -c, "git commit -q --allow-empty -m mine"]',
        'workers:',
        '  - { feature: a, agent: mover, task: move main }',
        '  - { feature: b, agent: own, task: commit to my branch }',
        '',
      ].join('\n'),
    );
    const r = await f.wo('run');
    expect(r.code).toBe(1);
    const last = JSON.parse(readFileSync(join(f.repo.root, '.wo', 'last-run.json'), 'utf8')) as {
      report_json: string;
    };
    const report = JSON.parse(readFileSync(last.report_json, 'utf8')) as {
      workers: Array<{ feature: string; outcome: string; reason?: string }>;
    };
    const a = report.workers.find((w) => w.feature === 'a')!;
    expect(a.outcome).toBe('failed');
    expect(a.reason).toContain('main');
    expect(report.workers.find((w) => w.feature === 'b')).toMatchObject({ outcome: 'done' });
    expect(f.result('a')).toContain('main');
  });
});

describe("a branch a person moves while an agent runs is not the agent's doing", () => {
  let f: Fixture;
  beforeEach(() => {
    f = fixture();
  });
  afterEach(() => f.cleanup());

  test('a commit on main during the run leaves an agent without a sandbox done', async () => {
    const started = join(f.repo.root, '..', 'started');
    const go = join(f.repo.root, '..', 'go');
    writeFileSync(
      join(f.repo.root, 'workers.yaml'),
      [
        'version: 1',
        'agents:',
        '  slow:',
        // It commits to its own branch, says it runs, and waits for the test to have moved main.
        `    command: [sh, -c, "git commit -q --allow-empty -m mine && : > '${started}' && until [ -e '${go}' ]; do sleep 0.05; done"]`,
        'workers:',
        '  - { feature: a, agent: slow, task: commit to my branch }',
        '',
      ].join('\n'),
    );
    const run = f.wo('run');
    await waitFor(() => existsSync(started), 'the agent to start', 20_000);
    f.repo.git('commit', '-q', '--allow-empty', '-m', 'a person works on main meanwhile');
    writeFileSync(go, '');
    const r = await run;
    expect(r.code).toBe(0);
    expect(f.repo.git('log', '-1', '--format=%s', 'main').trim()).toBe('a person works on main meanwhile');
    const last = JSON.parse(readFileSync(join(f.repo.root, '.wo', 'last-run.json'), 'utf8')) as {
      report_json: string;
    };
    const report = JSON.parse(readFileSync(last.report_json, 'utf8')) as {
      workers: Array<{ feature: string; outcome: string }>;
    };
    expect(report.workers.find((w) => w.feature === 'a')).toMatchObject({ outcome: 'done' });
  });
});

describe('the real codex moving main', () => {
  let r: AgentRun | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  withCodex(
    'codex that moves main (within its sandbox or not) ends failed, naming main',
    async () => {
      r = await agentRun([]);
      r.model.script.push(
        { bash: 'git commit -q --allow-empty -m mine && git update-ref refs/heads/main HEAD' },
        { text: 'Done.' },
      );
      r.writePlan(plan('codex', '  - feature: mover\n    task: Move main\n'));
      const res = await r.wo(['run']);
      expect(res.code).toBe(1);
      const w = r.report().workers[0]!;
      expect(w.outcome).toBe('failed');
      expect(w.reason).toContain('main');
    },
    AGENT_TEST_MS,
  );
});

describe('a placeholder inside a shell script of a custom agent', () => {
  let f: Fixture;
  beforeEach(() => {
    f = fixture();
  });
  afterEach(() => f.cleanup());

  test('[sh, -c, "echo {task}"] is refused by validate and run: exit 2 at its line and column, naming {prompt_file}', async () => {
    writeFileSync(
      join(f.repo.root, 'workers.yaml'),
      [
        'version: 1',
        'agents:',
        '  echo:',
        '    command: [sh, -c, "echo {task}"]',
        'workers:',
        '  - { feature: a, agent: echo, task: "$(touch pwned)" }',
        '',
      ].join('\n'),
    );
    const v = await f.wo('validate');
    expect(v.code).toBe(2);
    expect(v.err + v.out).toMatch(/workers\.yaml:4:23\b.*\{task\} inside the script of "sh -c"/);
    expect(v.err + v.out).toContain('{prompt_file}');
    expect(v.err + v.out).toContain('WO_PROMPT_FILE');
    const run = await f.wo('run');
    expect(run.code).toBe(2);
    expect(existsSync(f.wt('a'))).toBe(false); // refused before anything is created
  });
});

describe('--push pushes only branches wo created', () => {
  let f: Fixture;
  beforeEach(() => {
    f = fixture();
    const remote = join(f.repo.base, 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', remote]);
    f.repo.git('remote', 'add', 'origin', remote);
    writeFileSync(
      join(f.repo.root, 'workers.yaml'),
      'version: 1\nworkers:\n  - { feature: a, agent: shell, task: "git commit -q --allow-empty -m work" }\n',
    );
  });
  afterEach(() => f.cleanup());

  test('a template naming a branch someone else made: exit 2 at the start, nothing created or pushed', async () => {
    f.repo.git('branch', 'wo/a'); // a colleague's branch that the template names
    const r = await f.wo('run', '--push');
    expect(r.code).toBe(2);
    expect(r.err).toContain('wo/a');
    expect(r.err).toContain('wo did not create');
    expect(existsSync(f.wt('a'))).toBe(false);
    expect(execFileSync('git', ['-C', join(f.repo.base, 'remote.git'), 'branch'], { encoding: 'utf8' })).toBe(
      '',
    );
    expect((await f.wo('run')).code).toBe(0); // without --push, working on it is the user's choice
  });

  test('a branch wo made in an earlier run is pushed again', async () => {
    expect((await f.wo('run', '--push')).code).toBe(0);
    const again = await f.wo('run', '--push');
    expect(again.err).not.toContain('wo did not create');
    expect(again.code).toBe(0);
  });
});

describe("wo doctor checks that codex's sandbox confines writes (issue 18)", () => {
  const codex = join(CODEX_BIN_DIR, 'codex');
  const env = (home: string) => ({ ...process.env, CODEX_HOME: home, HOME: home });

  withCodex(
    'a repository outside /tmp: ok, the write outside refused, saying /tmp and $TMPDIR stay writable',
    async () => {
      const repo = mkdtempSync('/var/tmp/wo-doctor-');
      try {
        const c = await codexSandboxCheck(processRunner, codex, env(repo), repo);
        expect(c).toMatchObject({ level: 'ok' });
        expect(c.text).toContain('/tmp and $TMPDIR stay writable');
        expect(existsSync(join(repo, `.wo-sandbox-probe-${process.pid}`))).toBe(false);
      } finally {
        rmSync(repo, { recursive: true, force: true });
      }
    },
    AGENT_TEST_MS,
  );

  withCodex(
    'a repository under /tmp: a warning that codex leaves it writable',
    async () => {
      const repo = mkdtempSync('/tmp/wo-doctor-');
      try {
        const c = await codexSandboxCheck(processRunner, codex, env(repo), repo);
        expect(c.level).toBe('warn');
        expect(c.text).toMatch(/leaves \/tmp writable, and this repository is under it/);
      } finally {
        rmSync(repo, { recursive: true, force: true });
      }
    },
    AGENT_TEST_MS,
  );

  test('a codex whose sandbox does not confine: a warning naming the file it wrote, which is removed', async () => {
    const repo = mkdtempSync('/var/tmp/wo-doctor-');
    try {
      // Stands in for a codex whose sandbox is a no-op on this machine: it runs the command as it is.
      const fake = join(repo, 'codex');
      writeFileSync(fake, '#!/bin/sh\nshift 3\n[ "$1" = -- ] && shift\nexec "$@"\n');
      chmodSync(fake, 0o755);
      const c = await codexSandboxCheck(processRunner, fake, process.env, repo);
      expect(c.level).toBe('warn');
      expect(c.text).toContain('does NOT confine writes');
      expect(existsSync(join(repo, `.wo-sandbox-probe-${process.pid}`))).toBe(false);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
