// The raw shapes of workers.yaml and of wo's configuration, generated from schemas/workers.schema.json and
// schemas/config.schema.json by src/plan/gen-types.ts (json-schema-to-typescript). Do not edit: regenerate.

/**
 * How many workers run at once: a whole number, at least 1.
 *
 * This interface was referenced by `PlanFile`'s JSON-Schema
 * via the `definition` "concurrency".
 */
export type Concurrency = number;
/**
 * A model name as its agent knows it (opus, sonnet, gpt-5-codex): no spaces, not starting with '-'.
 *
 * This interface was referenced by `PlanFile`'s JSON-Schema
 * via the `definition` "model".
 */
export type Model = string;
/**
 * A duration: 90s, 10m, 1h30m, 2h, or a number of seconds.
 *
 * This interface was referenced by `PlanFile`'s JSON-Schema
 * via the `definition` "duration".
 */
export type Duration = string | number;
/**
 * One shell command or a list of shell commands, run in order in the worktree.
 *
 * This interface was referenced by `PlanFile`'s JSON-Schema
 * via the `definition` "commands".
 */
export type Commands = string | string[];
/**
 * A list of strings.
 *
 * This interface was referenced by `PlanFile`'s JSON-Schema
 * via the `definition` "stringList".
 *
 * Items: One entry.
 */
export type StringList = string[];
/**
 * A worker name: letters, digits, '-' and '_', starting with a letter or digit, at most 63 characters.
 *
 * This interface was referenced by `PlanFile`'s JSON-Schema
 * via the `definition` "feature".
 */
export type Feature = string;

/**
 * A wo plan (workers.yaml): the workers to run in parallel, one per git worktree and tmux session.
 */
export interface PlanFile {
  /**
   * Optional: the JSON Schema this file follows, for editors. Ignored by wo.
   */
  $schema?: string;
  /**
   * The plan format version. Always 1.
   */
  version: 1;
  concurrency?: Concurrency;
  /**
   * The run's cost cap, in US dollars: once the costs its workers' agents reported add up to it, no new worker (or retry) starts, running ones finish, and the rest are skipped with the reason. Only a reported cost counts. Default: no cap.
   */
  max_run_cost_usd?: number;
  defaults?: WorkerDefaults;
  worktrees?: Worktrees;
  agents?: Agents;
  /**
   * The git remote that `wo run --push` and `--pr` push the workers' branches to: a remote's name (or URL), not starting with '-'. Default origin.
   */
  remote?: string;
  integrate?: Integrate;
  /**
   * The workers: one git worktree and one tmux session each. At least one.
   *
   * @minItems 1
   */
  workers: [Worker, ...Worker[]];
}
/**
 * Worker fields applied to every worker that does not set them itself.
 *
 * This interface was referenced by `PlanFile`'s JSON-Schema
 * via the `definition` "defaults".
 */
export interface WorkerDefaults {
  /**
   * The agent that runs the task: a preset (claude, claude-print, codex, aider, shell) or a name under agents. Default claude.
   */
  agent?: string;
  model?: Model;
  /**
   * Models that tries cycle through: try k uses models[(k-1) mod length] (SPEC §11); over model. A worker without tries uses the first.
   *
   * @minItems 1
   */
  models?: [Model, ...Model[]];
  /**
   * The git ref a new worktree's branch starts from. Default HEAD.
   */
  base?: string;
  timeout?: Duration;
  /**
   * Extra attempts for a worker that failed, timed out or crashed. Default 0.
   */
  retries?: number;
  /**
   * The most this worker's agent may spend per attempt, in US dollars: passed to agents that take a cap (claude-print: --max-budget-usd), which stop once it is spent. Default: no cap.
   */
  max_cost_usd?: number;
  setup?: Commands;
  copy?: StringList;
  link?: StringList;
  rate_limit_wait?: Duration;
  /**
   * A shell command run in the worktree after the agent says done; a non-zero exit turns done into failed.
   */
  verify?: string;
  env?: EnvVars;
}
/**
 * Environment variables: NAME: value, values as strings.
 *
 * This interface was referenced by `PlanFile`'s JSON-Schema
 * via the `definition` "envVars".
 */
export interface EnvVars {
  /**
   * The variable's value (quote numbers).
   */
  [k: string]: string;
}
/**
 * Where worktrees are created and how their branches are named.
 *
 * This interface was referenced by `PlanFile`'s JSON-Schema
 * via the `definition` "worktrees".
 */
export interface Worktrees {
  /**
   * The folder holding the worktrees (one subfolder per feature), relative to the repository root; may use {repo}, the root folder's name. Default ../{repo}-worktrees.
   */
  dir?: string;
  /**
   * The branch name template: must contain {feature}, may use {repo}, and must give a valid git branch name. Default wo/{feature}.
   */
  branch?: string;
}
/**
 * Custom agents by name.
 *
 * This interface was referenced by `PlanFile`'s JSON-Schema
 * via the `definition` "agents".
 */
export interface Agents {
  [k: string]: AgentCommand;
}
/**
 * A custom agent: the program to run and its arguments, never interpreted by a shell.
 *
 * This interface was referenced by `PlanFile`'s JSON-Schema
 * via the `definition` "agent".
 */
