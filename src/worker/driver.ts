// The WorkerDriver of `wo run`: real worktrees, tmux sessions and protocol files for the scheduler.
import type { Runner } from '../exec.js';
import { WORKTREE_ADDS_AT_ONCE, type Git } from '../git/git.js';
import type { SessionInfo, Tmux } from '../tmux/tmux.js';
import type { AgentDef, WorkerSpec } from '../plan/types.js';
import type { AttemptEnd, AttemptHandle, WorkerDriver } from '../scheduler/types.js';
import { UsageError } from '../errors.js';
import { launchWorker, workerVars } from './launch.js';
import { locate, type Layout, type WorkerLocation } from './layout.js';
import { readMeta, updateMeta } from './metadata.js';
import { Monitor, type Completion } from './monitor.js';
import { outputBlock, readExitCode, readStatus, recordFailure } from './protocol.js';
import { createWorktree, provisionWorktree } from './worktree.js';

export interface DriverOptions {
  git: Git;
  tmux: Tmux;
  runner: Runner;
  layout: Layout;
  agents: Record<string, AgentDef>;
  runId: string;
  /** The caller's environment (passed to sessions explicitly). */
  env: NodeJS.ProcessEnv;
  keepSessions?: boolean;
  /**
   * A run whose runner died: its workers that finished meanwhile are taken as they ended, not
   * started again (live ones are adopted anyway).
   */
  orphanRunId?: string;
  /** Safety poll of tmux, ms. */
  pollMs?: number;
  /** How long an agent gets to stop after Ctrl-C before its session is killed, ms. */
  graceMs?: number;
}

export class RunDriver implements WorkerDriver {
  readonly monitor: Monitor;
  private readonly pending = new Set<Promise<unknown>>();
  private sessions?: Promise<SessionInfo[]>;
  private readonly creating = new Map<string, Promise<boolean>>();

  constructor(private readonly o: DriverOptions) {
    this.monitor = new Monitor(o.tmux, o.pollMs);
  }

  location(feature: string): WorkerLocation {
    return locate(this.o.layout, feature);
  }

  private agent(w: WorkerSpec): AgentDef {
    const a = this.o.agents[w.agent];
    if (!a) throw new UsageError(`unknown agent "${w.agent}"`);
    return a;
  }

  private workerEnv(w: WorkerSpec, loc: WorkerLocation): NodeJS.ProcessEnv {
    return {
      ...this.o.env,
      ...w.env,
      ...workerVars({ ...w, worktree: loc.worktree, runId: this.o.runId }),
    };
  }

  /**
   * Starts creating the worktrees of these workers now, one after another, so that a worker's
   * turn does not wait for git. Only for workers without `needs`: a worker that needs another may
   * branch from that one's branch, which must hold its work first.
   */
  prefetch(workers: WorkerSpec[]): void {
    // In plan order, a few at a time (as git allows): the first workers' worktrees are ready first.
    const limit = import('p-limit').then(({ default: pLimit }) => pLimit(WORKTREE_ADDS_AT_ONCE));
    for (const w of workers) {
      if (w.needs.length > 0 || this.creating.has(w.feature)) continue;
      const loc = this.location(w.feature);
      const p = limit.then((l) => l(() => createWorktree(this.o.git, this.o.layout.repoRoot, loc, w.base)));
      p.catch(() => undefined); // a failure is reported by prepare(), in the worker's own turn
      this.creating.set(w.feature, p);
    }
  }

  async prepare(w: WorkerSpec): Promise<void> {
    const loc = this.location(w.feature);
    const { git, runner, layout } = this.o;
    const early = this.creating.get(w.feature);
    this.creating.delete(w.feature); // a retry after a failure creates afresh
    const created = await (early ?? createWorktree(git, layout.repoRoot, loc, w.base));
    await provisionWorktree(
      runner,
      layout.repoRoot,
      loc,
      { copy: w.copy, setup: w.setup, env: this.workerEnv(w, loc) },
      created,
    );
  }

