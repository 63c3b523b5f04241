// The resolved model every part of wo works with, after the plan, config and flags are merged.
// (The raw shape of workers.yaml is generated from schemas/workers.schema.json: see schema-types.ts.)
import { DEFAULT_AGENT, type AdapterName } from '../agents/index.js';

/** An agent: argv with placeholders ({prompt}, {prompt_file}, {task}, {feature}, {worktree}, {branch}, {model}). */
export interface AgentDef {
  command: string[];
  env?: Record<string, string>;
  /**
   * True when the agent finishes by exiting (headless agents, shell); false when it is an
   * interactive program that only finishes by writing the status file (claude).
   */
  exitsWhenDone?: boolean;
  /**
   * The adapter this agent follows (SPEC §1): how wo starts it unattended and reads its state and
   * outcome. Presets follow their own; a custom agent names one of them, or none (a plain command).
   */
  adapter?: AdapterName;
}

/** One worker of a plan, every default applied. */
export interface WorkerSpec {
  feature: string;
  task: string;
  /** Agent name as written (preset or custom). */
  agent: string;
  /** The model its agent uses (`model`, or the first of `models`); undefined: the agent's own choice. */
  model?: string;
  /** `models`: the models tries cycle through (SPEC §11); undefined: every try uses `model`. */
  models?: string[];
  /** Ref a new worktree's branch starts from; undefined = HEAD. */
  base?: string;
  needs: string[];
  /** Undefined = no limit. */
  timeoutMs?: number;
  retries: number;
  /** The most its agent may spend per attempt, USD (`max_cost_usd`); undefined = no cap. */
  maxCostUsd?: number;
  setup: string[];
  /** Files or folders copied from the main checkout into a new worktree (copy-on-write where it can). */
  copy: string[];
  /** Paths of the main checkout shared into a new worktree as symbolic links (`link`). */
  link: string[];
  /** Folders a new worktree checks out, git's cone mode (`sparse`); empty = the whole tree. */
  sparse: string[];
  /** How long a rate-limited worker may wait for its limit's reset (`rate_limit_wait`). */
  rateLimitWaitMs: number;
  verify?: string;
  env: Record<string, string>;
  /** 0-based place in the plan (WO_INDEX). */
  index: number;
  /** Best of N (SPEC §11): how many tries, 2 to 10 (`best_of`); undefined: one, as an ordinary worker. */
  bestOf?: number;
  /** `agents`: the agents tries cycle through; undefined: every try uses `agent`. */
  tryAgents?: string[];
  /** `judge`: a command printing a number in each passing try's worktree; undefined: fewest changed lines. */
  judge?: string;
  /** `until: first`: the other tries end once one passes; undefined: all run to their end. */
  until?: 'first';
  /** A try of a best-of worker (SPEC §11, made at selection): that worker's feature, k and N. */
  tryOf?: string;
  try?: number;
  tries?: number;
}

/** What every command works with besides the workers (src/plan/resolve.ts resolveSettings). */
export interface ResolvedSettings {
  concurrency: number;
  worktrees: { dir: string; branch: string };
  /** Every agent a worker can name: presets plus the plan's and config's `agents`. */
  agents: Record<string, AgentDef>;
  tmux: { socket?: string; prefix: string };
  report: { dir?: string };
  /** For a worker no plan describes (`wo spawn`): the plan's defaults over the config's. */
  defaults: { agent: string; model?: string; base?: string; env: Record<string, string> };
}

export interface ResolvedPlan extends ResolvedSettings {
  /** Absolute path of the plan file. */
  file: string;
  /** Absolute path of the configuration file that applied, if any. */
  configFile?: string;
  workers: WorkerSpec[];
  /** The run's cost cap, USD (`max_run_cost_usd`); undefined = no cap. */
  maxRunCostUsd?: number;
  /** The plan's `remote`: where `--push` and `--pr` push branches (undefined: origin). */
  remote?: string;
  /** The plan's `integrate:` (SPEC §10), defaults applied; undefined when the plan has none. */
  integrate?: IntegrateSettings;
  /** `integrate:` as `wo integrate` reads it: the plan's, or the defaults when it has none. */
  integrateDefaults?: IntegrateSettings;
}

/** How done workers are merged into one branch and verified (SPEC §10). */
export interface IntegrateSettings {
  /** The branch template: {run_id} and {date} are filled in. */
  branch: string;
  /** Where the branch starts; undefined: the branch HEAD was on when the run began. */
  base?: string;
  /** Run once on the merged tree; undefined: no check. */
  verify?: string;
  onConflict: 'skip' | 'stop' | 'agent';
  /** Who resolves a conflict with `onConflict: agent`. */
  agent: string;
  /** The plan's timeout for the verify runs (defaults.timeout); undefined: no limit. */
  timeoutMs?: number;
}

export const INTEGRATION_BRANCH = 'wo-integration/{run_id}';

export const DEFAULTS = {
  concurrency: 4,
  agent: DEFAULT_AGENT,
  retries: 0,
  worktreesDir: '../{repo}-worktrees',
  branch: 'wo/{feature}',
  sessionPrefix: 'wt-',
  rateLimitWait: '1h',
} as const;

export const FEATURE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
