// The facts an agent's adapter reads from its program's own output; what they mean is decided in
// src/life/outcome.ts.

/** Tokens and cost of a worker's agent (SPEC §5 `usage`). */
export interface Usage {
  /** Every input token the model read, cache reads included (cache_read_tokens says how many). */
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cost_usd: number | null;
}

/** How the agent said its work ended, from its own output (the final result event, its last message). */
export interface AgentResult {
  /** The agent reported an error (Claude's `is_error`/error subtype, Codex's failed turn). */
  isError: boolean;
  /** The agent's own words: its error message, or its final answer. */
  message?: string;
  /** Its last message, used as the result when it wrote none (Codex). */
  lastMessage?: string;
  usage?: Usage;
  /** Tool uses its permissions denied (claude -p's `permission_denials`); absent when none. */
  denials?: PermissionDenial[];
}

/** One tool use an agent's permissions denied: the tool, and what it wanted (its command, file or URL). */
export interface PermissionDenial {
  tool: string;
  wanted: string;
}

/**
 * One thing the agent told wo while it ran, with when it was noticed (ms). `working`: it acts;
 * `waiting`: it asks a person or sits idle at its prompt; `rate-limited`: its provider's limit.
 */
export interface AgentEvent {
  at: number;
  state: 'working' | 'waiting' | 'rate-limited';
  message?: string;
  /** `rate-limited`: when the limit resets (ISO 8601), when the agent said so. */
  resetsAt?: string;
  /**
   * `rate-limited`: the agent waits the limit out and retries by itself (its own retry, no time
   * said): nothing is typed to it, and its agent's other workers are held until it goes on.
   */
  retriesItself?: boolean;
}

/** What a worker gives its agent's adapter at launch. */
export interface WorkerLaunch {
  worktree: string;
  /** The worker's state folder (.wo/workers/<feature>/): where the agent's own output is kept. */
  stateDir: string;
  /** The plan's setup and verify commands (an adapter may allow them to its agent). */
  setup?: string[];
  verify?: string;
  /** The worker's cost cap per attempt, USD (for an agent that takes one). */
  maxCostUsd?: number;
  /**
   * A dry run's launch: the worktree may not exist yet (its `git` is where git will put its folders),
   * and nothing is made.
   */
  planned?: boolean;
  /**
   * The worktree's git folders as wo knows them (the repository's common folder, the admin folder git
   * made for this worktree) and its branch: what a sandbox opens for a commit (SPEC §9), never read
   * from the worktree's own `.git` file. Undefined: not a linked worktree wo knows.
   */
  git?: WorkerGit;
}

/** A worker's git folders from wo's knowledge (see WorkerLaunch.git). */
export interface WorkerGit {
  common: string;
  admin: string;
  branch: string;
}

/** What wo adds to an agent's command for one worker, so that it works unattended and reports its state. */
export interface LaunchAdditions {
  /** Appended to the agent's argv. */
  args: string[];
  /** Extra variables for the session. */
  env: Record<string, string>;
  /** The session wrapper copies the agent's stdout (its event stream) to this file. */
  captureStdout?: string;
}

/**
 * What a rehearsal (SPEC §12) gives an agent's adapter for one worker: where its temporary
 * configuration home goes, and the scripted model server's address for this worker.
 */
export interface RehearsalLaunch {
  feature: string;
  worktree: string;
  repoRoot: string;
  /** The folder the worktrees go in. */
  worktreesDir: string;
  /** The run's rehearsal folder (private to wo, removed when the run ends): the agent's homes go here. */
  home: string;
  /** The base URL of this worker's script on the model server (http://127.0.0.1:PORT/w/{feature}). */
  modelUrl: string;
}

/** An agent's own output so far, as kept in the worker's state folder (absent: not written). */
export interface AgentOutput {
  /** Its stdout's copy (events.jsonl). */
  events?: string;
  /** When that copy last changed, ms (0: not written). */
  eventsAt: number;
  /** Its hooks' lines (hooks.jsonl). */
  hooks?: string;
  /** Its last message (last-message.md). */
  lastMessage?: string;
  /** The end of its own debug log (claude-debug.log), whole lines. */
  debugLog?: string;
}