export interface AgentCommand {
  /**
   * The argv: program then arguments; each may contain {prompt}, {prompt_file}, {task}, {feature}, {worktree}, {branch}, {model}.
   *
   * @minItems 1
   *
   * Items: One argument.
   */
  command: [string, ...string[]];
  env?: EnvVars;
  /**
   * The preset this agent follows: how wo starts it unattended (hooks, allowed tools, sandbox), reads its live state, and decides its outcome and usage (docs/agents.md). Without it the command is run as it is and its exit code decides.
   */
  adapter?: 'claude' | 'claude-print' | 'codex' | 'aider' | 'shell';
}
/**
 * How the done workers are merged into one branch and checked (docs/integrate.md).
 *
 * This interface was referenced by `PlanFile`'s JSON-Schema
 * via the `definition` "integrate".
 */
export interface Integrate {
  /**
   * The integration branch, made afresh from base each time: may use {run_id} and {date}. A fixed name is allowed; one holding commits in neither base nor a worker's branch is refused. Default wo-integration/{run_id}.
   */
  branch?: string;
  /**
   * The git ref the integration branch starts from. Default: the branch HEAD was on when the run began.
   */
  base?: string;
  /**
   * A shell command run once on the merged tree, under the plan's timeout; on failure wo bisects the merges to name the first breaking worker. Default: defaults.verify; an empty string: no check.
   */
  verify?: string;
  /**
   * What a merge conflict does: skip (abort that merge, go on), stop (merge nothing more), agent (an agent resolves it in the integration worktree; markers left or no commit fall back to skip). Default skip.
   */
  on_conflict?: 'skip' | 'stop' | 'agent';
  /**
   * With on_conflict: agent, who resolves a conflict: a preset or a name under agents. Default: defaults.agent.
   */
  agent?: string;
}
/**
 * One worker: a task given to an agent in its own worktree and tmux session.
 *
 * This interface was referenced by `PlanFile`'s JSON-Schema
 * via the `definition` "worker".
 */
export interface Worker {
  feature: Feature;
  /**
   * What the agent should do: the first part of its prompt (for the shell agent, the script).
   */
  task: string;
  /**
   * Features of other workers that must finish done before this one starts.
   *
   * Items: The feature of another worker in this plan.
   */
  needs?: string[];
  /**
   * The agent that runs the task: a preset (claude, claude-print, codex, aider, shell) or a name under agents. Default claude.
   */
  agent?: string;
  model?: Model;
  /**
   * Models that tries cycle through: try k uses models[(k-1) mod length] (SPEC §11); over model. A worker without tries uses the first.
   *
   * @minItems 1
   */
  models?: [Model, ...Model[]];
  /**
   * How many independent tries run at once, each a whole worker in its own worktree ({feature}.try{k}), branch and session (wt-{feature}-try{k}); the one the repository's own checks prefer becomes the worker (SPEC §11). 1 to 10; default 1.
   */
  best_of?: number;
  /**
   * The agents tries cycle through: try k uses agents[(k-1) mod length]. Default: the worker's agent for every try.
   *
   * @minItems 1
   *
   * Items: A preset or a name under agents.
   */
  agents?: [string, ...string[]];
  /**
   * A shell command run in each passing try's worktree that prints a number: the highest wins. One that fails or prints no number disqualifies that try. Default: the fewest changed lines wins.
   */
  judge?: string;
  /**
   * all: every try runs to its end, then the best is kept; first: once a try passes, the others are ended (interrupted) to spend less. Default all.
   */
  until?: 'all' | 'first';
  /**
   * The git ref a new worktree's branch starts from. Default HEAD.
   */
  base?: string;
  timeout?: Duration;
  /**
   * Extra attempts for a worker that failed, timed out or crashed. Default 0.
   */
  retries?: number;
  /**
   * The most this worker's agent may spend per attempt, in US dollars: passed to agents that take a cap (claude-print: --max-budget-usd), which stop once it is spent. Default: no cap.
   */
  max_cost_usd?: number;
  setup?: Commands;
  copy?: StringList;
  link?: StringList;
  rate_limit_wait?: Duration;
  sparse?: StringList;
  /**
   * A shell command run in the worktree after the agent says done; a non-zero exit turns done into failed.
   */
  verify?: string;
  env?: EnvVars;
}
/**
 * wo configuration (package.json key wo, .worc, .worc.{json,yaml,yml,js,mjs,cjs}, wo.config.{js,mjs,cjs,ts}): user and repository defaults, weaker than the plan.
 *
 * This interface was referenced by `PlanFile`'s JSON-Schema
 * via the `definition` "config".
 */
export interface ConfigFile {
  /**
   * Optional: the JSON Schema this file follows, for editors. Ignored by wo.
   */
  $schema?: string;
  concurrency?: Concurrency;
  defaults?: WorkerDefaults;
  worktrees?: Worktrees;
  agents?: Agents;
  tmux?: TmuxConfig;
  report?: ReportConfig;
}
/**
 * How wo uses tmux.
 */
export interface TmuxConfig {
  /**
   * Run every tmux command on this socket name (tmux -L), for isolation. The WO_TMUX_SOCKET environment variable overrides it. Default: the user's default tmux server.
   */
  socket?: string;
  /**
   * The session name prefix: sessions are named {prefix}{feature}. Default wt-.
   */
  prefix?: string;
}
/**
 * Where wo run writes its reports.
 */
export interface ReportConfig {
  /**
   * The folder for each run's report.md and report.json, relative to the repository root; may use {run_id}. Default .wo/runs/{run_id}.
   */
  dir?: string;
}
