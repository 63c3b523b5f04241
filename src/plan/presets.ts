// The agent presets of SPEC §1: one per agent of the registry (src/agents/index.ts), each following
// its own adapter. The argv is the agent's start; its adapter adds, per worker, what makes it
// unattended and observable (hooks via --settings, the plan's setup/verify commands as allowed tools,
// codex's commit access). docs/agents.md says exactly what each allows and how a plan widens or
// narrows it. Proven against each agent's pinned version (its install facts) by test/agents/.
import { AGENTS, presetOf } from '../agents/index.js';
import type { AgentDef } from './types.js';

export const PRESETS: Readonly<Record<string, AgentDef>> = Object.fromEntries(
  AGENTS.map((a) => [a.name, presetOf<(typeof a)['name']>(a)]),
);

export const PRESET_NAMES = Object.keys(PRESETS);
