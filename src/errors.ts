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

/** A subprocess failed; keeps the command, exit code and stderr. */
export class CommandError extends WoError {
  readonly command: string;
  readonly commandExitCode: number | undefined;
  readonly stderr: string;
  constructor(command: string, exitCode: number | undefined, stderr: string, options?: { cause?: unknown }) {
    const detail = stderr.trim() ? `: ${stderr.trim()}` : '';
    super(`${command} failed (exit ${exitCode ?? '?'})${detail}`, 1, options);
    this.command = command;
    this.commandExitCode = exitCode;
    this.stderr = stderr;
  }
}
