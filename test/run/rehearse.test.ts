// `wo run --rehearse` (SPEC §12) end to end, with the pinned real agent programs (.agents/, as
// test/agents/ finds them) in a HOME that holds the user's own agent settings and keys: each agent
// talks to the scripted model wo starts, does the rehearsal task through its own tools and commits
// it; HOME is byte-identical afterwards and no key of the caller's reaches the model; the scripted
// unhappy paths end as they should; --push only says what it would do.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertAgentsInstalled, CLAUDE_BIN_DIR, CODEX_BIN_DIR } from '../agents/agent-env.js';
import { runEnv, type RunEnv } from './harness.js';

/** Every file under `dir` with its bytes (folders as names), to compare before and after. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) {
        out[`${p}/`] = '';
        walk(p);
      } else out[p] = readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}

const CALLER_ANTHROPIC_KEY = 'sk-ant-api03-the-callers-own-key-must-stay-home';
const CALLER_OPENAI_KEY = 'sk-proj-the-callers-own-openai-key-must-stay-home';

/** A run environment whose HOME looks like a person's: their agent settings and keys, a dead proxy. */
function personsRun(): RunEnv {
  assertAgentsInstalled();
  const r = runEnv();
  const home = r.repo.home;
  writeFileSync(join(home, '.claude.json'), '{"hasCompletedOnboarding":false,"projects":{}}\n');
  mkdirSync(join(home, '.claude'), { recursive: true });
  writeFileSync(join(home, '.claude', 'settings.json'), '{"model":"the-users-own-model"}\n');
  mkdirSync(join(home, '.codex'), { recursive: true });
  writeFileSync(join(home, '.codex', 'config.toml'), 'model = "the-users-own-model"\n');
  Object.assign(r.env, {
    PATH: `${CLAUDE_BIN_DIR}:${CODEX_BIN_DIR}:${r.env.PATH ?? '/usr/bin:/bin'}`,
    ANTHROPIC_API_KEY: CALLER_ANTHROPIC_KEY,
    OPENAI_API_KEY: CALLER_OPENAI_KEY,
    // Anything that leaves the machine goes nowhere.
    HTTPS_PROXY: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    WO_REHEARSAL_LOG: join(r.repo.base, 'requests.json'),
  });
  return r;
}

const lastSubject = (r: RunEnv, branch: string) =>
  execFileSync('git', ['log', '-1', '--format=%s', branch], { cwd: r.repo.root, encoding: 'utf8' }).trim();

const byFeature = (r: RunEnv) =>
  Object.fromEntries(r.report().workers.map((w) => [String(w.feature), w] as const));

const TEST_MS = 150000;

