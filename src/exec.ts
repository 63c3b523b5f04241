// The one door to subprocesses: git and tmux code take a Runner, so tests can assert command lines.
import { CommandError } from './errors.js';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Replace the environment instead of extending process.env. */
  extendEnv?: boolean;
  input?: string;
  /** When false, a non-zero exit resolves instead of throwing. Default true. */
  reject?: boolean;
  timeoutMs?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  timedOut?: boolean;
}

export interface Runner {
  run(file: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
}

/**
 * Runs a program with an argv array through execa, never through a shell.
 * execa is imported on first use: it costs ~85 ms of start-up, which `wo --version` must not pay.
 */
export const processRunner: Runner = {
  async run(file, args, options = {}) {
    const { execa } = await import('execa');
    const result = await execa(file, [...args], {
      cwd: options.cwd,
      env: options.env,
      extendEnv: options.extendEnv ?? true,
      input: options.input,
      stdin: options.input === undefined ? 'ignore' : 'pipe',
      reject: false,
      stripFinalNewline: false,
      timeout: options.timeoutMs,
    });
    const out: RunResult = {
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? ''),
      exitCode: result.exitCode ?? (result.failed ? 1 : 0),
      timedOut: result.timedOut,
    };
    if (result.failed && options.reject !== false) {
      const msg = result.code === 'ENOENT' ? `${file}: command not found` : out.stderr;
      throw new CommandError([file, ...args].join(' '), result.exitCode, msg, { cause: result });
    }
    return out;
  },
};
