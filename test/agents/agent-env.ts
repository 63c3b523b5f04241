// The environment of a test that runs a real agent program: its own HOME and CODEX_HOME (no test
// ever reads or writes a person's agent settings), the pinned programs from .agents/ on PATH
// (scripts/install-agents.sh), and both pointed at the scripted model server.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { scriptedProviderConfig } from '../../src/agents/codex.js';

export const AGENTS_DIR = resolve(process.env.WO_AGENTS_DIR ?? join(import.meta.dirname, '../../.agents'));
export const CLAUDE_BIN_DIR = join(AGENTS_DIR, 'anthropic-ai-claude-code-2.1.197/node_modules/.bin');
export const CODEX_BIN_DIR = join(AGENTS_DIR, 'openai-codex-0.171.0/node_modules/.bin');

/** Throws with the fix when the pinned programs are not installed. */
export function assertAgentsInstalled(): void {
  for (const dir of [CLAUDE_BIN_DIR, CODEX_BIN_DIR])
    if (!existsSync(dir))
      throw new Error(`${dir} is missing: run scripts/install-agents.sh (npm test runs it when needed)`);
}

export const TEST_KEY = 'sk-ant-test-key-for-wo-scripted-model-0123456789';

export interface AgentEnvOptions {
  /** The temp folder that holds this test's HOME and CODEX_HOME. */
  base: string;
  modelUrl: string;
  /** Folders Claude Code trusts (its projects[…].hasTrustDialogAccepted). */
  trusted?: string[];
}

/** Writes a fresh HOME and CODEX_HOME and returns the environment to run agents with. */
export function agentEnv(o: AgentEnvOptions): Record<string, string> {
  const home = join(o.base, 'agent-home');
  const codexHome = join(home, '.codex');
  mkdirSync(codexHome, { recursive: true });
  const projects: Record<string, unknown> = {};
  for (const dir of o.trusted ?? []) projects[dir] = { hasTrustDialogAccepted: true, allowedTools: [] };
  writeFileSync(
    join(home, '.claude.json'),
    JSON.stringify({
      hasCompletedOnboarding: true,
      // Skips the connectivity check and the "use this API key?" question of a fresh home.
      customApiKeyResponses: { approved: [TEST_KEY.slice(-20)], rejected: [] },
      projects,
    }),
  );
  writeFileSync(join(codexHome, 'config.toml'), scriptedProviderConfig('scripted', o.modelUrl));
  return {
    HOME: home,
    CODEX_HOME: codexHome,
    PATH: `${CLAUDE_BIN_DIR}:${CODEX_BIN_DIR}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    SHELL: '/bin/sh',
    ANTHROPIC_BASE_URL: o.modelUrl,
    ANTHROPIC_API_KEY: TEST_KEY,
    OPENAI_API_KEY: 'sk-openai-test-key',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    NO_COLOR: '1',
    GIT_AUTHOR_NAME: 'wo test',
    GIT_AUTHOR_EMAIL: 'test@wo.invalid',
    GIT_COMMITTER_NAME: 'wo test',
    GIT_COMMITTER_EMAIL: 'test@wo.invalid',
    GIT_CONFIG_NOSYSTEM: '1',
  };
}
