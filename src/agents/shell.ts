// The shell agent (SPEC §1): the task text is a shell script, run by sh in the worktree; its exit
// code decides. A plain command: its arguments go byte for byte.
import type { Agent } from './types.js';

export const shell: Agent<'shell'> = {
  name: 'shell',
  preset: { command: ['sh', '-c', '{task}'], exitsWhenDone: true },
  parsesOptions: false,
  printsResultOnExit: false,
};
