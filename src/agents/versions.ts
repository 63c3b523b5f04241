// The agent programs each preset is proven with (test/agents/ runs them, installed by
// scripts/install-agents.sh at these versions), and how to install and log in to each.
import type { AdapterName } from './index.js';

export interface ProgramFacts {
  /** The version the tests prove the adapter with. */
  proven: string;
  /** The npm package that installs it. */
  install: string;
  /** How to make it reach its model. */
  login: string;
}

export const PROGRAMS: Partial<Record<AdapterName, ProgramFacts>> = {
  claude: {
    proven: '2.1.197',
    install: 'npm install -g @anthropic-ai/claude-code@2.1.197',
    login: 'run `claude auth login` (or `claude`, then /login), or set ANTHROPIC_API_KEY',
  },
  'claude-print': {
    proven: '2.1.197',
    install: 'npm install -g @anthropic-ai/claude-code@2.1.197',
    login: 'run `claude auth login` (or `claude`, then /login), or set ANTHROPIC_API_KEY',
  },
  codex: {
    proven: '0.171.0',
    install: 'npm install -g @openai/codex@0.171.0',
    login: 'run `codex login`, or set the API key variable its provider names (OPENAI_API_KEY by default)',
  },
  aider: {
    proven: '',
    install: 'python -m pip install aider-install && aider-install',
    login: 'set the API key aider uses (e.g. ANTHROPIC_API_KEY or OPENAI_API_KEY)',
  },
};

/** The first x.y.z in a program's --version output. */
export function parseVersion(text: string): string | undefined {
  return /(\d+\.\d+\.\d+)/.exec(text)?.[1];
}
