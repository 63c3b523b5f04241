// Preflight's rules with a fake runner (the real programs: test/agents/preflight.test.ts): the version
// warning, trust of the checkout, and trust carried over to the worktrees folder for another version.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runner } from '../../src/process/run.js';
import { PRESETS } from '../../src/plan/presets.js';
import { preflight } from '../../src/preflight/preflight.js';

function setup(version: string, projects: Record<string, unknown>) {
  const base = mkdtempSync(join(tmpdir(), 'wo-preflight-'));
  const bin = join(base, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'claude'), '#!/bin/sh\n');
  chmodSync(join(bin, 'claude'), 0o755);
  const config = { hasCompletedOnboarding: true, theme: 'dark', projects };
  writeFileSync(join(base, '.claude.json'), JSON.stringify(config));
  chmodSync(join(base, '.claude.json'), 0o600);
  const asked: string[][] = [];
  const runner: Runner = {
    async run(_file, args) {
      asked.push([...args]);
      return {
        stdout: args[0] === '--version' ? `${version} (Claude Code)\n` : '{"loggedIn": true}',
        stderr: '',
        exitCode: 0,
      };
    },
  };
  const said: string[] = [];
  const input = {
    runner,
    env: { PATH: bin, HOME: base },
    cwd: base,
    repoRoot: '/src/shop',
    agents: { claude: PRESETS['claude']! },
    worktreesDir: '/src/shop-worktrees',
    say: (t: string) => said.push(t),
  };
  const config_ = () => JSON.parse(readFileSync(join(base, '.claude.json'), 'utf8')) as typeof config;
  return { input, said, asked, config: config_ };
}

test('the proven version, a trusted checkout: ready, nothing written', async () => {
  const t = setup('2.1.197', { '/src/shop': { hasTrustDialogAccepted: true } });
  const warnings: string[] = [];
  const [c] = await preflight(t.input, (w) => warnings.push(w));
  expect(c).toMatchObject({ agent: 'claude', version: '2.1.197', reachable: true });
  expect(warnings).toEqual([]);
  expect(t.said).toEqual([]);
  expect(t.config().projects).toEqual({ '/src/shop': { hasTrustDialogAccepted: true } });
  expect(t.asked).toEqual([['--version'], ['auth', 'status']]);
});

test('a parent folder trusted counts as the checkout trusted', async () => {
  const t = setup('2.1.197', { '/src': { hasTrustDialogAccepted: true } });
  await expect(preflight(t.input, () => undefined)).resolves.toHaveLength(1);
});

test('an untrusted checkout: exit 3, saying how to trust it', async () => {
  const t = setup('2.1.197', { '/src/shop': { hasTrustDialogAccepted: false } });
  await expect(preflight(t.input, () => undefined)).rejects.toMatchObject({
    exitCode: 3,
    message: expect.stringContaining('answer "Yes, I trust this folder"'),
  });
});

test('another version: a warning naming both, and the trust carried over to the worktrees folder, nothing else changed', async () => {
  const t = setup('2.2.0', { '/src/shop': { hasTrustDialogAccepted: true, allowedTools: ['x'] } });
  const warnings: string[] = [];
  await preflight(t.input, (w) => warnings.push(w));
  expect(warnings.join('')).toMatch(/claude 2\.2\.0 is not the version .* proven with \(2\.1\.197\)/);
  const after = t.config();
  expect(after).toEqual({
    hasCompletedOnboarding: true,
    theme: 'dark',
    projects: {
      '/src/shop': { hasTrustDialogAccepted: true, allowedTools: ['x'] },
      '/src/shop-worktrees': { hasTrustDialogAccepted: true },
    },
  });
  expect(t.said.join('')).toContain('trusted /src/shop-worktrees too');
  expect(t.said.join('')).toContain('nothing else changed');
});

describe('codex not logged in: the fix names the key variable its configured provider reads', () => {
  function codexSetup(config: string | undefined) {
    const base = mkdtempSync(join(tmpdir(), 'wo-preflight-'));
    const bin = join(base, 'bin');
    const home = join(base, 'codex-home');
    mkdirSync(bin);
    mkdirSync(home);
    writeFileSync(join(bin, 'codex'), '#!/bin/sh\n');
    chmodSync(join(bin, 'codex'), 0o755);
    if (config !== undefined) writeFileSync(join(home, 'config.toml'), config);
    const runner: Runner = {
      async run(_file, args) {
        const login = args[0] === 'login';
        return {
          stdout: login ? '' : 'codex-cli 0.171.0\n',
          stderr: login ? 'Not logged in\n' : '',
          exitCode: login ? 1 : 0,
        };
      },
    };
    return {
      runner,
      env: { PATH: bin, HOME: base, CODEX_HOME: home },
      cwd: base,
      repoRoot: '/src/shop',
      agents: { codex: PRESETS['codex']! },
    };
  }

  test('a provider with an env_key: that variable, not OPENAI_API_KEY', async () => {
    const config = [
      'model = "m"',
      'model_provider = "azure"',
      '',
      '[model_providers.other]',
      'env_key = "OTHER_KEY"',
      '',
      '[model_providers.azure]',
      'name = "Azure"',
      'env_key = "AZURE_OPENAI_API_KEY" # the deployment key',
      '',
    ].join('\n');
    const refusal = preflight(codexSetup(config), () => undefined);
    await expect(refusal).rejects.toMatchObject({ exitCode: 3 });
    const message = (await refusal.catch((e: Error) => e)) as Error;
    expect(message.message).toContain(
      'or set AZURE_OPENAI_API_KEY, the API key variable its provider "azure" names',
    );
    expect(message.message).not.toContain('OPENAI_API_KEY by default');
    expect(message.message).not.toContain('OTHER_KEY');
  });

  test('no config: codex login, or OPENAI_API_KEY', async () => {
    await expect(preflight(codexSetup(undefined), () => undefined)).rejects.toMatchObject({
      exitCode: 3,
      message: expect.stringContaining('codex is not logged in; run `codex login`, or set OPENAI_API_KEY'),
    });
  });

  test('the key its provider names, set: reachable', async () => {
    const t = codexSetup(
      'model_provider = "azure"\n[model_providers.azure]\nenv_key = "AZURE_OPENAI_API_KEY"\n',
    );
    const [c] = await preflight({ ...t, env: { ...t.env, AZURE_OPENAI_API_KEY: 'k' } }, () => undefined);
    expect(c).toMatchObject({ reachable: true, login: 'an API key (AZURE_OPENAI_API_KEY)' });
  });
});
