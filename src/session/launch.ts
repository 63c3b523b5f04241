// Starting a worker's session: the prompt and status files, the launch spec the in-session wrapper
// (scripts/wo-worker.sh) reads, and the tmux session whose initial program is that wrapper.
import { appendFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentDef } from '../plan/types.js';
import type { WorkerGit } from '../agents/types.js';
import type { Tmux } from '../tmux/tmux.js';
import { CommandError, SafetyError } from '../errors.js';
import { writeFileAtomic } from '../fsutil.js';
import { acquireRunLock } from '../lock.js';
import { adapterOf, launchAdditions, modelArgs, recordAdapter } from '../agents/index.js';
import { updateMeta } from '../protocol/metadata.js';
import { buildPrompt, exitFile, protocolPaths, writeStatus } from '../protocol/protocol.js';

export const WRAPPER = fileURLToPath(new URL('../../scripts/wo-worker.sh', import.meta.url));

/** Variables never passed to an agent: they would make it think it runs nested. */
const DROPPED_ENV = new Set(['TMUX', 'TMUX_PANE', 'CLAUDECODE']);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface LaunchInput {
  feature: string;
  task: string;
  agentName: string;
  agent: AgentDef;
  /** The model its agent uses (SPEC §11); undefined: the agent's own choice. */
  model?: string;
  worktree: string;
  branch: string;
  session: string;
  /** Folder for the launch spec and the exit-code file (under .wo/workers/). */
  stateDir: string;
  index: number;
  runId?: string;
  /** Try k of N of a best-of worker (SPEC §11): WO_TRY, WO_TRIES. */
  try?: number;
  tries?: number;
  attempt?: number;
  /** The caller's environment; the plan's and the agent's env go on top. */
  baseEnv: NodeJS.ProcessEnv;
  env?: Record<string, string>;
  keepSession?: boolean;
  /** The plan's setup and verify commands (an adapter may allow them to its agent). */
  setup?: string[];
  verify?: string;
  /** The worker's cost cap per attempt, USD (an adapter passes it to an agent that takes one). */
  maxCostUsd?: number;
  /** The worktree's git folders from wo's knowledge, for an agent's sandbox (WorkerLaunch.git). */
  git?: WorkerGit;
  /**
   * Nobody waits on this worker (`wo spawn`): the wrapper records its end itself, through
   * `wo _record-exit`, when the agent exits.
   */
  recordExitInSession?: boolean;
  /**
   * Refuse (exit 2) when the worker's session is live, checked under the worker's start lock: the
   * loser of two `wo spawn`s of one worker is refused before it touches the winner's files.
   */
  exclusive?: boolean;
  /** A rehearsal (SPEC §12, src/rehearsal/): points the launch at the scripted model, or stands in for it. */
  rehearsal?: {
    launch(
      input: LaunchInput,
    ): Promise<{ input: LaunchInput; additions: { args: string[]; env: Record<string, string> } }>;
  };
}

export interface Placeholders {
  prompt: string;
  prompt_file: string;
  task: string;
  feature: string;
  worktree: string;
  branch: string;
  /** The worker's model; none: `{model}` is empty. */
  model?: string;
}

const PLACEHOLDER = /\{(prompt_file|prompt|task|feature|worktree|branch|model)\}/g;

/** Substitutes placeholders in one argv element; the result is one argument, never re-split. */
export function substitute(arg: string, values: Placeholders): string {
  return arg.replace(PLACEHOLDER, (_, name: keyof Placeholders) => values[name] ?? '');
}

/**
 * The agent's argv with its placeholders filled in. For an agent program that parses options (the
 * Claude Code and Codex presets and adapters), a task or prompt that starts with `-` would be read as
 * one (`claude -p "-x"`: "unknown option"): `positional` puts a space before such a whole {prompt}
 * or {task} argument. Any other command gets its arguments byte for byte.
 */
export function agentArgv(command: readonly string[], values: Placeholders, positional = false): string[] {
  return command.map((a) => {
    const v = substitute(a, values);
    return positional && /^\{(prompt|task)\}$/.test(a) && v.startsWith('-') ? ` ${v}` : v;
  });
}

/** The values of an agent's placeholders for one worker (the prompt is the task plus the protocol). */
export function placeholderValues(
  w: { task: string; feature: string; worktree: string; branch: string; model?: string },
  prompt: string,
): Placeholders {
  return {
    prompt,
    prompt_file: protocolPaths(w.worktree).prompt,
    task: w.task,
    feature: w.feature,
    worktree: w.worktree,
    branch: w.branch,
    ...(w.model !== undefined && { model: w.model }),
  };
}

/**
 * Who the worker is, as the environment says it (SPEC §7): for its session, setup and verify. An
 * ordinary worker is try 1 of 1 (`try`/`tries`: SPEC §11).
 */
