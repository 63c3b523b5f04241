// The one way wo runs a program: git, tmux, and the setup and verify commands users write. Code that
// runs programs takes a Runner, so tests can assert command lines and fake the answers.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { constants } from 'node:os';
import { CommandError } from './errors.js';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Replace the environment instead of extending process.env. */
  extendEnv?: boolean;
  input?: string;
  /** When false, a non-zero exit (or a signal, or a timeout) resolves instead of throwing. Default true. */
  reject?: boolean;
  /**
   * Ends the program with SIGTERM after this long; the result says `timedOut`. Only the program
   * itself is signalled: a child it started that keeps the output open delays the result.
   */
  timeoutMs?: number;
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
 * measured against it: ~85 ms more start-up and ~1.5 ms more CPU per call, on wo's hot path of
 * several git and tmux calls per worker (docs/performance.md).
 */
export const processRunner: Runner = {
  run(file, args, options = {}) {
    return new Promise<RunResult>((resolve, reject) => {
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
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout!.on('data', (d: Buffer) => out.push(d));
      child.stderr!.on('data', (d: Buffer) => err.push(d));
      let timedOut = false;
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              child.kill('SIGTERM');
            }, options.timeoutMs);
      // 'error' comes instead of 'close' when the program could not be started. spawn says ENOENT
      // both for a missing program and for a missing folder to run it in: the folder is looked at.
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const noFolder = e.code === 'ENOENT' && options.cwd !== undefined && !isFolder(options.cwd);
        const notFound = e.code === 'ENOENT' && !noFolder;
        const problem = noFolder
          ? `the folder ${options.cwd} does not exist`
          : notFound
            ? `${file}: command not found`
            : e.message;
        reject(new CommandError({ command: formatCommand(file, args), notFound, problem }, { cause: e }));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const result: RunResult = {
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          exitCode: code ?? 128 + signalNumber(signal),
          ...(signal && { signal }),
          ...(timedOut && { timedOut }),
        };
        if ((result.exitCode !== 0 || timedOut) && options.reject !== false)
          reject(commandFailed(file, args, result));
        else resolve(result);
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
    return false;
  }
}
