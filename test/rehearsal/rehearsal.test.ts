// A rehearsal's launches (SPEC §12), without a process: each agent's launch pointed at its own path
// on the model server through a home of wo's own, with none of the caller's keys; shell as it is;
// aider stood in for. And each path of the server plays its own worker's script.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentDef } from '../../src/plan/types.js';
import { startRehearsal, type Rehearsal, type RehearsedLaunch } from '../../src/rehearsal/rehearsal.js';
import { parseRehearsalScript } from '../../src/rehearsal/script.js';

const CALLER = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/someone',
  ANTHROPIC_API_KEY: 'sk-ant-callers',
  OPENAI_API_KEY: 'sk-callers',
  CLAUDE_CONFIG_DIR: '/home/someone/.claude',
  GH_TOKEN: 'ghp_callers',
  HTTPS_PROXY: 'http://proxy.invalid:3128',
  NO_PROXY: 'corp.invalid',
};

const def = (name: string): AgentDef =>
  name === 'shell'
    ? { command: ['sh', '-c', '{task}'], adapter: 'shell' }
    : { command: [name], adapter: name as 'claude' };

const launch = (feature: string, agent: string): RehearsedLaunch => ({
  feature,
  agentName: agent,
  agent: def(agent),
  worktree: `/repo-worktrees/${feature}`,
  baseEnv: CALLER,
  env: { PLAN_VAR: 'kept', PLAN_TOKEN: 'dropped' },
});

describe('a rehearsal', () => {
  let r: Rehearsal;
  beforeEach(async () => {
    r = await startRehearsal({
      repoRoot: '/repo',
      worktreesDir: '/repo-worktrees',
      worktrees: { login: '/repo-worktrees/login', notes: '/repo-worktrees/notes' },
      script: parseRehearsalScript('notes: fail\n', 'r.yaml'),
    });
  });
  afterEach(async () => {
    await r.close();
  });

  test('claude: its own home, trusted and onboarded, its own path on the server, no key of the caller', async () => {
    const { input, additions } = await r.launch(launch('login', 'claude'));
    expect(input.baseEnv).toEqual({
      PATH: '/usr/bin:/bin',
      HOME: '/home/someone',
      HTTPS_PROXY: 'http://proxy.invalid:3128',
      NO_PROXY: 'corp.invalid',
    });
    expect(input.env).toEqual({ PLAN_VAR: 'kept' });
    const env = additions.env;
    expect(env.HOME).toBe(join(r.dir, 'claude'));
    expect(env.ANTHROPIC_BASE_URL).toBe(`${r.server.url}/w/login`);
    expect(env.CLAUDE_CODE_OAUTH_TOKEN).toMatch(/rehearsal/);
    expect(env.NO_PROXY).toBe('corp.invalid,127.0.0.1,localhost');
    expect(JSON.stringify(additions)).not.toMatch(/callers/);
    const config = JSON.parse(readFileSync(join(r.dir, 'claude', '.claude.json'), 'utf8'));
    expect(config).toMatchObject({
      hasCompletedOnboarding: true,
      projects: {
        '/repo': { hasTrustDialogAccepted: true },
        '/repo-worktrees': { hasTrustDialogAccepted: true },
      },
    });
    expect(r.kindOf('claude', def('claude'))).toBe('agent');
  });

  test('codex: a CODEX_HOME of its own whose provider is its path on the server', async () => {
    const { additions } = await r.launch(launch('login', 'codex'));
    expect(additions.env.CODEX_HOME).toBe(join(r.dir, 'codex', 'login'));
    expect(additions.env.OPENAI_API_KEY).not.toBe(CALLER.OPENAI_API_KEY);
    const toml = readFileSync(join(additions.env.CODEX_HOME!, 'config.toml'), 'utf8');
    expect(toml).toContain(`base_url = "${r.server.url}/w/login/v1"`);
    expect(toml).toContain('wire_api = "responses"');
  });

  test('shell runs as it is; aider is stood in for by a step that writes done', async () => {
    const sh = launch('login', 'shell');
    expect(await r.launch(sh)).toEqual({ input: sh, additions: { args: [], env: {} } });
    expect(r.kindOf('shell', def('shell'))).toBe('as-is');
    const { input } = await r.launch(launch('notes', 'aider'));
    expect(input.agent.command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(input.agent.command.slice(3)).toEqual(['sh', 'aider']);
    expect(input.agent.adapter).toBe('shell');
    expect(r.kindOf('aider', def('aider'))).toBe('stand-in');
    expect(r.kindOf('mine', { command: ['my-agent'] })).toBe('stand-in');
  });

  test('preflight asks in the same homes, with none of the caller keys', async () => {
    const env = await r.preflightEnv(CALLER, { claude: def('claude'), codex: def('codex') });
    expect(env.HOME).toBe(join(r.dir, 'claude'));
    expect(env.CODEX_HOME).toBe(join(r.dir, 'codex', '_preflight'));
    expect(env.ANTHROPIC_API_KEY).toBeUndefined();
    expect(env.GH_TOKEN).toBeUndefined();
  });

  test("each worker's path plays its own script; close removes the homes", async () => {
    const ask = async (feature: string) => {
      const res = await fetch(`${r.server.url}/w/${feature}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer made-up' },
        body: JSON.stringify({
          model: 'm',
          tools: [{ name: 'Bash' }],
          messages: [{ role: 'user', content: 'go' }],
        }),
      });
      return res.text();
    };
    expect(await ask('login')).toContain('/repo-worktrees/login/.wo-rehearsal/login.md');
    expect(await ask('notes')).toContain('the scripted failure');
    expect(r.server.tokensOf('login')?.input_tokens).toBeGreaterThan(0);
    expect(r.server.seen.map((s) => s.path)).toEqual(['/w/login/v1/messages', '/w/notes/v1/messages']);
    expect(r.server.seen[0]!.headers.authorization).toBe('Bearer made-up');
    const dir = r.dir;
    await r.close();
    expect(existsSync(dir)).toBe(false);
    r = await startRehearsal({ repoRoot: '/repo', worktreesDir: '/repo-worktrees', worktrees: {} }); // for afterEach
  });
});
