// wo run in a CI job, end to end with real git and tmux: --junit, GitHub Actions output, --push and --pr
// (a bare repository as origin; a stand-in `gh` on PATH that records its arguments and answers as gh
// would: only gh's arguments are checked, not GitHub), --shard and `wo report merge`.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { runEnv, type RunEnv } from './harness.js';
import { REPORT_KEYS, REPORT_WORKER_KEYS } from '../spec-report.js';

const commitTask = (file: string) =>
  `echo ${file} > ${file}.txt && git add ${file}.txt && git commit -q -m "add ${file}"`;

/** A stand-in gh: records each call's arguments (and the body file's text), answers `pr list` and `pr create`. */
function standInGh(r: RunEnv): { bin: string; calls(): string[][]; bodies(): string } {
  const bin = join(r.repo.base, 'bin');
  mkdirSync(bin);
  const log = join(r.repo.base, 'gh-calls');
  const bodies = join(r.repo.base, 'gh-bodies');
  writeFileSync(
    join(bin, 'gh'),
    `#!/bin/sh
# Stand-in for the GitHub CLI: one line per argument, then a separator.
for a in "$@"; do printf '%s\\n' "$a" >> "${log}"; done
echo '----' >> "${log}"
prev=''
for a in "$@"; do
  if [ "$prev" = --body-file ]; then cat "$a" >> "${bodies}"; fi
  if [ "$prev" = --head ]; then head="$a"; fi
  prev="$a"
done
case "$1 $2" in
  "--version ") echo 'gh version 2.0.0 (stand-in)' ;;
  "pr list") if [ "$head" = wo/existing ]; then echo '[{"url":"https://github.com/o/r/pull/1"}]'; else echo '[]'; fi ;;
  "pr create") echo "https://github.com/o/r/pull/$(echo "$head" | tr -c 'a-z\\n' '-')" ;;
  *) echo "unexpected: $*" >&2; exit 1 ;;
esac
`,
  );
  chmodSync(join(bin, 'gh'), 0o755);
  return {
    bin,
    calls: () => {
      if (!existsSync(log)) return [];
      const out: string[][] = [[]];
      for (const line of readFileSync(log, 'utf8').split('\n').slice(0, -1)) {
        if (line === '----') out.push([]);
        else out[out.length - 1]!.push(line);
      }
      return out.slice(0, -1);
    },
    bodies: () => readIfExists(bodies),
  };
}

const readIfExists = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : '');

