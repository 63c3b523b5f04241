// The hand-off's rules with a fake runner: which workers are pushed, the exact git and gh command lines
// (never a force push, never a shell), a refused push reported, an open pull request reused.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processRunner, type RunOptions, type RunResult, type Runner } from '../../src/process/run.js';
import { Git } from '../../src/git/git.js';
import {
  allBranchFacts,
  branchFacts,
  checkHandOff,
  handOff,
  parseUrls,
  type HandOffWorker,
} from '../../src/handoff/handoff.js';
import { EnvError, UsageError } from '../../src/errors.js';

type Call = { file: string; args: string[]; env?: NodeJS.ProcessEnv };
type Answer = Partial<RunResult> | ((c: Call) => Partial<RunResult>);

/** A runner that records calls and answers by the first matching rule (argv joined with spaces). */
function fakeRunner(rules: Array<[RegExp, Answer]>): Runner & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    async run(file: string, args: readonly string[], o: RunOptions = {}) {
      const call = { file, args: [...args], env: o.env };
      calls.push(call);
      const line = [file, ...args].join(' ');
      const rule = rules.find(([re]) => re.test(line));
      const a = rule ? (typeof rule[1] === 'function' ? rule[1](call) : rule[1]) : {};
      return { stdout: '', stderr: '', exitCode: 0, ...a };
    },
  };
}

const worker = (feature: string, extra: Partial<HandOffWorker> = {}): HandOffWorker => ({
  feature,
  task: `Do ${feature}\nin detail`,
  outcome: 'done',
  branch: `wo/${feature}`,
  worktree: `/w/${feature}`,
  commits: 1,
  result: `${feature} is done`,
  ...extra,
});

const options = (runner: Runner, pr: boolean, notes: string[] = []) => ({
  git: new Git(runner),
  runner,
  repoRoot: '/repo',
  remote: 'origin',
  pr,
  runId: 'r1',
  env: { PATH: '/bin', GH_TOKEN: 't' },
  note: (l: string) => notes.push(l),
});

