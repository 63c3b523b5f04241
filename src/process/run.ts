// The one way wo runs a program: git, tmux, and the setup and verify commands users write. Code that
// runs programs takes a Runner, so tests can assert command lines and fake the answers.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { constants } from 'node:os';
import { CommandError } from '../errors.js';
import { endGroups } from './tree.js';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Replace the environment instead of extending process.env. */
  extendEnv?: boolean;
  input?: string;
  /** When false, a non-zero exit (or a signal, or a timeout) resolves instead of throwing. Default true. */
  reject?: boolean;
  /**
   * Ends the program, with every process it started in its group, after this long (the stop policy
   * of process-tree.ts: SIGTERM, then SIGKILL); the result says `timedOut`.
   */
  timeoutMs?: number;
  /** Aborting ends the program and its group the same way; the result says `aborted`. */
  signal?: AbortSignal;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  /** The program's exit code; 128 + the signal's number when a signal ended it (as sh reports it). */
  exitCode: number;
  /** The signal that ended the program, if one did. */
  signal?: NodeJS.Signals;
  /** True when wo ended the program because it outran `timeoutMs`. */
  timedOut?: boolean;
  /** True when wo ended the program (or never started it) because `signal` was aborted. */
  aborted?: boolean;
}

export interface Runner {
  run(file: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
}

/** Quotes one argument the way sh would read it back: single quotes when needed. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A command line as sh would read it back: `git worktree add '/tmp/my repo'`. */
export function formatCommand(file: string, args: readonly string[]): string {
  return [file, ...args].map(shellQuote).join(' ');
}

/** The error for a program that ran and failed: its exit code, signal, timeout and stderr. */
export function commandFailed(
  file: string,
  args: readonly string[],
  result: RunResult,
  options?: { cause?: unknown },
): CommandError {
  return new CommandError(
    {
      command: formatCommand(file, args),
      exitCode: result.signal ? undefined : result.exitCode,
      signal: result.signal,
      timedOut: result.timedOut,
      stderr: result.stderr,
    },
    options,
  );
}

/**
 * Runs a program with an argv array (never through a shell) with node's own spawn. execa was
 * measured against it: more start-up and more CPU per call on wo's hot path of several git and tmux
 * calls per worker, and its timeout and cancel end the program but not what it started
 * (docs/performance.md). A program with a deadline or a cancel signal runs in a process group of
 * its own, so that its end is the end of everything it started.
 */
export const processRunner: Runner = {
  run(file, args, options = {}) {
    return new Promise<RunResult>((resolve, reject) => {
      const { signal: cancel, timeoutMs } = options;
      const bounded = timeoutMs !== undefined || cancel !== undefined;
      if (cancel?.aborted) {
        const result: RunResult = { stdout: '', stderr: '', exitCode: 130, aborted: true };
        if (options.reject === false) resolve(result);
        else reject(commandFailed(file, args, result));
        return;
      }
      const env =
        options.extendEnv === false
          ? options.env
          : options.env
            ? { ...process.env, ...options.env }
            : process.env;
      const child = spawn(file, [...args], {
        cwd: options.cwd,
        env,
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        // Its own group (a new session): the group's id is its pid, and a signal to the group
        // reaches every child it started that stayed in it.
        detached: bounded,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout!.on('data', (d: Buffer) => out.push(d));
      child.stderr!.on('data', (d: Buffer) => err.push(d));

      let why: 'timedOut' | 'aborted' | undefined;
      /** The group being ended (timeout or cancel): the result waits for it, never for the pipes. */
      let ending: Promise<void> | undefined;
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      let settled = false;
      const settle = () => {
        if (settled || !exit) return;
        settled = true;
        clear();
        const { code, signal } = exit;
        const result: RunResult = {
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          exitCode: code ?? 128 + signalNumber(signal),
          ...(signal && { signal }),
          ...(why && { [why]: true }),
        };
        if ((result.exitCode !== 0 || why) && options.reject !== false)
          reject(commandFailed(file, args, result));
        else resolve(result);
      };
      // Once the group is ended, a process that left it (setsid) and still holds the output open must
      // not hold up the result: the pipes are let go.
      const settleAfterEnd = () =>
        void ending!.then(() => {
          if (!exit || settled) return;
          child.stdout!.destroy();
          child.stderr!.destroy();
          settle();
        });
      const end = (reason: 'timedOut' | 'aborted') => {
        if (ending || settled || child.pid === undefined) return;
        why = reason;
        ending = endGroups([child.pid]);
        settleAfterEnd();
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => end('timedOut'), timeoutMs);
      const onAbort = () => end('aborted');
      cancel?.addEventListener('abort', onAbort, { once: true });
      const clear = () => {
        clearTimeout(timer);
        cancel?.removeEventListener('abort', onAbort);
      };

      // 'error' comes instead of 'close' when the program could not be started. spawn says ENOENT
      // both for a missing program and for a missing folder to run it in: the folder is looked at.
      child.on('error', (e: NodeJS.ErrnoException) => {
        if (settled) return;
        settled = true;
        clear();
        const noFolder = e.code === 'ENOENT' && options.cwd !== undefined && !isFolder(options.cwd);
        const notFound = e.code === 'ENOENT' && !noFolder;
        const problem = noFolder
          ? `the folder ${options.cwd} does not exist`
          : notFound
            ? `${file}: command not found`
            : e.message;
        reject(new CommandError({ command: formatCommand(file, args), notFound, problem }, { cause: e }));
      });
      child.on('exit', (code, signal) => {
        exit = { code, signal };
        if (ending) settleAfterEnd();
      });
      child.on('close', (code, signal) => {
        exit ??= { code, signal };
        if (ending) void ending.then(settle);
        else settle();
      });
      if (child.stdin) {
        // A program that exits without reading its input closes the pipe: that is not wo's error.
        child.stdin.on('error', () => undefined);
        child.stdin.end(options.input);
      }
    });
  },
};

const signalNumber = (signal: NodeJS.Signals | null) => (signal ? constants.signals[signal] : 0);

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    // Not there or not readable: not a folder to run in.
    return false;
  }
}
