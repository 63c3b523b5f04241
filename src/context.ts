// What every command receives: where it runs, its environment and where it writes.

export interface Output {
  /** Write to stdout (no newline added). */
  out(text: string): void;
  /** Write to stderr (no newline added). */
  err(text: string): void;
  /** True when stdout is an interactive terminal. */
  isTTY: boolean;
  /** Terminal width, or undefined when stdout is not a terminal. */
  columns?: number;
}

export interface Context {
  cwd: string;
  env: NodeJS.ProcessEnv;
  io: Output;
  /** Aborted on SIGTERM, and on the second Ctrl-C of a command that drains (SPEC §4). */
  signal: AbortSignal;
  /**
   * Aborted on the first Ctrl-C of a command that sets `trapInterrupts` (wo run): stop starting
   * work, let what runs finish. A second Ctrl-C aborts `signal`.
   */
  drain?: AbortSignal;
  /**
   * A command that ends its work cleanly on `signal` sets this; otherwise the first
   * SIGINT/SIGTERM exits at once with code 130.
   */
  trapInterrupts?: boolean;
}

export const processOutput: Output = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  get isTTY() {
    return Boolean(process.stdout.isTTY);
  },
  get columns() {
    return process.stdout.isTTY ? process.stdout.columns : undefined;
  },
};

/** An Output that records everything, for tests. */
export function memoryOutput(isTTY = false): Output & { stdout: string; stderr: string } {
  const o = {
    stdout: '',
    stderr: '',
    isTTY,
    columns: undefined as number | undefined,
    out(t: string) {
      o.stdout += t;
    },
    err(t: string) {
      o.stderr += t;
    },
  };
  return o;
}