describe('handOff', () => {
  test('pushes only done workers with commits, each as refs/heads/B:refs/heads/B without force', async () => {
    const runner = fakeRunner([]);
    const notes: string[] = [];
    const out = await handOff(
      [
        worker('a'),
        worker('none', { commits: 0 }),
        worker('unknown', { commits: null }),
        worker('bad', { outcome: 'failed' }),
      ],
      options(runner, false, notes),
    );
    const pushes = runner.calls.filter((c) => c.args[0] === 'push');
    expect(pushes.map((c) => [c.file, ...c.args])).toEqual([
      ['git', 'push', '--porcelain', '--end-of-options', 'origin', 'refs/heads/wo/a:refs/heads/wo/a'],
    ]);
    for (const c of runner.calls) {
      expect(c.args).not.toContain('--force');
      expect(c.args).not.toContain('-f');
      expect(c.args.some((a) => a.startsWith('+'))).toBe(false);
    }
    expect(pushes[0]!.env).toEqual({ GIT_TERMINAL_PROMPT: '0' }); // never waits for a password
    expect([...out]).toEqual([['a', { pushed: true, pr_url: null, error: null }]]);
    expect(notes).toContain('none: nothing to push (no commits ahead of its base)');
    expect(runner.calls.some((c) => c.file === 'gh')).toBe(false);
  });

  test("a refused push is reported with git's words, and gets no pull request", async () => {
    const runner = fakeRunner([
      [
        /^git push/,
        {
          exitCode: 1,
          stdout: 'To /o.git\n!\trefs/heads/wo/a:refs/heads/wo/a\t[rejected] (fetch first)\nDone\n',
        },
      ],
    ]);
    const out = await handOff([worker('a')], options(runner, true));
    expect(out.get('a')).toEqual({
      pushed: false,
      pr_url: null,
      error: 'git push to origin refused wo/a: [rejected] (fetch first) (wo never forces a push)',
    });
    expect(runner.calls.some((c) => c.file === 'gh')).toBe(false);
  });

  test("a push a hook declines carries the remote's own words", async () => {
    const runner = fakeRunner([
      [
        /^git push/,
        {
          exitCode: 1,
          stdout:
            'To /o.git\n!\trefs/heads/wo/a:refs/heads/wo/a\t[remote rejected] (pre-receive hook declined)\nDone\n',
          stderr:
            "remote: wo/* is frozen        \nremote: ask #infra\nerror: failed to push some refs to '/o.git'\n",
        },
      ],
    ]);
    const out = await handOff([worker('a')], options(runner, false));
    expect(out.get('a')!.error).toBe(
      'git push to origin refused wo/a: [remote rejected] (pre-receive hook declined) (the remote said: wo/* is frozen / ask #infra) (wo never forces a push)',
    );
  });

  test("gh's whole message is kept: its fix is on the second line", async () => {
    const runner = fakeRunner([
      [
        /^gh pr list/,
        {
          exitCode: 4,
          stderr:
            'To get started with GitHub CLI, please run:  gh auth login\nAlternatively, populate the GH_TOKEN environment variable with a GitHub API authentication token.\n',
        },
      ],
    ]);
    const out = await handOff([worker('a')], options(runner, true));
    expect(out.get('a')!.error).toBe(
      'gh pr list failed: To get started with GitHub CLI, please run:  gh auth login Alternatively, populate the GH_TOKEN environment variable with a GitHub API authentication token.',
    );
  });

  test('--pr: lists first, creates a draft with head, base, title and body file; reuses an open one', async () => {
    const runner = fakeRunner([
      [/^git symbolic-ref/, { stdout: 'main\n' }],
      [/^gh pr list --head wo\/b /, { stdout: '[{"url":"https://github.com/o/r/pull/9"}]' }],
      [/^gh pr list/, { stdout: '[]' }],
      [/^gh pr create/, { stdout: 'Creating draft pull request\nhttps://github.com/o/r/pull/10\n' }],
    ]);
    const out = await handOff([worker('a'), worker('b')], options(runner, true));
    const gh = runner.calls.filter((c) => c.file === 'gh').map((c) => c.args);
    expect(gh[0]).toEqual([
      'pr',
      'list',
      '--head',
      'wo/a',
      '--state',
      'open',
      '--json',
      'url',
      '--limit',
      '1',
    ]);
    expect(gh[1]!.slice(0, 10)).toEqual([
      'pr',
      'create',
      '--draft',
      '--head',
      'wo/a',
      '--base',
      'main',
      '--title',
      'a: Do a',
      '--body-file',
    ]);
    expect(gh[1]).toHaveLength(11);
    expect(gh.filter((a) => a[1] === 'create')).toHaveLength(1); // b has one open already
    expect(out.get('a')).toEqual({ pushed: true, pr_url: 'https://github.com/o/r/pull/10', error: null });
    expect(out.get('b')).toEqual({ pushed: true, pr_url: 'https://github.com/o/r/pull/9', error: null });
    const env = runner.calls.find((c) => c.file === 'gh')!.env!;
    expect(env).toMatchObject({ GH_PROMPT_DISABLED: '1', GH_TOKEN: 't', PATH: '/bin' });
  });

  test('a base that is a branch is the PR base; a base that is not (a tag, a commit) leaves it to gh', async () => {
    const runner = fakeRunner([
      [/^git rev-parse --verify --quiet refs\/heads\/v1\.0/, { exitCode: 1 }],
      [/^gh pr list/, { stdout: '[]' }],
      [/^gh pr create/, { stdout: 'https://github.com/o/r/pull/1\n' }],
    ]);
    await handOff([worker('a', { base: 'wo/login' }), worker('b', { base: 'v1.0' })], options(runner, true));
    const creates = runner.calls.filter((c) => c.file === 'gh' && c.args[1] === 'create').map((c) => c.args);
    expect(creates[0]!.slice(5, 7)).toEqual(['--base', 'wo/login']);
    expect(creates[1]).not.toContain('--base');
  });

  test('gh failing is an error in the report, not a crash', async () => {
    const runner = fakeRunner([
      [/^gh pr list/, { stdout: '[]' }],
      [/^gh pr create/, { exitCode: 1, stderr: 'GraphQL: No commits between main and wo/a\n' }],
    ]);
    const out = await handOff([worker('a')], options(runner, true));
    expect(out.get('a')).toEqual({
      pushed: true,
      pr_url: null,
      error: 'gh pr create failed: GraphQL: No commits between main and wo/a',
    });
  });

  test('a long first line of the task is cut to a 72-character title', async () => {
    const runner = fakeRunner([
      [/^gh pr list/, { stdout: '[]' }],
      [/^gh pr create/, { stdout: 'https://github.com/o/r/pull/1' }],
    ]);
    await handOff([worker('a', { task: 'x'.repeat(200) })], options(runner, true));
    const title = runner.calls.find((c) => c.args[1] === 'create')!.args[
      runner.calls.find((c) => c.args[1] === 'create')!.args.indexOf('--title') + 1
    ]!;
    expect(title).toHaveLength(72);
    expect(title.endsWith('…')).toBe(true);
  });
});

