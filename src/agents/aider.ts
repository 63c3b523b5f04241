// The aider agent (SPEC §1): the prompt file as its one message, then exit. wo adds nothing and
// reads nothing of its output: its exit code decides. Not proven by test/agents/ (no pinned version).
import type { Agent } from './types.js';

export const aider: Agent<'aider'> = {
  name: 'aider',
  // --yes-always answers its questions.
  preset: { command: ['aider', '--yes-always', '--message-file', '{prompt_file}'], exitsWhenDone: true },
  parsesOptions: true,
  modelArgs: (model) => ['--model', model],
  printsResultOnExit: false,
  install: { title: 'aider', command: 'python -m pip install aider-install && aider-install' },
};
