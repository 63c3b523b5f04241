// A rehearsal (SPEC §12): the scripted model server for the life of a run, the run's private folder
// of agent homes, and how each worker's launch is pointed at them. Each agent's adapter says how its
// program is pointed (Agent.rehearse); shell workers run as they are; any other agent is stood in for
// by a step that writes `done`. The user's keys and agent settings never reach a rehearsing agent.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registry as knownAgents, type Registry } from '../agents/index.js';
import type { LaunchAdditions } from '../agents/types.js';
import type { AgentDef } from '../plan/types.js';
import { startModelServer, type ModelServer } from './model-server.js';
import { choiceOf, stepsFor, type RehearsalScript } from './script.js';
import { parseTry } from '../life/tries.js';

/** How a worker rehearses: its real agent against the model, as it is (shell), or stood in for. */
export type RehearsalKind = 'agent' | 'as-is' | 'stand-in';

/** What a launch is made of, as far as a rehearsal changes it (src/worker/launch.ts LaunchInput). */
export interface RehearsedLaunch {
  feature: string;
  agentName: string;
  agent: AgentDef;
  worktree: string;
  baseEnv: NodeJS.ProcessEnv;
  env?: Record<string, string>;
}

export interface Rehearsal {
  server: ModelServer;
  /** The run's rehearsal folder (the agents' homes), removed by close(). */
  dir: string;
  script?: RehearsalScript;
  /** How each worker of the plan rehearses. */
  kindOf(agentName: string, def: AgentDef): RehearsalKind;
  /** The environment the agents' programs are asked their version and login with (preflight). */
  preflightEnv(base: NodeJS.ProcessEnv, agents: Record<string, AgentDef>): Promise<NodeJS.ProcessEnv>;
  /** One worker's launch, pointed at the model (or stood in for), and what its adapter adds. */
  launch<L extends RehearsedLaunch>(input: L): Promise<{ input: L; additions: LaunchAdditions }>;
  close(): Promise<void>;
}

/**
 * Variables a rehearsing agent never gets: keys, tokens and secrets of any name, and every setting
 * that would send an agent somewhere else than the scripted model (a provider, a config home).
 */
const SECRET = /(?:^|_)(?:[A-Z]*KEY|[A-Z]*TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?|AUTH|PAT)(?:_|$)/i;
const ELSEWHERE = /^(ANTHROPIC_|OPENAI_|CLAUDE_|CODEX_|AWS_|GOOGLE_|AZURE_|VERTEX|BEDROCK|GEMINI_)/;

/** An environment without what a rehearsing agent must not get. */
export function withoutSecrets<E extends Record<string, string | undefined>>(env: E): E {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) if (!SECRET.test(k) && !ELSEWHERE.test(k)) out[k] = v;
  return out as E;
}

/** The loopback names a proxy must leave alone, added to NO_PROXY. */
function noProxy(env: NodeJS.ProcessEnv): Record<string, string> {
  const old = env.NO_PROXY ?? env.no_proxy;
  const value = [old, '127.0.0.1', 'localhost'].filter(Boolean).join(',');
  return { NO_PROXY: value, no_proxy: value };
}

/**
 * The user's own git configuration, named: an agent's home is a temporary one, and its commits
 * keep the user's name and address.
 */
function gitConfig(env: NodeJS.ProcessEnv): Record<string, string> {
  if (env.GIT_CONFIG_GLOBAL) return {};
  const home = env.HOME ?? '';
  const candidates = [
    join(home, '.gitconfig'),
    join(env.XDG_CONFIG_HOME || join(home, '.config'), 'git', 'config'),
  ];
  const found = candidates.find((f) => home && existsSync(f));
  return found ? { GIT_CONFIG_GLOBAL: found } : {};
}

/** The stand-in's step: the result and `done`, saying what it stood in for. */
const STAND_IN =
  'printf "Rehearsal: the agent %s does not rehearse (no adapter that talks to a model); a step stood in for it and wrote done.\\n" "$1" > "$WO_RESULT_FILE" && echo done > "$WO_STATUS_FILE"';

export interface RehearsalInput {
  repoRoot: string;
  worktreesDir: string;
  /** The worktree of each feature the run may start. */
  worktrees: Record<string, string>;
  script?: RehearsalScript;
  registry?: Registry;
}

/** Starts the model server (127.0.0.1, a free port) and makes the run's private folder. */
export async function startRehearsal(o: RehearsalInput): Promise<Rehearsal> {
  const agents = o.registry ?? knownAgents;
  const dir = await mkdtemp(join(tmpdir(), 'wo-rehearsal-'));
  const server = await startModelServer([{ text: 'This path plays no script.' }], {
    scriptFor: (feature) => {
      const worktree = o.worktrees[feature];
      // A try plays its worker's choice (SPEC §11).
      const choice = choiceOf(o.script, parseTry(feature)?.feature ?? feature);
      return worktree === undefined ? undefined : stepsFor(choice, feature, worktree);
    },
  });
  const adapter = (name: string, def: AgentDef) => agents.adapterOf(name, def);
  const kindOf = (name: string, def: AgentDef): RehearsalKind => {
    const a = adapter(name, def);
    return a?.rehearse ? 'agent' : a?.name === 'shell' ? 'as-is' : 'stand-in';
  };
  const rehearse = (feature: string, agentName: string, def: AgentDef, worktree: string) =>
    adapter(agentName, def)!.rehearse!({
      feature,
      worktree,
      repoRoot: o.repoRoot,
      worktreesDir: o.worktreesDir,
      home: dir,
      modelUrl: server.urlFor(feature),
    });
  return {
    server,
    dir,
    script: o.script,
    kindOf,
    async preflightEnv(base, used) {
      const env: NodeJS.ProcessEnv = { ...withoutSecrets(base), ...noProxy(base) };
      // Each agent's own home, under a name no worker has (`_preflight`: features start alphanumeric).
      for (const [name, def] of Object.entries(used))
        if (kindOf(name, def) === 'agent')
          Object.assign(env, (await rehearse('_preflight', name, def, '')).env);
      return env;
    },
    async launch(input) {
      const kind = kindOf(input.agentName, input.agent);
      if (kind === 'as-is') return { input, additions: { args: [], env: {} } };
      if (kind === 'stand-in')
        return {
          input: {
            ...input,
            agent: {
              ...input.agent,
              command: ['sh', '-c', STAND_IN, 'sh', input.agentName],
              adapter: 'shell',
            },
          },
          additions: { args: [], env: {} },
        };
      const added = await rehearse(input.feature, input.agentName, input.agent, input.worktree);
      return {
        input: {
          ...input,
          baseEnv: withoutSecrets(input.baseEnv),
          agent: { ...input.agent, ...(input.agent.env && { env: withoutSecrets(input.agent.env) }) },
          ...(input.env && { env: withoutSecrets(input.env) }),
        },
        additions: {
          args: added.args,
          env: { ...gitConfig(input.baseEnv), ...noProxy(input.baseEnv), ...added.env },
        },
      };
    },
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