describe('checkHandOff', () => {
  test('a missing remote is a usage error naming the fix; gh missing with --pr an environment error', async () => {
    const noRemote = fakeRunner([[/^git remote get-url/, { exitCode: 2, stderr: 'error: No such remote' }]]);
    await expect(checkHandOff(options(noRemote, false))).rejects.toThrow(UsageError);
    await expect(checkHandOff(options(noRemote, false))).rejects.toThrow(/git remote add origin URL/);
    const noGh = fakeRunner([[/^gh --version/, { exitCode: 127 }]]);
    await expect(checkHandOff(options(noGh, true))).rejects.toThrow(EnvError);
    await expect(checkHandOff(options(fakeRunner([]), true))).resolves.toBeUndefined();
  });

  test('a gh that never answers --version cannot hang --pr: a real process, ended at its deadline', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'wo-gh-'));
    try {
      // Its own child holds the output open too: the deadline must end the whole group.
      writeFileSync(join(bin, 'gh'), '#!/bin/sh\nsleep 1000 &\nexec sleep 1000\n', { mode: 0o755 });
      // git answers the remote check; gh is the real fake on PATH.
      const runner: Runner = {
        run: (file, args, o) =>
          file === 'git'
            ? Promise.resolve({ stdout: 'url\n', stderr: '', exitCode: 0 })
            : processRunner.run(file, args, o),
      };
      const opts = { ...options(runner, true), env: { PATH: `${bin}:/usr/bin:/bin` }, ghTimeoutMs: 300 };
      await expect(checkHandOff(opts)).rejects.toThrow(/`gh --version` did not answer within 0.3s/);
      await expect(checkHandOff(opts)).rejects.toThrow(EnvError);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

describe('branchFacts', () => {
  test('commits ahead and the diffstat against the base; null when git cannot say', async () => {
    const runner = fakeRunner([
      [/^git rev-list --count --end-of-options main\.\.refs\/heads\/wo\/a$/, { stdout: '3\n' }],
      [
        /^git diff --shortstat --no-ext-diff --no-textconv --end-of-options main\.\.\.refs\/heads\/wo\/a$/,
        { stdout: ' 2 files changed, 10 insertions(+), 1 deletion(-)\n' },
      ],
      [/^git rev-list/, { exitCode: 128, stderr: 'fatal: bad revision' }],
    ]);
    const git = new Git(runner);
    expect(await branchFacts(git, '/repo', 'wo/a', 'main')).toEqual({
      commits: 3,
      diffstat: { files: 2, insertions: 10, deletions: 1 },
    });
    expect(await branchFacts(git, '/repo', 'wo/gone')).toEqual({ commits: null, diffstat: null });
  });

  test('allBranchFacts: branches still at their base cost no more than one for-each-ref and a rev-parse per base', async () => {
    const runner = fakeRunner([
      [
        /^git for-each-ref/,
        {
          stdout:
            'aaa refs/heads/main\naaa refs/heads/wo/idle1\naaa refs/heads/wo/idle2\nbbb refs/heads/wo/busy\n',
        },
      ],
      [/^git rev-parse --verify --quiet --end-of-options HEAD\^\{commit\}$/, { stdout: 'aaa\n' }],
      [/^git rev-list --count --end-of-options HEAD\.\.refs\/heads\/wo\/busy$/, { stdout: '2\n' }],
      [/^git diff --shortstat/, { stdout: ' 1 file changed, 3 insertions(+)\n' }],
    ]);
    const facts = await allBranchFacts(new Git(runner), '/repo', [
      { branch: 'wo/idle1' },
      { branch: 'wo/idle2' },
      { branch: 'wo/busy' },
      { branch: 'wo/never-created' },
    ]);
    expect(Object.fromEntries(facts)).toEqual({
      'wo/idle1': { commits: 0, diffstat: { files: 0, insertions: 0, deletions: 0 } },
      'wo/idle2': { commits: 0, diffstat: { files: 0, insertions: 0, deletions: 0 } },
      'wo/busy': { commits: 2, diffstat: { files: 1, insertions: 3, deletions: 0 } },
      'wo/never-created': { commits: null, diffstat: null },
    });
    expect(runner.calls.map((c) => c.args[0])).toEqual(['for-each-ref', 'rev-parse', 'rev-list', 'diff']);
  });

  test('parseUrls reads gh JSON and plain output, and nothing else', () => {
    expect(parseUrls('[{"url":"https://x/1"},{"url":"no"}]')).toEqual(['https://x/1']);
    expect(parseUrls('Creating…\nhttps://x/2\n')).toEqual(['https://x/2']);
    expect(parseUrls('[broken')).toEqual([]);
  });
});
