// Shared set-up for `wo run` tests: a temp repo with a plan, an isolated tmux server, and the CLI
// run in-process (main) or as a child process (for real signals).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli.js';
import { memoryOutput, type Context } from '../../src/context.js';
import { makeRepo, makeTmux, testEnv, type TempRepo, type TempTmux } from '../helpers.js';

export const BIN = new URL('../../bin/wo.cjs', import.meta.url).pathname;

export interface RunEnv {
  repo: TempRepo;
  tmux: TempTmux;
  /** A folder outside the worktrees where tasks leave evidence ($PROBE). */
  probe: string;
  env: NodeJS.ProcessEnv;
  writePlan(yaml: string, name?: string): string;
  wo(args: string[], o?: { signal?: AbortSignal }): Promise<{ code: number; stdout: string; stderr: string }>;
  spawnWo(args: string[]): ChildProcess & { output: () => string };
  report(): Record<string, unknown> & { workers: Array<Record<string, unknown>> };
  worktree(feature: string): string;
  cleanup(): void;
}

export function runEnv(): RunEnv {
  const repo = makeRepo();
  const tmux = makeTmux();
  const probe = join(repo.base, 'probe');
  mkdirSync(probe);
  const env = testEnv(repo.home, { WO_TMUX_SOCKET: tmux.socket, CI: '1', PROBE: probe });
  const children: ChildProcess[] = [];
  return {
    repo,
    tmux,
    probe,
    env,
    writePlan(yaml, name = 'workers.yaml') {
      const file = join(repo.root, name);
      writeFileSync(file, yaml);
      return file;
    },
    async wo(args, o = {}) {
      const io = memoryOutput();
      const ctx: Context = { cwd: repo.root, env, io, signal: o.signal ?? new AbortController().signal };
      const code = await main(args, ctx);
      return { code, stdout: io.stdout, stderr: io.stderr };
    },
    spawnWo(args) {
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: repo.root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      children.push(child);
      return Object.assign(child, { output: () => out });
    },
    report() {
      const last = JSON.parse(readFileSync(join(repo.root, '.wo', 'last-run.json'), 'utf8'));
      return JSON.parse(readFileSync(last.report_json, 'utf8'));
    },
    worktree: (feature) => join(repo.base, 'repo-worktrees', feature),
    cleanup() {
      for (const c of children) if (c.exitCode === null && c.pid) c.kill('SIGKILL');
      tmux.cleanup();
      repo.cleanup();
    },
  };
}

export function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code, sig) => resolve(code ?? (sig ? 128 : 1)));
  });
}

export function lines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}
