// Typed errors. Commands throw these; only src/cli.ts turns them into messages and exit codes.

export const ExitCode = {
  ok: 0,
  notAllDone: 1,
  usage: 2,
  environment: 3,
  interrupted: 130,
} as const;

export class WoError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad usage: unknown flag, bad argument, missing file. Exit 2. */
export class UsageError extends WoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.usage, options);
  }
}

/** One problem in a plan or config file, already positioned. */
export interface PlanIssue {
  file: string;
  line?: number;
  column?: number;
  /** Path inside the document, e.g. `workers[2].timeout`; empty for the whole file. */
  path: string;
  message: string;
}

export function formatIssue(issue: PlanIssue): string {
  const where =
    issue.line !== undefined ? `${issue.file}:${issue.line}:${issue.column ?? 1}` : `${issue.file}`;
  return issue.path ? `${where} ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** An invalid plan or config: every problem at once. Exit 2. */
export class PlanError extends WoError {
  readonly issues: PlanIssue[];
  constructor(issues: PlanIssue[]) {
    super(issues.map(formatIssue).join('\n'), ExitCode.usage);
    this.issues = issues;
  }
}

/** A safety rule refused the action; nothing was changed. Exit 2. */
export class SafetyError extends WoError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** The environment lacks something: no repository, no tmux, too old a version. Exit 3. */
export class EnvError extends WoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.environment, options);
  }
}

/** A worker's setup command failed; its status and result already say so. Exit 1. */
export class SetupError extends WoError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.notAllDone, options);
  }
}

/** What is known about a program that failed. */
export interface CommandFailure {
  /** The command line as sh would read it back (see formatCommand in exec.ts). */
  command: string;
  /** Its exit code, when it exited on its own. */
  exitCode?: number;
  /** The signal that ended it. */
  signal?: string;
  /** wo ended it because it outran its time. */
  timedOut?: boolean;
  stderr?: string;
  /** The program was not found (ENOENT), so it never ran. */
  notFound?: boolean;
  /** Why it did not run, when it did not: `git: command not found`. */
  problem?: string;
}

/** A subprocess failed; keeps the quoted command, its exit code or signal, and stderr (the cause too). */
export class CommandError extends WoError {
  readonly command: string;
  readonly commandExitCode: number | undefined;
  readonly signal: string | undefined;
  readonly timedOut: boolean;
  readonly notFound: boolean;
  readonly stderr: string;
  constructor(failure: CommandFailure, options?: { cause?: unknown }) {
    const { command, exitCode, signal, stderr = '' } = failure;
    const how = failure.problem
      ? `could not run: ${failure.problem}`
      : failure.timedOut
        ? `timed out${signal ? ` (ended with ${signal})` : ''}`
        : signal
          ? `was ended by ${signal}`
          : `failed (exit ${exitCode ?? '?'})`;
    const detail = stderr.trim() ? `: ${stderr.trim()}` : '';
    super(`${command} ${how}${detail}`, 1, options);
    this.command = command;
    this.commandExitCode = exitCode;
    this.signal = signal;
    this.timedOut = failure.timedOut ?? false;
    this.notFound = failure.notFound ?? false;
    this.stderr = stderr;
  }
}

/**
 * A failed file-system call as one message with the fix (SPEC §9: a full disk, a read-only .wo/, a
 * file where a folder belongs), or undefined for any other error. The environment's problem: exit 3.
 */
export function fileSystemProblem(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException;
  // Duck-typed: node's own errors may come from another realm (a vm context) than this Error.
  if (typeof e !== 'object' || e === null || typeof err.code !== 'string' || typeof err.syscall !== 'string')
    return undefined;
  const where = err.path ?? 'a file';
  const verb = /^(open|read|scandir|stat|lstat)/.test(err.syscall) ? 'read' : 'write';
  switch (err.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `cannot write ${where}: the disk is full (${err.code}). Free some space, then run the command again.`;
    case 'EROFS':
      return `cannot write ${where}: the file system is read-only. Run wo where it can write (the repository's .wo/ folder and the worktrees folder).`;
    case 'EACCES':
    case 'EPERM':
      return `cannot ${verb} ${where}: permission denied. Make it ${verb === 'read' ? 'readable' : 'writable'} for you (chmod u+rwX), or run wo as its owner.`;
    case 'ENOTDIR':
      return `cannot ${verb} ${where}: a file is where a folder belongs on that path. Move the file away.`;
    case 'EISDIR':
      return `cannot ${verb} ${where}: it is a folder where wo needs a file. Move the folder away.`;
    case 'EEXIST':
      return `cannot create ${where}: something else is already there. Move it away.`;
    case 'EMFILE':
    case 'ENFILE':
      return `too many open files (${err.code}) at ${where}: raise the limit (ulimit -n) or run fewer workers at once (-j).`;
    case 'EIO':
      return `input/output error at ${where}: the disk or file system failed. Check it, then run the command again.`;
    default:
      return undefined;
  }
}