export function workerVars(w: {
  feature: string;
  index: number;
  worktree: string;
  runId?: string;
  try?: number;
  tries?: number;
}) {
  return {
    WO_FEATURE: w.feature,
    WO_INDEX: String(w.index),
    WO_WORKTREE: w.worktree,
    WO_RUN_ID: w.runId ?? '',
    WO_TRY: String(w.try ?? 1),
    WO_TRIES: String(w.tries ?? 1),
  };
}

/** The session's environment: caller's + agent's + plan's + wo's own, minus nesting markers. */
export function sessionEnv(
  input: LaunchInput,
  paths: { exitFile: string },
  adapterEnv: Record<string, string> = {},
): Record<string, string> {
  const p = protocolPaths(input.worktree);
  const env: Record<string, string> = {};
  const layers: Array<Record<string, string | undefined>> = [
    input.baseEnv,
    input.agent.env ?? {},
    input.env ?? {},
    {
      ...workerVars(input),
      WO_STATUS_FILE: p.status,
      WO_RESULT_FILE: p.result,
      WO_PROMPT_FILE: p.prompt,
      WO_EXIT_FILE: paths.exitFile,
      ...adapterEnv,
    },
  ];
  for (const layer of layers) for (const [k, v] of Object.entries(layer)) if (v !== undefined) env[k] = v;
  for (const k of Object.keys(env)) if (DROPPED_ENV.has(k) || !ENV_NAME.test(k)) delete env[k];
  return env;
}

/**
 * The spec file's text plus the side files for values that contain a newline (read whole by the
 * wrapper). PATH-like plain variables come first so the wrapper can find `cat` for the rest.
 * `after` is a program the wrapper runs once the agent has exited and its exit is recorded.
 */
export function buildSpec(
  env: Record<string, string>,
  argv: string[],
  stateDir: string,
  after: string[] = [],
  captureStdout?: string,
): { text: string; files: Array<{ path: string; content: string }> } {
  const lines: string[] = [];
  const later: string[] = [];
  const files: Array<{ path: string; content: string }> = [];
  /** A value on its own line (`plain`), or read from a side file (`fromFile`) when it cannot be. */
  const entry = (value: string, plain: string, fromFile: string, name: string): string => {
    if (!value.includes('\n') && !value.includes('\r') && value.length <= 4096) return `${plain}${value}`;
    const path = join(stateDir, `${name}.${files.length}`);
    files.push({ path, content: value });
    return `${fromFile}${path}`;
  };
  for (const [k, v] of Object.entries(env)) {
    const line = entry(`${k}=${v}`, 'e', 'E', 'env');
    if (line.startsWith('E')) later.push(line);
    else lines.push(line);
  }
  lines.push(...later);
  if (captureStdout !== undefined) lines.push(entry(captureStdout, 'o', 'O', 'out'));
  for (const a of argv) lines.push(entry(a, 'a', 'A', 'arg'));
  for (const a of after) lines.push(entry(a, 'f', 'F', 'after'));
  return { text: `${lines.join('\n')}\n`, files };
}

/**
 * Removes the launch spec and its side files, which hold the environment the worker was given
 * (SPEC §9: secrets are not left on disk). Called once the worker has ended; the wrapper reads
 * nothing of them after its agent exited but the program it runs next, which it has read by then.
 */
export async function forgetEnv(stateDir: string): Promise<void> {
  // No state folder (removed by `wo clean`): nothing to forget.
  const names = await readdir(stateDir).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((n) => n === 'spec' || /^(?:env|arg|after|out)\.\d+$/.test(n))
      .map((n) => rm(join(stateDir, n), { force: true })),
  );
}

/** The wrapper's last step for a worker that no runner watches: `wo _record-exit` (see finish.ts). */
export const RECORD_EXIT = fileURLToPath(new URL('../../bin/wo.cjs', import.meta.url));

/** The refusal for a start that another one beat to the worker's session (SPEC §4: exit 2). */
function alreadyRunning(input: LaunchInput): SafetyError {
  return new SafetyError(
    `worker ${input.feature} is already running in tmux session ${input.session}: another start got there first. Check it with 'wo status ${input.feature}'; to start it again, end it first: 'wo kill ${input.feature} --force'.`,
  );
}

/** A started worker: when, and the pid of its session's program (the wrapper), when tmux said it. */
export interface Launched {
  startedAt: Date;
  panePid?: number;
}

/**
 * Writes the protocol files and starts the session. The worktree must exist. A half-created session
 * is killed before the error is rethrown; a session of the same name that already existed is not
 * (SafetyError).
 */