  async start(w: WorkerSpec, attempt: number): Promise<AttemptHandle> {
    const { tmux } = this.o;
    const loc = this.location(w.feature);
    const agent = this.agent(w);
    // One look at tmux for the whole run: a session that exists now was started by someone else.
    this.sessions ??= tmux.listSessions();
    const existing = attempt === 1 ? (await this.sessions).find((s) => s.name === loc.session) : undefined;
    const status = (await readStatus(loc.worktree)).status;
    let adopted = false;
    const live = existing && !existing.paneDead;
    if (live && (status === 'running' || status === undefined)) {
      adopted = true; // a live worker from an earlier runner: wait on it, never start it twice
    } else if (
      !live &&
      attempt === 1 &&
      this.o.orphanRunId !== undefined &&
      (await readMeta(loc.worktree)).worker?.run_id === this.o.orphanRunId
    ) {
      adopted = true; // it ended while no runner watched: its files say how (or the monitor: crashed)
    } else {
      if (existing) await tmux.killSession(loc.session); // a finished session left open
      await launchWorker(tmux, {
        feature: w.feature,
        task: w.task,
        agentName: w.agent,
        agent,
        worktree: loc.worktree,
        branch: loc.branch,
        session: loc.session,
        stateDir: loc.stateDir,
        index: w.index,
        runId: this.o.runId,
        attempt,
        baseEnv: this.o.env,
        env: w.env,
        keepSession: this.o.keepSessions,
      });
    }

    let stopping: Promise<void> | undefined;
    let stopReason = '';
    const key = w.feature;
    const done = (async (): Promise<AttemptEnd> => {
      const c: Completion = await this.monitor.wait(key, loc.worktree, loc.session);
      if (stopping) {
        await stopping;
        return this.finish(loc, { outcome: 'failed', reason: stopReason });
      }
      const exitCode = await readExitCode(loc.stateDir);
      if (c.crashed) {
        await recordFailure(loc.worktree, 'session ended without status');
        return this.finish(loc, { outcome: 'crashed', reason: c.reason, exitCode });
      }
      // No exit code: the agent wrote its status itself and may still run (an interactive agent
      // stays open), so its session is ended; otherwise the wrapper is already on its way out.
      const endSession = exitCode === undefined;
      if (c.status === 'done' && w.verify) {
        const v = await this.verify(w, loc);
        if (v) return this.finish(loc, { outcome: 'failed', reason: v, exitCode }, endSession);
      }
      const reason =
        c.reason ?? (c.status === 'failed' ? await this.failureReason(loc, exitCode) : undefined);
      return this.finish(
        loc,
        { outcome: c.status, reason, exitCode, ...(c.noticedAt !== undefined && { noticedAt: c.noticedAt }) },
        endSession,
      );
    })();

    const stop = async (reason: string): Promise<void> => {
      if (!stopping) {
        stopReason = reason;
        stopping = (async () => {
          await this.endSession(loc.session);
          await recordFailure(loc.worktree, reason);
          this.monitor.settle(key, { status: 'failed', reason });
        })();
      }
      await stopping;
      await done.catch(() => undefined);
    };
    return { adopted, done, stop };
  }

  /** Ctrl-C to the agent, a grace period, then kill the session. */
  async endSession(session: string): Promise<void> {
    const { tmux } = this.o;
    if (!(await tmux.sendKeys(session, 'C-c'))) return;
    const deadline = Date.now() + (this.o.graceMs ?? 3000);
    while (Date.now() < deadline) {
      const s = (await tmux.listSessions()).find((x) => x.name === session);
      if (!s || s.paneDead) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await tmux.killSession(session);
  }

  private async failureReason(loc: WorkerLocation, exitCode: number | undefined): Promise<string> {
    if (exitCode !== undefined && exitCode !== 0) return `exit code ${exitCode}`;
    return 'the agent reported failed';
  }

  /** Runs `verify`; returns the failure reason, or undefined when it passed. */
  private async verify(w: WorkerSpec, loc: WorkerLocation): Promise<string | undefined> {
    const cmd = w.verify as string;
    const r = await this.o.runner.run('sh', ['-c', cmd], {
      cwd: loc.worktree,
      env: this.workerEnv(w, loc),
      reject: false,
    });
    if (r.exitCode === 0) return undefined;
    const reason = `verify "${cmd}" failed (exit ${r.exitCode})`;
    await recordFailure(loc.worktree, reason, outputBlock(`${r.stdout}${r.stderr}`));
    return reason;
  }

  /**
   * Records the end in .worktree.json and ends a session still open. Neither is awaited: the
   * outcome is known now, and close() waits for them.
   */
  private finish(loc: WorkerLocation, end: AttemptEnd, endSession = true): AttemptEnd {
    this.background(
      updateMeta(loc.worktree, {
        worker: {
          finished_at: new Date().toISOString(),
          status: end.outcome === 'done' ? 'done' : 'failed',
          exit_code: end.exitCode ?? null,
        },
      }),
    );
    // An interactive agent stays open after writing its status: end its session unless asked not to.
    if (endSession && !this.o.keepSessions) this.background(this.o.tmux.killSession(loc.session));
    return end;
  }

  private background(p: Promise<unknown>): void {
    const quiet = p.catch(() => undefined);
    this.pending.add(quiet);
    void quiet.then(() => this.pending.delete(quiet));
  }

  /** Stops watching and waits for the sessions being ended. */
  async close(): Promise<void> {
    this.monitor.close();
    await Promise.all([...this.pending, ...this.creating.values()].map((p) => p.catch(() => undefined)));
  }
}