describe('wo run in CI', () => {
  let r: RunEnv;
  let origin: string;
  const bare = (...args: string[]) =>
    execFileSync('git', ['--git-dir', origin, ...args], { encoding: 'utf8' }).trim();
  beforeEach(() => {
    r = runEnv();
    origin = join(r.repo.base, 'origin.git');
    execFileSync('git', ['init', '-q', '--bare', origin]);
    r.repo.git('remote', 'add', 'origin', origin);
    r.repo.git('push', '-q', 'origin', 'main');
  });
  afterEach(() => r.cleanup());

  test('--push --pr --junit under GitHub Actions: branches pushed (never forced), draft PRs, JUnit, summary, groups, annotations', async () => {
    const gh = standInGh(r);
    // A branch on origin that the worker's new branch does not descend from: its push must be refused.
    r.repo.git('checkout', '-q', '-b', 'wo/diverged');
    writeFileSync(join(r.repo.root, 'other.txt'), 'someone else\n');
    r.repo.git('add', 'other.txt');
    r.repo.git('commit', '-q', '-m', 'someone else');
    r.repo.git('push', '-q', 'origin', 'wo/diverged');
    const theirs = bare('rev-parse', 'refs/heads/wo/diverged');
    r.repo.git('checkout', '-q', 'main');
    r.repo.git('branch', '-q', '-D', 'wo/diverged');

    r.writePlan(
      `version: 1\nconcurrency: 4\nremote: origin\ndefaults:\n  agent: shell\n  timeout: 30s\nworkers:\n` +
        `  - feature: login\n    task: |\n      ${commitTask('login')}\n      printf 'Login works.\\n' > .worker-result.md\n` +
        `  - feature: existing\n    task: ${commitTask('existing')}\n` +
        `  - feature: diverged\n    task: ${commitTask('diverged')}\n` +
        `  - feature: idle\n    task: echo nothing to commit\n` +
        `  - feature: dirty\n    task: |\n      ${commitTask('dirty')}\n      echo wip > wip.txt\n` +
        `  - feature: broken\n    task: |\n      echo '::error::not from wo'\n      echo "100% broken, a:b"\n      exit 3\n`,
    );
    const summary = join(r.repo.base, 'step-summary.md');
    writeFileSync(summary, '# earlier step output\n');
    const env = {
      ...r.env,
      PATH: `${gh.bin}:${r.env.PATH}`,
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
    };
    const res = await runWith(r, env, ['run', '--junit', 'out/junit.xml', '--pr']);
    expect(res.code).toBe(1);

    const rep = r.report();
    const by = Object.fromEntries(rep.workers.map((w) => [w.feature, w]));
    for (const w of rep.workers) for (const k of REPORT_WORKER_KEYS) expect(w).toHaveProperty(k);
    // commits and diffstat
    expect(by.login).toMatchObject({ commits: 1, diffstat: { files: 1, insertions: 1, deletions: 0 } });
    expect(by.idle).toMatchObject({ commits: 0, pushed: null, pr_url: null });
    expect(by.broken).toMatchObject({ outcome: 'failed', pushed: null, pr_url: null });
    // pushed, same commit on origin; draft PRs
    expect(by.login).toMatchObject({ pushed: true, pr_url: 'https://github.com/o/r/pull/wo-login' });
    expect(bare('rev-parse', 'refs/heads/wo/login')).toBe(r.repo.git('rev-parse', 'wo/login').trim());
    expect(by.existing).toMatchObject({ pushed: true, pr_url: 'https://github.com/o/r/pull/1' });
    expect(by.dirty).toMatchObject({ pushed: true });
    expect(res.stderr).toContain('dirty: 1 uncommitted change in');
    expect(res.stderr).toContain('is not pushed (wo pushes commits only)');
    // refused, never forced: origin keeps its commit
    expect(by.diverged).toMatchObject({ pushed: false, pr_url: null });
    expect(String(by.diverged!.handoff_error)).toMatch(
      /git push to origin refused wo\/diverged.*never forces/,
    );
    expect(bare('rev-parse', 'refs/heads/wo/diverged')).toBe(theirs);
    expect(bare('for-each-ref', '--format=%(refname)', 'refs/heads/wo/idle')).toBe('');

    // gh: the exact arguments, a list before each create, none for the branch that has a PR
    const calls = gh.calls().filter((c) => c[0] === 'pr');
    const listFor = (b: string) => [
      'pr',
      'list',
      '--head',
      b,
      '--state',
      'open',
      '--json',
      'url',
      '--limit',
      '1',
    ];
    expect(calls.filter((c) => c[1] === 'list')).toEqual(
      expect.arrayContaining(['wo/login', 'wo/existing', 'wo/dirty'].map(listFor)),
    );
    const creates = calls.filter((c) => c[1] === 'create');
    expect(creates.map((c) => c[4])).toEqual(expect.arrayContaining(['wo/login', 'wo/dirty']));
    expect(creates).toHaveLength(2);
    const login = creates.find((c) => c[4] === 'wo/login')!;
    expect(login.slice(0, 9)).toEqual([
      'pr',
      'create',
      '--draft',
      '--head',
      'wo/login',
      '--base',
      'main',
      '--title',
      login[8],
    ]);
    expect(login[8]).toMatch(/^login: echo login > login.txt/);
    expect(login[9]).toBe('--body-file');
    expect(gh.bodies()).toContain('Login works.');
    expect(gh.bodies()).toContain('wo never merges');

    // JUnit: parsed, counted
    const xml = readFileSync(join(r.repo.root, 'out', 'junit.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const suite = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml).testsuites
      .testsuite;
    expect([suite.tests, suite.failures, suite.skipped, suite.errors]).toEqual(['6', '1', '0', '0']);

    // GitHub: one group per worker, agent output with commands stopped, one annotation, the summary appended
    const out = res.stdout.split('\n');
    expect(out.filter((l) => l.startsWith('::group::')).sort()).toEqual(
      ['broken: failed', 'dirty: done', 'diverged: done', 'existing: done', 'idle: done', 'login: done'].map(
        (t) => `::group::${t}`,
      ),
    );
    expect(out.filter((l) => l === '::endgroup::')).toHaveLength(6);
    const fake = out.indexOf('::error::not from wo');
    expect(fake).toBeGreaterThan(0);
    expect(
      out
        .slice(0, fake)
        .reverse()
        .find((l) => l.startsWith('::stop-commands::') || l.startsWith('::group::')),
    ).toMatch(/^::stop-commands::wo-[0-9a-f]{24}$/);
    expect(out.filter((l) => l.startsWith('::error '))).toEqual([
      // The result's first lines follow the reason, on the one line of the command (no line of them acts).
      '::error title=wo%3A broken failed::exit code 3%0Abranch wo/broken%0A%0AThe agent exited with code 3 without writing a result.%0ALast output:%0A::error::not from wo%0A100%25 broken, a:b',
      '::error title=wo%3A diverged hand-off failed::git push to origin refused wo/diverged: [rejected] (non-fast-forward) (wo never forces a push)',
    ]);
    const text = readFileSync(summary, 'utf8');
    expect(text.startsWith('# earlier step output\n\n# wo run ')).toBe(true);
    expect(text).toContain('| WORKER | OUTCOME | DURATION | ATTEMPTS | BRANCH | COMMITS | COST | REASON |');
    expect(text).toContain('| login | done |');
  }, 60_000);

  test('a failed hand-off fails the run: a hook-declined push and an unauthenticated gh, in their own words', async () => {
    // origin declines wo/held with its own message; gh answers as gh 2.x does without a login.
    writeFileSync(
      join(origin, 'hooks', 'pre-receive'),
      `#!/bin/sh\nwhile read old new ref; do\n  if [ "$ref" = refs/heads/wo/held ]; then echo "branch wo/held is frozen by policy" >&2; exit 1; fi\ndone\n`,
    );
    chmodSync(join(origin, 'hooks', 'pre-receive'), 0o755);
    const bin = join(r.repo.base, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'gh'),
      `#!/bin/sh\ncase "$1" in\n  --version) echo 'gh version 2.0.0 (stand-in)' ;;\n  *) printf 'To get started with GitHub CLI, please run:  gh auth login\\nAlternatively, populate the GH_TOKEN environment variable with a GitHub API authentication token.\\n' >&2; exit 4 ;;\nesac\n`,
    );
    chmodSync(join(bin, 'gh'), 0o755);
    r.writePlan(
      `version: 1\nremote: origin\ndefaults:\n  agent: shell\n  timeout: 30s\nworkers:\n` +
        `  - feature: held\n    task: ${commitTask('held')}\n` +
        `  - feature: open\n    task: ${commitTask('open')}\n`,
    );
    const summary = join(r.repo.base, 'step-summary.md');
    const env = {
      ...r.env,
      PATH: `${bin}:${r.env.PATH}`,
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
    };
    const res = await runWith(r, env, ['run', '--pr']);
    const by = Object.fromEntries(r.report().workers.map((w) => [w.feature, w]));
    // Both workers are done: only the hand-off failed, and that alone makes the run exit 1.
    expect([by.held!.outcome, by.open!.outcome]).toEqual(['done', 'done']);
    expect(res.code).toBe(1);
    expect(by.held).toMatchObject({ pushed: false, pr_url: null });
    expect(String(by.held!.handoff_error)).toContain('branch wo/held is frozen by policy');
    expect(String(by.held!.handoff_error)).toContain('pre-receive hook declined');
    expect(by.open).toMatchObject({ pushed: true, pr_url: null });
    expect(String(by.open!.handoff_error)).toContain(
      'To get started with GitHub CLI, please run:  gh auth login',
    );
    expect(String(by.open!.handoff_error)).toContain('populate the GH_TOKEN environment variable');
    const errors = res.stdout.split('\n').filter((l) => l.startsWith('::error '));
    expect(errors).toHaveLength(2);
    expect(errors.find((l) => l.includes('held'))).toMatch(
      /^::error title=wo%3A held hand-off failed::.*branch wo\/held is frozen by policy/,
    );
    expect(errors.find((l) => l.includes('open'))).toMatch(
      /^::error title=wo%3A open hand-off failed::gh pr list failed: To get started with GitHub CLI/,
    );
    expect(res.stderr).toContain('branch wo/held is frozen by policy');
  }, 60_000);

  test('--shard splits the plan; wo report merge joins the shards into a report of the single-run shape', async () => {
    const features = ['a', 'b', 'c', 'd', 'e'];
    r.writePlan(
      `version: 1\nconcurrency: 4\ndefaults:\n  agent: shell\n  timeout: 30s\nworkers:\n` +
        features.map((f) => `  - feature: ${f}\n    task: echo ${f}\n`).join('') +
        `  - feature: f\n    task: echo f\n    needs: [e]\n`,
    );
    // Each shard starts from the same (here: no) timings, as each fresh CI checkout does from the cache.
    const s1 = await r.wo(['run', '--shard', '1/2', '--report', 'shard1', '--timings', 't1.json']);
    const s2 = await r.wo(['run', '--shard', '2/2', '--report', 'shard2', '--timings', 't2.json']);
    expect([s1.code, s2.code]).toEqual([0, 0]);
    const read = (d: string) => JSON.parse(readFileSync(join(r.repo.root, d, 'report.json'), 'utf8'));
    // A shard run writes the timings of the workers it ran (SPEC §8: every run writes them).
    const shardTimings = (f: string) =>
      Object.keys(JSON.parse(readFileSync(join(r.repo.root, f), 'utf8')).durations_ms).sort();
    const [one, two] = [read('shard1'), read('shard2')];
    expect(one.shard).toEqual({ index: 1, total: 2 });
    const f1 = one.workers.map((w: { feature: string }) => w.feature);
    const f2 = two.workers.map((w: { feature: string }) => w.feature);
    expect([...f1, ...f2].sort()).toEqual([...features, 'f']);
    expect(f1.filter((f: string) => f2.includes(f))).toEqual([]);
    expect(f1.includes('e')).toBe(f1.includes('f')); // a needs pair stays together
    expect(shardTimings('t1.json')).toEqual([...f1].sort());
    expect(shardTimings('t2.json')).toEqual([...f2].sort());

    const whole = await r.wo(['run', '--report', 'whole']);
    expect(whole.code).toBe(0);
    const merged = await r.wo([
      'report',
      'merge',
      'shard2',
      'shard1',
      '--report',
      'merged',
      '--junit',
      'merged/junit.xml',
    ]);
    expect(merged.code).toBe(0);
    expect(merged.stdout.trim()).toBe(join('merged', 'report.md'));
    const m = read('merged');
    const single = read('whole');
    expect(Object.keys(m).sort()).toEqual(Object.keys(single).sort());
    for (const k of REPORT_KEYS) expect(m).toHaveProperty(k);
    for (const w of m.workers) expect(Object.keys(w).sort()).toEqual(Object.keys(single.workers[0]).sort());
    expect(m.summary).toEqual(single.summary);
    expect(m.workers.map((w: { feature: string }) => w.feature)).toEqual([...f1, ...f2]);
    expect(readFileSync(join(r.repo.root, 'merged', 'report.md'), 'utf8')).toContain('**6 workers: 6 done**');
    expect(XMLValidator.validate(readFileSync(join(r.repo.root, 'merged', 'junit.xml'), 'utf8'))).toBe(true);
    // every run and the merge recorded durations for every worker
    const timings = JSON.parse(readFileSync(join(r.repo.root, '.wo', 'timings.json'), 'utf8'));
    expect(Object.keys(timings.durations_ms).sort()).toEqual([...features, 'f']);
  }, 60_000);

  test('--shard auto takes the shard from the CI (GitLab here), as --shard i/n would', async () => {
    const features = ['a', 'b', 'c', 'd'];
    r.writePlan(
      `version: 1\ndefaults:\n  agent: shell\nworkers:\n` +
        features.map((f) => `  - feature: ${f}\n    task: echo ${f}\n`).join(''),
    );
    const explicit = await r.wo(['run', '--dry-run', '--shard', '2/2']);
    Object.assign(r.env, { CI_NODE_INDEX: '2', CI_NODE_TOTAL: '2' });
    try {
      const auto = await r.wo(['run', '--dry-run', '--shard', 'auto']);
      expect([explicit.code, auto.code]).toEqual([0, 0]);
      expect(auto.stdout).toContain('Dry run: 2 of 4 workers');
      expect(auto.stdout).toBe(explicit.stdout);
    } finally {
      delete r.env.CI_NODE_INDEX;
      delete r.env.CI_NODE_TOTAL;
    }
    const none = await r.wo(['run', '--dry-run', '--shard', 'auto']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('CI_NODE_INDEX');
  });

  test('an empty shard (more shards than workers) writes an empty report for the merge', async () => {
    r.writePlan(`version: 1\ndefaults:\n  agent: shell\nworkers:\n  - feature: a\n    task: echo a\n`);
    const res = await r.wo(['run', '--shard', '2/2', '--report', 'empty']);
    expect(res.code).toBe(0);
    const rep = JSON.parse(readFileSync(join(r.repo.root, 'empty', 'report.json'), 'utf8'));
    expect(rep).toMatchObject({ shard: { index: 2, total: 2 }, workers: [], summary: { done: 0 } });
    expect(existsSync(r.worktree('a'))).toBe(false);
  });

  test('bad arguments exit 2 and name the fix; --pr without gh exits 3; nothing is started', async () => {
    r.writePlan(
      `version: 1\nremote: upstream\ndefaults:\n  agent: shell\nworkers:\n  - feature: a\n    task: echo a\n`,
    );
    const shard = await r.wo(['run', '--shard', '3/2']);
    expect(shard.code).toBe(2);
    expect(shard.stderr).toContain('use --shard i/n with 1 <= i <= n');
    const push = await r.wo(['run', '--push']);
    expect(push.code).toBe(2);
    expect(push.stderr).toContain(`needs the remote "upstream", which this repository does not have`);
    r.writePlan(`version: 1\ndefaults:\n  agent: shell\nworkers:\n  - feature: a\n    task: echo a\n`);
    const pr = await runWith(r, { ...r.env, PATH: '/usr/bin:/bin' }, ['run', '--pr']);
    expect(pr.code).toBe(3);
    expect(pr.stderr).toContain('`gh` does not run here');
    const merge = await r.wo(['report', 'merge', 'nowhere']);
    expect(merge.code).toBe(2);
    expect(merge.stderr).toContain('is not a folder');
    expect(existsSync(r.worktree('a'))).toBe(false);
  });
});

/** wo in-process with another environment than the harness's. */
async function runWith(r: RunEnv, env: NodeJS.ProcessEnv, args: string[]) {
  const { main } = await import('../../src/cli.js');
  const { memoryOutput } = await import('../../src/context.js');
  const io = memoryOutput();
  const code = await main(args, { cwd: r.repo.root, env, io, signal: new AbortController().signal });
  return { code, stdout: io.stdout, stderr: io.stderr };
}
