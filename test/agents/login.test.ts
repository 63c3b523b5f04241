// How an agent reaches its model, from its own answers (Claude Code 2.1.197 `claude auth status`,
// Codex 0.171 `codex login status`, as printed by the real programs: see test/agents/preflight.test.ts).
import { claudeLogin, codexLogin, codexLoginHint, codexProviderKey } from '../../src/agents/login.js';

describe('claude auth status', () => {
  test('logged out (exit 1)', () => {
    const out = '{\n  "loggedIn": false,\n  "authMethod": "none",\n  "apiProvider": "firstParty"\n}\n';
    expect(claudeLogin(out, 1)).toEqual({ loggedIn: false });
  });

  test('an API key, named by its variable and never shown', () => {
    const out = JSON.stringify({
      loggedIn: true,
      authMethod: 'api_key',
      apiProvider: 'firstParty',
      apiKeySource: 'ANTHROPIC_API_KEY',
    });
    expect(claudeLogin(out, 0)).toEqual({ loggedIn: true, how: 'an API key (ANTHROPIC_API_KEY)' });
  });

  test('a claude.ai subscription, with its plan and who', () => {
    const out = JSON.stringify({
      loggedIn: true,
      authMethod: 'claude.ai',
      apiProvider: 'firstParty',
      email: 'ana@example.com',
      orgName: 'Shop',
      orgId: 'x',
      subscriptionType: 'max',
    });
    expect(claudeLogin(out, 0)).toEqual({
      loggedIn: true,
      how: 'a claude.ai max subscription (ana@example.com, Shop)',
    });
  });

  test('an OAuth token, Bedrock, a key helper', () => {
    const j = (o: object) => JSON.stringify({ loggedIn: true, ...o });
    expect(
      claudeLogin(j({ authMethod: 'oauth_token', apiKeySource: 'CLAUDE_CODE_OAUTH_TOKEN' }), 0).how,
    ).toBe('an OAuth token (CLAUDE_CODE_OAUTH_TOKEN)');
    expect(claudeLogin(j({ authMethod: 'third_party', apiProvider: 'bedrock' }), 0).how).toBe(
      'a third-party provider (bedrock)',
    );
    expect(claudeLogin(j({ authMethod: 'api_key_helper', apiProvider: 'vertex' }), 0).how).toBe(
      'an API key from its apiKeyHelper through vertex',
    );
  });

  test('an answer of another shape: only the exit code counts', () => {
    expect(claudeLogin('Logged in', 0)).toEqual({ loggedIn: true });
    expect(claudeLogin('', 1)).toEqual({ loggedIn: false });
  });
});

describe('codex login status', () => {
  const warning =
    'WARNING: proceeding, even though we could not create PATH aliases: Refusing to create helper binaries under temporary dir "/tmp"\n';
  test('not logged in, after a warning', () => {
    expect(codexLogin(`\n${warning}Not logged in\n`, 1)).toEqual({ loggedIn: false });
  });
  test('an API key saved by codex login: the key is never shown', () => {
    const r = codexLogin(
      `${warning}API key configured - sk-test-***45678\nAuthentication is checked when you send a request.\n`,
      0,
    );
    expect(r).toEqual({ loggedIn: true, how: 'an API key saved by `codex login`' });
    expect(JSON.stringify(r)).not.toContain('sk-');
  });
  test('ChatGPT', () => {
    expect(codexLogin('Logged in using ChatGPT\n', 0)).toEqual({ loggedIn: true, how: 'a ChatGPT account' });
  });
});

describe("codex's configured provider and its key variable (config.toml)", () => {
  test('the selected provider’s env_key; another provider’s is not taken', () => {
    const config =
      'model_provider = "local"\n[model_providers."local"]\nbase_url = "http://x"\n[model_providers.azure]\nenv_key = "AZURE_KEY"\n';
    expect(codexProviderKey(config)).toEqual({ provider: 'local' });
    expect(codexLoginHint(config)).toBe(
      'run `codex login`, or give its provider "local" the key it needs (its config.toml names no env_key)',
    );
  });

  test('a model_provider inside a table (a profile) is not the selected one', () => {
    const config =
      '[profiles.fast]\nmodel_provider = "azure"\n[model_providers.azure]\nenv_key = "AZURE_KEY"\n';
    expect(codexProviderKey(config)).toEqual({});
    expect(codexLoginHint(config)).toBe('run `codex login`, or set OPENAI_API_KEY');
  });
});
