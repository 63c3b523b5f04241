// A `wo run` test with a real agent program: the run harness (temp repo, own tmux socket), a scripted
// model server, and a fresh HOME and CODEX_HOME for the agent (test/agents/agent-env.ts).
import { join } from 'node:path';
import { runEnv, type RunEnv } from '../run/harness.js';
import { agentEnv, assertAgentsInstalled } from './agent-env.js';
import { startModelServer, type ModelServer, type Step } from './model-server.js';

export interface AgentRun extends RunEnv {
  model: ModelServer;
  /** The worktree path of a feature (where the scripted model writes). */
  wt(feature: string): string;
  close(): Promise<void>;
}

export async function agentRun(
  script: Step[],
  o: { trusted?: 'repo' | 'none'; env?: Record<string, string> } = {},
): Promise<AgentRun> {
  assertAgentsInstalled();
  const r = runEnv();
  const model = await startModelServer(script);
  const env = agentEnv({
    base: r.repo.base,
    modelUrl: model.url,
    trusted: o.trusted === 'none' ? [] : [r.repo.root],
  });
  // wo itself runs with the agent's environment, and passes it to the sessions.
  Object.assign(r.env, env, o.env ?? {});
  return {
    ...r,
    model,
    wt: (feature) => join(r.repo.base, 'repo-worktrees', feature),
    async close() {
      r.cleanup();
      await model.close();
    },
  };
}

export const plan = (agent: string, workers: string, extra = '') =>
  `version: 1\nconcurrency: 2\ndefaults:\n  agent: ${agent}\n  timeout: 60s\n${extra}workers:\n${workers}`;

/** Agent tests wait on real programs: a deadline of their own, beyond jest's default. */
export const AGENT_TEST_MS = 90000;
