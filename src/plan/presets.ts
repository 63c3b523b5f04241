// The agent presets of SPEC §1, each an adapter (src/agents/): the argv here is the start; the
// adapter adds, per worker, what makes it unattended and observable (hooks via --settings, the
// plan's setup/verify commands as allowed tools, codex's commit access). docs/agents.md says exactly
// what each allows and how a plan widens or narrows it. Proven against the pinned versions in
// src/agents/versions.ts by test/agents/.
import type { AgentDef } from './types.js';

/**
 * What Claude Code may do without asking (both presets): read and edit in its worktree, commit, and
 * write the protocol files. The adapter adds the plan's setup and verify commands, as written.
 */
export const CLAUDE_TOOLS = [
  'Read',
  'Edit',
  'Write',
  'Glob',
  'Grep',
  'Bash(git add:*)',
  'Bash(git commit:*)',
  'Bash(git status:*)',
  'Bash(git diff:*)',
  'Bash(git log:*)',
  'Bash(echo done > .worker-status)',
  'Bash(echo failed > .worker-status)',
];

export const PRESETS: Readonly<Record<string, AgentDef>> = {
  // Claude Code, interactive, the prompt as its first message; finishes by writing the status file.
  // Anything beyond its allowed tools is a permission prompt: the worker turns `waiting`.
  claude: {
    command: ['claude', '{prompt}', '--permission-mode', 'acceptEdits', '--allowedTools', ...CLAUDE_TOOLS],
    exitsWhenDone: false,
    adapter: 'claude',
  },
  // Claude Code headless, its events as JSON lines; the prompt comes before --allowedTools (which
  // takes several values). acceptEdits: edits in the worktree; the listed tools: commit and protocol.
  'claude-print': {
    command: [
      'claude',
      '-p',
      '{prompt}',
      '--output-format',
      'stream-json',
      '--verbose',
      '--permission-mode',
      'acceptEdits',
      '--allowedTools',
      ...CLAUDE_TOOLS,
    ],
    exitsWhenDone: true,
    adapter: 'claude-print',
  },
  // Codex CLI non-interactive in its workspace-write sandbox (it never asks in exec mode), its events
  // as JSON lines; the adapter opens the git folders a commit on its branch needs.
  codex: {
    command: ['codex', 'exec', '--json', '--sandbox', 'workspace-write', '--skip-git-repo-check', '{prompt}'],
    exitsWhenDone: true,
    adapter: 'codex',
  },
  // aider: the prompt file as its one message, then exit; --yes-always answers its questions.
  aider: {
    command: ['aider', '--yes-always', '--message-file', '{prompt_file}'],
    exitsWhenDone: true,
    adapter: 'aider',
  },
  // The task text is a shell script, run by sh in the worktree.
  shell: { command: ['sh', '-c', '{task}'], exitsWhenDone: true, adapter: 'shell' },
};

export const PRESET_NAMES = Object.keys(PRESETS);