export async function launchWorker(tmux: Tmux, given: LaunchInput): Promise<Launched> {
  const rehearsed = await given.rehearsal?.launch(given);
  const input = rehearsed?.input ?? given;
  const paths = protocolPaths(input.worktree);
  const exitPath = exitFile(input.stateDir);
  const prompt = buildPrompt(input.task);

  const adapter = adapterOf(input.agentName, input.agent);
  const added = await launchAdditions(adapter, input);
  if (rehearsed) {
    added.args = [...added.args, ...rehearsed.additions.args];
    added.env = { ...added.env, ...rehearsed.additions.env };
  }
  // A program that parses options (Claude Code, Codex, aider) must not read the prompt as one; a
  // plain command gets its text as it is.
  const argv = [
    ...agentArgv(input.agent.command, placeholderValues(input, prompt), adapter?.parsesOptions === true),
    ...modelArgs(adapter, input.agent, input.model),
    ...added.args,
  ];
  // The session and its tmux server: `_record-exit` asks tmux whether its caller is that session's own.
  const after = input.recordExitInSession
    ? [
        process.execPath,
        RECORD_EXIT,
        '_record-exit',
        input.worktree,
        input.stateDir,
        input.session,
        tmux.socket ?? '',
      ]
    : [];
  // A headless agent's event stream is shown rendered in its pane (`wo _render-events`).
  const renderEnv: Record<string, string> = added.captureStdout
    ? { WO_NODE: process.execPath, WO_RENDER: RECORD_EXIT }
    : {};
  const spec = buildSpec(
    sessionEnv(input, { exitFile: exitPath }, { ...added.env, ...renderEnv }),
    argv,
    input.stateDir,
    after,
    added.captureStdout,
  );
  const specFile = join(input.stateDir, 'spec');
  const startedAt = new Date();
  let panePid: number | undefined;

  // One start of a worker at a time for `wo spawn` (`exclusive`): the loser of two spawns of one
  // worker is refused before it rewrites any of the winner's files. A run's own starts do not take
  // it: one run per repository holds the run lock, and a spawn checks the session under this lock.
  // (Taking it on every start of a run put a file lock on every start's critical path: docs/performance.md.)
  const lock = input.exclusive
    ? await acquireRunLock(
        `${input.stateDir}.start.lock`,
        `start ${input.feature}`,
        (holder) =>
          `worker ${input.feature} is being started by another wo (pid ${holder.pid}). Check it with 'wo status ${input.feature}'.`,
      )
    : undefined;
  try {
    if (input.exclusive && (await tmux.hasSession(input.session))) throw alreadyRunning(input);
    // Independent files are written at once; the session starts when all of them are in place.
    await Promise.all([
      writeFileAtomic(paths.prompt, prompt),
      // Each start begins from `running` and an empty result (SPEC §1), in that order.
      rm(paths.result, { force: true }).then(() => writeStatus(input.worktree, 'running')),
      rm(input.stateDir, { recursive: true, force: true })
        .then(() => mkdir(input.stateDir, { recursive: true, mode: 0o700 }))
        .then(() =>
          Promise.all([
            // The caller's environment (API keys, GH_TOKEN): readable by no one else from the first
            // byte (a mode at creation, not a chmod after), and gone when the worker ends (forgetEnv).
            ...spec.files.map((f) => writeFile(f.path, f.content, { mode: 0o600 })),
            writeFile(specFile, spec.text, { mode: 0o600 }),
            // Which agent writes its output here: its adapter is asked to read it (a plain command's is not).
            ...(adapter?.read ? [recordAdapter(input.stateDir, adapter)] : []),
          ]),
        ),
      updateMeta(input.worktree, {
        feature: input.feature,
        worker: {
          session: input.session,
          task: input.task,
          agent: input.agentName,
          run_id: input.runId ?? null,
          started_at: startedAt.toISOString(),
          finished_at: null,
          status: 'running',
          exit_code: null,
        },
      }),
      appendFile(
        paths.log,
        `\n[wo] ${startedAt.toISOString()} ${input.session} started${input.attempt ? ` (attempt ${input.attempt})` : ''}\n`,
      ),
    ]);
    try {
      panePid = await tmux.newSession({
        name: input.session,
        cwd: input.worktree,
        // env -i: the session gets exactly the environment in the spec, whatever the tmux server holds.
        command: ['/usr/bin/env', '-i', '/bin/sh', WRAPPER, specFile],
        logFile: paths.log,
        remainOnExit: input.keepSession,
      });
    } catch (e) {
      // tmux refused the name: the session is another start's (a second `wo spawn` of this worker that
      // got there first), never this one's to kill (SPEC §4: refused, exit 2).
      if (e instanceof CommandError && /duplicate session/i.test(e.stderr)) throw alreadyRunning(input);
      // Best effort: the half-made session may not exist; the start's own error is thrown.
      await tmux.killSession(input.session).catch(() => undefined);
      throw e;
    }
  } finally {
    await lock?.release();
  }
  return { startedAt, ...(panePid !== undefined && { panePid }) };
}
