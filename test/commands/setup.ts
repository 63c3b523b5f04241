// Shared fixture for command tests: a temp repository, a tmux server of its own, and `wo` run in-process.
import { readFileSync, existsSync, utimesSync } from 'node:fs';
import { basename, join } from 'node:path';
import { main } from '../../src/cli.js';
import { memoryOutput, type Context } from '../../src/context.js';
import { makeRepo, makeTmux, testEnv, waitFor, type TempRepo, type TempTmux } from '../helpers.js';

export interface WoResult {
  code: number;
  out: string;
  err: string;
}

export interface Fixture {
  repo: TempRepo;
  t: TempTmux;
  ctx: Context;
  io: ReturnType<typeof memoryOutput>;
  /** Runs `wo argv…` in-process; output is that of this call only. */
  wo(...argv: string[]): Promise<WoResult>;
  /** The worktree folder of a feature (default layout). */
  wt(feature: string): string;
  status(feature: string): string | undefined;
  result(feature: string): string | undefined;
  meta(feature: string): Record<string, unknown> & { worker?: Record<string, unknown> };
  /** Waits until the worker's status file says `word`. */
  waitStatus(feature: string, word: string): Promise<void>;
  /** Makes a worker look as if it started long ago (past the start grace). */
  age(feature: string): void;
  cleanup(): void;
}

/** `name`: the repository folder's name (it may hold any text a path can). */
export function fixture(name = 'repo'): Fixture {
  const repo = makeRepo(name);
  const t = makeTmux();
  const io = memoryOutput();
  const ctx: Context = {
    cwd: repo.root,
    env: testEnv(repo.home, { WO_TMUX_SOCKET: t.socket }),
    io,
    signal: new AbortController().signal,
  };
  const wt = (f: string) => join(repo.root, '..', `${basename(repo.root)}-worktrees`, f);
  const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined);
  const f: Fixture = {
    repo,
    t,
    ctx,
    io,
    async wo(...argv) {
      io.stdout = '';
      io.stderr = '';
      const code = await main(argv, ctx);
      return { code, out: io.stdout, err: io.stderr };
    },
    wt,
    status: (feature) => read(join(wt(feature), '.worker-status'))?.trim(),
    result: (feature) => read(join(wt(feature), '.worker-result.md')),
    meta: (feature) => JSON.parse(read(join(wt(feature), '.worktree.json')) ?? '{}'),
    async waitStatus(feature, word) {
      await waitFor(() => f.status(feature) === word, `${feature} to be ${word}`, 5000);
    },
    age(feature) {
      const old = new Date(Date.now() - 60_000);
      utimesSync(join(wt(feature), '.worker-status'), old, old);
    },
    cleanup() {
      t.cleanup();
      repo.cleanup();
    },
  };
  return f;
}