/** What an agent's output says: its final result when it printed one, and its live events. */
export interface AgentReading {
  result?: AgentResult;
  events: AgentEvent[];
}

/** How the adapter's own program says whether it can reach its model (preflight, wo doctor). */
export interface LoginCheck {
  /** Arguments that make the program say it (`claude auth status`). */
  args: string[];
  read(answer: { stdout: string; stderr: string; exitCode: number }): { loggedIn: boolean; how?: string };
  /** The API-key variable set in `env` that reaches the model without a login, if any. */
  keyInEnv?(env: NodeJS.ProcessEnv): Promise<string | undefined>;
  /** How to log in, for the refusal. */
  hint: string;
  /** The same, from the program's own configuration (the key variable it names), when it can say more. */
  hintFor?(env: NodeJS.ProcessEnv): Promise<string>;
}

/** More that preflight checks once the program is there and logged in (Claude's folder trust). */
export interface ExtraCheckInput {
  agent: string;
  repoRoot: string;
  worktreesDir?: string;
  env: NodeJS.ProcessEnv;
  /** The version its program said; undefined when it said none. */
  version?: string;
  say?: (text: string) => void;
}

/** How the agent's program is installed, and the version wo's tests prove the adapter with. */
export interface InstallFacts {
  /** What it is called in words ("Claude Code"). */
  title: string;
  /** The npm package, when it comes from npm. */
  npm?: string;
  /** The version test/agents/ proves the adapter with (scripts/install-agents.sh); none: not proven. */
  proven?: string;
  /** The command that installs it. */
  command: string;
}

/**
 * One agent wo knows (SPEC §1): a preset of the same name, and the adapter a custom agent may follow.
 * Registered once in src/agents/index.ts; presets, the schema's enum, preflight and doctor derive
 * from the registry. Docs: docs/agents.md, "Adding an agent".
 */
export interface Agent<N extends string = string> {
  name: N;
  /** The preset: its argv (placeholders as in the plan) and whether it finishes by exiting. */
  preset: { command: readonly string[]; exitsWhenDone: boolean };
  /** Its program parses options: a {prompt} or {task} that starts with `-` must not be read as one. */
  parsesOptions: boolean;
  /** What wo adds per worker; none: the command runs as it is. */
  launch?(w: WorkerLaunch): Promise<LaunchAdditions>;
  /** How its program is told the model to use (the plan's `model`, SPEC §11); none: it cannot be. */
  modelArgs?(model: string): string[];
  /**
   * A rehearsal (SPEC §12): the variables (and arguments) that point its program at the scripted
   * model through a temporary configuration home it writes under `r.home`, so that the user's own
   * settings are neither read nor changed. None: a rehearsal stands in for it with a step that
   * writes `done` (the shell agent runs as it is).
   */
  rehearse?(r: RehearsalLaunch): Promise<LaunchAdditions>;
  /** How its output (event stream, hooks, last message) is read; none: only its exit code speaks. */
  read?(output: AgentOutput): AgentReading;
  /** It prints its final result (usage, cost) as it exits: worth a moment to exit by itself. */
  printsResultOnExit: boolean;
  /** Words of its errors that name its provider's limit. */
  limitWords?: RegExp;
  /**
   * An interactive agent stays at its prompt on a rate limit and is resumed there once it resets:
   * the `tmux send-keys` arguments of each key, typed in order with a pause between them.
   */
  resume?: { keys: ReadonlyArray<readonly string[]>; pauseMs: number };
  /**
   * Its program confines what it writes (a sandbox, SPEC §9): any other branch that moved while it
   * ran fails it. Without one, only a branch moved onto the worker's own history is its doing; a
   * person's commit on `main` meanwhile is not.
   */
  sandboxed?: boolean;
  /** Its program: asked for its version and login (a custom agent may start it through a wrapper). */
  program?: { name: string; login: LoginCheck };
  /** More that preflight checks: a problem (exit 3, with the fix), or none. */
  extraCheck?(o: ExtraCheckInput): Promise<string | undefined>;
  install?: InstallFacts;
}
