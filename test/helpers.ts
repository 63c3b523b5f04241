// Test fixtures: throw-away git repositories and tmux servers on their own sockets.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, realpathSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Tmux } from '../src/tmux/tmux.js';
import { processRunner } from '../src/process/run.js';

export const GIT_ENV = {
  GIT_AUTHOR_NAME: 'wo test',
  GIT_AUTHOR_EMAIL: 'test@wo.invalid',
  GIT_COMMITTER_NAME: 'wo test',
  GIT_COMMITTER_EMAIL: 'test@wo.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
};

export interface TempRepo {
  /** Parent folder holding the repo and its worktrees folder. */
  base: string;
  root: string;
  home: string;
  git(...args: string[]): string;
  cleanup(): void;
}

/**
 * The unit tier (jest.config.js) proves rules with fakes: a test there that asks for real git or
 * tmux belongs in the integration tier, and is told so.
 */
function integrationOnly(what: string): void {
  if ((globalThis as { WO_TEST_TIER?: string }).WO_TEST_TIER === 'unit')
    throw new Error(
      `${what} needs real git or tmux, which the unit tier does not start: list this test file under INTEGRATION in jest.config.js, or use a fake.`,
    );
}

/** A fresh repository with one commit on `main`, inside its own temp folder. */
export function makeRepo(name = 'repo'): TempRepo {
  integrationOnly('makeRepo()');
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'wo-test-')));
  const root = join(base, name);
  const home = join(base, 'home');
  execFileSync('mkdir', ['-p', root, home]);
  const env = { ...process.env, ...GIT_ENV, HOME: home };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, env, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(root, 'README.md'), '# test\n');
  git('add', '.');
  git('commit', '-q', '-m', 'initial');
  // Retries ride out a process that is still writing as it exits (ENOTEMPTY).
  const cleanup = () => rmSync(base, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 });
  return { base, root, home, git, cleanup };
}

export interface TempTmux {
  socket: string;
  tmux: Tmux;
  /** Kills this test's server and removes its socket. */
  cleanup(): void;
}

/** A tmux wrapper bound to a socket no other test uses. The server starts with the first session. */
export function makeTmux(): TempTmux {
  integrationOnly('makeTmux()');
  const socket = `wo-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  return {
    socket,
    tmux: new Tmux(processRunner, socket),
    cleanup() {
      // The server and its panes are stopped by id, and awaited, so that nothing of theirs
      // still writes into a test's folder when the folder is removed.
      const pids = serverPids(socket);
      try {
        execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
      } catch {
        // no server was started
      }
      awaitExit(pids, 3000);
      const uid = process.getuid?.() ?? 0;
      const dir = process.env.TMUX_TMPDIR ?? '/tmp';
      rmSync(join(dir, `tmux-${uid}`, socket), { force: true });
      rmSync(join(dir, `tmux-${uid}`, `${socket}.lock`), { force: true });
    },
  };
}

/** The tmux server's pid and its panes' pids, or none when no server runs on the socket. */
function serverPids(socket: string): number[] {
  try {
    const out = execFileSync('tmux', ['-L', socket, 'list-panes', '-a', '-F', '#{pid} #{pane_pid}'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return [...new Set(out.split(/\s+/).filter(Boolean).map(Number))];
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Blocks until every pid has exited, or `timeoutMs` has passed. */
function awaitExit(pids: number[], timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  const tick = new Int32Array(new SharedArrayBuffer(4));
  while (pids.some(alive) && Date.now() < deadline) Atomics.wait(tick, 0, 0, 10);
}

/** The environment tests give wo and its sessions: a temp HOME, sh as SHELL, git identity. */
export function testEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...GIT_ENV, HOME: home, SHELL: '/bin/sh', ...extra };
  delete env.TMUX;
  delete env.TMUX_PANE;
  return env;
}

/** Polls `fn` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 10000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function readIf(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}