describe('wo run --rehearse, the real agents against the scripted model', () => {
  let r: RunEnv | undefined;
  afterEach(() => {
    r?.cleanup();
    r = undefined;
  });

  test(
    'claude, claude-print, codex (each with a model), shell with verify and a stood-in aider: done, each commit on its branch, HOME untouched, no key of the caller reaches the model, --push only says so',
    async () => {
      r = personsRun();
      const before = snapshot(r.repo.home);
      r.writePlan(
        [
          'version: 1',
          'concurrency: 3',
          'defaults:',
          '  timeout: 90s',
          'workers:',
          '  - feature: inter',
          '    agent: claude',
          '    model: sonnet', // each program takes its model its own way (SPEC §11)
          '    task: Do the rehearsal task',
          '  - feature: headless',
          '    agent: claude-print',
          '    model: opus',
          '    task: Do the rehearsal task',
          '  - feature: cx',
          '    agent: codex',
          '    model: gpt-5-codex',
          '    task: Do the rehearsal task',
          '  - feature: sh',
          '    agent: shell',
          '    task: echo "rehearsal=$WO_REHEARSAL" > shell-out.txt',
          '    verify: grep -q "rehearsal=1" shell-out.txt',
          '  - feature: aid',
          '    agent: aider',
          '    task: Do the rehearsal task',
          '',
        ].join('\n'),
      );
      // A remote that a push would reach: it must stay empty.
      const origin = join(r.repo.base, 'origin.git');
      execFileSync('git', ['init', '-q', '--bare', origin]);
      r.repo.git('remote', 'add', 'origin', origin);
      const junit = join(r.repo.base, 'junit.xml');
      const res = await r.wo(['run', '--rehearse', '--push', '--junit', junit]);
      const said = `${res.stdout}\n${res.stderr}`;
      expect({ code: res.code, said }).toMatchObject({ code: 0 });
      expect(res.stderr).toContain(
        'wo: rehearsal: every agent talks to a scripted model on http://127.0.0.1:',
      );
      expect(res.stderr).toContain('aid (aider): this agent does not rehearse');

      for (const f of ['inter', 'headless', 'cx']) {
        expect(lastSubject(r, `wo/${f}`)).toBe(`Rehearsal: ${f}`);
        expect(
          execFileSync('git', ['show', '--name-only', '--format=', `wo/${f}`], {
            cwd: r.repo.root,
            encoding: 'utf8',
          }).trim(),
        ).toBe(`.wo-rehearsal/${f}.md`);
      }

      const report = r.report();
      expect(report.rehearsal).toBe(true);
      const w = byFeature(r);
      for (const f of ['inter', 'headless', 'cx']) {
        expect(w[f]).toMatchObject({ outcome: 'done', rehearsal: 'agent', pushed: null });
        expect(w[f]!.model).toBe({ inter: 'sonnet', headless: 'opus', cx: 'gpt-5-codex' }[f]);
        const usage = w[f]!.usage as { input_tokens: number; output_tokens: number; cost_usd: number };
        // Tokens as the scripted model counted them (its answers each say the same), cost 0.
        expect(usage.cost_usd).toBe(0);
        expect(usage.input_tokens).toBeGreaterThan(0);
        expect(usage.input_tokens % 120).toBe(0);
        expect(usage.output_tokens).toBe((usage.input_tokens / 120) * 30);
      }
      expect(w.sh).toMatchObject({ outcome: 'done', rehearsal: 'as-is', usage: null });
      expect(w.aid).toMatchObject({ outcome: 'done', rehearsal: 'stand-in' });
      expect(String(w.aid!.result)).toContain('a step stood in for it');
      expect((report.usage as Record<string, number>).cost_usd).toBe(0);

      // The hand-off: said, not done.
      expect(res.stderr).toMatch(/wo: rehearsal: would push wo\/inter to origin/);
      expect(execFileSync('git', ['ls-remote', origin], { encoding: 'utf8' })).toBe('');

      const md = readFileSync(join(r.repo.root, '.wo', 'runs', String(report.run_id), 'report.md'), 'utf8');
      expect(md).toContain('# wo rehearsal ');
      expect(md).toContain('**Rehearsal**');
      expect(md).toMatch(/Stood in for .*aid \(aider\)/);
      const xml = readFileSync(junit, 'utf8');
      expect(xml).toContain('<property name="rehearsal" value="true"/>');
      expect(xml).toContain('(rehearsal)');

      // The person's HOME: not a byte changed, nothing added.
      expect(snapshot(r.repo.home)).toEqual(before);
      // Requests reached the model from each agent, and none carried a key of the caller's.
      const seen = JSON.parse(readFileSync(String(r.env.WO_REHEARSAL_LOG), 'utf8')) as Array<{
        path: string;
        headers: Record<string, string>;
      }>;
      for (const f of ['inter', 'headless', 'cx'])
        expect(seen.some((s) => s.path.startsWith(`/w/${f}/`))).toBe(true);
      const text = JSON.stringify(seen);
      expect(text).not.toContain(CALLER_ANTHROPIC_KEY);
      expect(text).not.toContain(CALLER_OPENAI_KEY);
    },
    TEST_MS,
  );

  test(
    'a rehearsal script: fail is failed, ask turns waiting, limit pauses and resumes, silent waits until its timeout',
    async () => {
      r = personsRun();
      r.writePlan(
        [
          'version: 1',
          'concurrency: 6',
          'defaults:',
          '  timeout: 90s',
          'workers:',
          '  - feature: broken',
          '    agent: claude-print',
          '    task: Do the rehearsal task',
          '  - feature: asks',
          '    agent: claude',
          '    task: Do the rehearsal task',
          '    timeout: 30s', // time to start on a loaded machine, then to be seen waiting
          '  - feature: limited',
          '    agent: claude-print',
          '    task: Do the rehearsal task',
          '  - feature: asksprint',
          '    agent: claude-print',
          '    task: Do the rehearsal task',
          '  - feature: askscodex',
          '    agent: codex',
          '    task: Do the rehearsal task',
          '  - feature: quiet',
          '    agent: claude',
          '    task: Do the rehearsal task',
          '    timeout: 30s', // time to start on a loaded machine, then to be seen waiting
          '',
        ].join('\n'),
      );
      const script = join(r.repo.base, 'rehearsal.yaml');
      writeFileSync(
        script,
        'broken: fail\nasks: ask\nlimited: limit 3s\nquiet: silent\nasksprint: ask\naskscodex: ask\n',
      );
      const res = await r.wo(['run', '--rehearse', script]);
      expect(res.code).toBe(1);
      expect(res.stdout).toMatch(/asks waiting: /);
      expect(res.stdout).toMatch(/limited rate-limited \(attempt 1\)/);
      const w = byFeature(r);
      expect(w.broken).toMatchObject({ outcome: 'failed' });
      expect(String(w.broken!.result)).toContain('the scripted failure');
      expect(w.asks).toMatchObject({ outcome: 'timeout' });
      expect(String(w.asks!.last_screen)).toContain('the rehearsal asks a person');
      // Headless agents ask nobody: Claude Code is denied and goes on, Codex runs it in its sandbox.
      expect(w.asksprint).toMatchObject({ outcome: 'done', commits: 1 });
      expect(w.askscodex).toMatchObject({ outcome: 'done', commits: 1 });
      // Claude Code either waits the limit out by itself (one attempt, its agent held) or gives up at
      // once on it (a `<synthetic>` answer, exit 1): then wo waits for the reset and starts it again.
      expect(w.limited).toMatchObject({ outcome: 'done' });
      expect([1, 2]).toContain(w.limited!.attempts);
      expect(w.limited!.rate_limited_ms).toBeGreaterThan(0);
      expect(lastSubject(r, 'wo/limited')).toBe('Rehearsal: limited');
      // Its turn ended without a word or a status: waiting for a person, until its timeout.
      expect(res.stdout).toMatch(/quiet waiting: its turn ended without writing \.worker-status/);
      expect(w.quiet).toMatchObject({ outcome: 'timeout', commits: 0 });
    },
    TEST_MS,
  );

  test('a bad rehearsal script: every problem with its file:line, exit 2, nothing created', async () => {
    r = runEnv();
    r.writePlan('version: 1\nworkers:\n  - feature: one\n    agent: shell\n    task: "true"\n');
    const script = join(r.repo.base, 'bad.yaml');
    writeFileSync(script, 'one: maybe\nnobody: ok\n');
    const res = await r.wo(['run', '--rehearse', script]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`${script}:1:6 one: "maybe" is not a rehearsal choice`);
    expect(res.stderr).toContain(`${script}:2:1 nobody: no worker "nobody" in the plan`);
    expect(() => statSync(r!.worktree('one'))).toThrow();
  });
});
