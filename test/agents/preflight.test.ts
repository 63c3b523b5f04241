// Preflight against the real programs (SPEC §1): an agent that cannot reach its model stops the run
// with exit 3 and the fix, before anything is created; wo doctor says the same as warnings.
import { existsSync } from 'node:fs';
import { agentRun, plan, type AgentRun } from './harness.js';

describe('preflight, the real programs', () => {
  let r: AgentRun | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  test.each([
    ['claude-print', { ANTHROPIC_API_KEY: '' }, /claude is not logged in; run `claude auth login`/],
    ['codex', { OPENAI_API_KEY: '' }, /codex is not logged in; run `codex login`/],
  ])('%s not logged in: exit 3 with the fix, nothing created', async (agent, env, fix) => {
    r = await agentRun([{ text: 'never asked' }], { env });
    r.writePlan(plan(agent, '  - feature: hello\n    task: Add hello.txt\n'));
    const res = await r.wo(['run']);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(fix);
    expect(res.stderr).toContain('Nothing was created');
    expect(existsSync(r.wt('hello'))).toBe(false);
    expect(await r.tmux.tmux.listSessions()).toEqual([]);
    expect(r.model.requests).toEqual({ anthropic: 0, openai: 0 });
  });

  test('interactive claude with an ANTHROPIC_API_KEY Claude Code has not approved: exit 3 with the fix, nothing created', async () => {
    const key = 'sk-ant-api03-never-approved-by-claude-code-0123456789';
    r = await agentRun([{ text: 'never asked' }], { env: { ANTHROPIC_API_KEY: key } });
    r.writePlan(plan('claude', '  - feature: hello\n    task: Add hello.txt\n'));
    const res = await r.wo(['run']);
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('Claude Code has not approved the ANTHROPIC_API_KEY set here');
    expect(res.stderr).toContain('Detected a custom API key');
    expect(res.stderr).not.toContain(key.slice(-8)); // never the key
    expect(existsSync(r.wt('hello'))).toBe(false);
    expect(await r.tmux.tmux.listSessions()).toEqual([]);
    // The headless preset is never asked: the same key passes for it.
    r.writePlan(plan('claude-print', '  - feature: hello\n    task: Add hello.txt\n'));
    expect((await r.wo(['run', '--dry-run'])).code).toBe(0);
  });

  test('a program not on PATH: exit 3 naming the package to install', async () => {
    r = await agentRun([], { env: { PATH: '/usr/bin:/bin' } });
    r.writePlan(plan('codex', '  - feature: hello\n    task: Add hello.txt\n'));
    const res = await r.wo(['run']);
    expect(res.code).toBe(3);
    expect(res.stderr).toContain("'codex' is not on PATH; install it: npm install -g @openai/codex@0.171.0");
  });

  test('wo doctor: each agent found, with its version, and what stops it as a warning', async () => {
    r = await agentRun([], { env: { ANTHROPIC_API_KEY: '' } });
    const res = await r.wo(['doctor']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^ok {4}agent claude \(default\): .*claude \(2\.1\.197\)$/m);
    expect(res.stdout).toMatch(/^ok {4}agent codex: .*codex \(0\.171\.0\)$/m);
    expect(res.stdout).toMatch(/^warn {2}agent claude: claude is not logged in/m);
  });

  test('wo doctor: how each agent is logged in, as the program says it, never the key', async () => {
    r = await agentRun([]);
    const res = await r.wo(['doctor']);
    expect(res.code).toBe(0);
    // Claude Code's `auth status` names the key's variable; codex's provider names OPENAI_API_KEY.
    expect(res.stdout).toMatch(/^ok {4}agent claude: logged in with an API key \(ANTHROPIC_API_KEY\)$/m);
    expect(res.stdout).toMatch(/^ok {4}agent codex: logged in with an API key \(OPENAI_API_KEY\)$/m);
    expect(res.stdout).not.toContain('sk-');
    expect(r.model.requests).toEqual({ anthropic: 0, openai: 0 });
  });

  test('the shell preset needs no agent program at all', async () => {
    r = await agentRun([], { env: { PATH: '/usr/bin:/bin', ANTHROPIC_API_KEY: '', OPENAI_API_KEY: '' } });
    r.writePlan(plan('shell', '  - feature: hello\n    task: echo hi\n'));
    expect((await r.wo(['run'])).code).toBe(0);
  });
});
