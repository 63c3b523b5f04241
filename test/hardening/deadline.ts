// Runs the built `wo` as a child under a deadline: a hang test fails (and the child is killed by its
// pid) instead of hanging CI.
import { spawn } from 'node:child_process';

export const BIN = new URL('../../bin/wo.cjs', import.meta.url).pathname;

export interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

export interface Running {
  pid: number;
  /** Output so far. */
  output(): string;
  /** Resolves when the child ends; rejects (after SIGKILL to its pid) when `ms` pass first. */
  ended(ms: number): Promise<Ended>;
  kill(sig: NodeJS.Signals): void;
}

export function startWo(args: string[], o: { cwd: string; env: NodeJS.ProcessEnv }): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: o.cwd,
    env: o.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<Ended>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, out, err })),
  );
  return {
    pid: child.pid!,
    output: () => out + err,
    kill: (sig) => void child.kill(sig),
    async ended(ms) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`wo ${args.join(' ')} did not end within ${ms} ms; output:\n${out}${err}`));
        }, ms);
      });
      try {
        return await Promise.race([exit, late]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs wo to its end under the deadline. */
export function runWo(
  args: string[],
  o: { cwd: string; env: NodeJS.ProcessEnv },
  ms = 15000,
): Promise<Ended> {
  return startWo(args, o).ended(ms);
}
