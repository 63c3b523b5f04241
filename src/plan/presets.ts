// The agent presets of SPEC §1. Each argv is checked against the tool's own documentation;
// the README's "Agents" section says what each runs and when it counts as finished.
import type { AgentDef } from './types.js';

export const PRESETS: Readonly<Record<string, AgentDef>> = {
  // Claude Code, interactive, the prompt as its first message; finishes by writing the status file.
  claude: { command: ['claude', '{prompt}'], exitsWhenDone: false },
  // Claude Code headless: -p prints the answer and exits. acceptEdits lets it write files unattended.
  'claude-print': {
    command: ['claude', '-p', '--permission-mode', 'acceptEdits', '{prompt}'],
    exitsWhenDone: true,
  },
  // Codex CLI non-interactive; --full-auto = workspace-write sandbox without approval prompts.
  codex: { command: ['codex', 'exec', '--full-auto', '{prompt}'], exitsWhenDone: true },
  // aider: the prompt as its one message (--message, SPEC §1), then exit; --yes-always answers its questions.
  aider: { command: ['aider', '--yes-always', '--message', '{prompt}'], exitsWhenDone: true },
  // The task text is a shell script, run by sh in the worktree.
  shell: { command: ['sh', '-c', '{task}'], exitsWhenDone: true },
};

export const PRESET_NAMES = Object.keys(PRESETS);
