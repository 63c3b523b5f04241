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

/**
 * The runner for git and tmux: node's own spawn, argv only, no shell. These are wo's hot path
 * (a few calls per worker), where execa's import (~30 ms at start-up) and per-call option handling
 * were measurable; execa stays for the commands users write (setup, verify), whose failures it
 * reports best.
 */
export const spawnRunner: Runner = {
  async run(file, args, options = {}) {
    const { spawn } = await import('node:child_process');
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
        timeout: options.timeoutMs,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout!.on('data', (d: Buffer) => out.push(d));
      child.stderr!.on('data', (d: Buffer) => err.push(d));
      child.on('error', (e: NodeJS.ErrnoException) => {
        const msg = e.code === 'ENOENT' ? `${file}: command not found` : e.message;
        reject(new CommandError([file, ...args].join(' '), undefined, msg, { cause: e }));
      });
      child.on('close', (code, signal) => {
        const result: RunResult = {
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          exitCode: code ?? 128,
          timedOut: signal === 'SIGTERM' && options.timeoutMs !== undefined,
        };
        if (result.exitCode !== 0 && options.reject !== false)
          reject(new CommandError([file, ...args].join(' '), result.exitCode, result.stderr));
        else resolve(result);
      });
      if (options.input !== undefined) child.stdin?.end(options.input);
    });
  },
};
