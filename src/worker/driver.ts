// The WorkerDriver of `wo run`: real worktrees, tmux sessions and protocol files for the scheduler.
// It gathers facts and carries out decisions; what the facts mean is decided in outcome.ts.
import type { Runner } from '../process/run.js';
import type { Git } from '../git/git.js';
import type { SessionInfo, Tmux } from '../tmux/tmux.js';
import type { AgentDef, WorkerSpec } from '../plan/types.js';
import {
  systemClock,
  type AgentWaitListener,
  type AttemptEnd,
  type AttemptHandle,
  type Clock,
  type LiveEvent,
  type PrepareOptions,
  type RateLimit,
  type SchedulerEvent,
  type WorkerDriver,
} from '../scheduler/types.js';
import { SetupError, UsageError } from '../errors.js';
import { endLeftovers } from '../process/tree.js';
import { diskFiles, type WorkerFiles } from '../protocol/worker-files.js';
import { forgetEnv, launchWorker, workerVars, type LaunchInput } from '../session/launch.js';
import { exitIsOwn } from '../session/finish.js';
import { locate, type Layout, type WorkerLocation } from '../worktree/layout.js';
import { readMeta } from '../protocol/metadata.js';
import { Monitor, type Seen as SeenBy, type SessionSeen, type WatchDir } from '../session/monitor.js';
import { stopSession } from '../session/stop.js';
import { decide, SILENT_MS, type Ended, type WorkerFacts } from '../life/outcome.js';
import { maskSecrets } from '../secrets.js';
import { settledSessionUsage } from './agent-report.js';
import { FILES, outputBlock } from '../protocol/protocol.js';
import { AGENT_FILES, agentPaths } from '../agents/files.js';
import { adapterOf } from '../agents/index.js';
import { writeFileAtomic } from '../fsutil.js';
import { branchTips, commitOf, currentBranch, gitDirsOf, isAncestor } from '../git/git.js';
import { createWorktree, provisionWorktree } from '../worktree/worktree.js';
import type { RunStep } from '../protocol/run-state.js';
import { runStepOf } from '../life/state.js';
import type { AgentEvent, Usage } from '../agents/types.js';

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
  /** The workers' files (a fake in tests). */
  files?: WorkerFiles;
  clock?: Clock;
  watch?: WatchDir;
  /** Ends the processes a finished worker left running (see process-tree.ts; a fake in tests). */
  endLeftovers?: (worktree: string, spare?: readonly number[]) => Promise<void>;
  /** Starts a worker's session (a fake in tests). */
  launch?: typeof launchWorker;
  /** Creates a worker's worktree (a fake in tests). */
  createWorktree?: typeof createWorktree;
  /** Told when a running worker's live state changes (working, waiting with its message, ...). */
  onEvent?: (event: LiveEvent) => void;
  /**
   * A headless agent's attempt ends only once it has printed its result (usage, cost), up to
   * EXIT_GRACE_MS: set when the run has a cost cap, which must see each attempt's cost before the
   * next start. Otherwise an attempt's usage is what its agent had printed when it ended.
   */
  awaitUsage?: boolean;
  /** A rehearsal (SPEC §12): every launch goes through it. */
  rehearsal?: LaunchInput['rehearsal'];
  /**
   * How long a hooks-based agent may stay silent after its start, or after its last `waiting` was
   * answered, before it counts as `waiting` (SILENT_MS).
   */
  silentMs?: number;
}

/**
 * From when a hooks-based agent's silence counts (SPEC §1 Live states): its start, or just after the
 * event that answered its last `waiting` (the first event after it; hook times are whole ms).
 */
export function silentSince(events: readonly AgentEvent[] | undefined, startedAt: number): number {
  let since = startedAt;
  let asking = false;
  for (const e of events ?? []) {
    if (e.at < startedAt) continue;
    if (e.state === 'waiting') asking = true;
    else if (asking) {
      asking = false;
      // A limit that follows is the limit's to show (wo resumes it), not a silence.
      if (e.state === 'working') since = Math.max(since, Math.floor(e.at) + 1);
    }
  }
  return since;
}

/** How long a headless agent that wrote its status gets to exit by itself (and print its result), ms. */
const EXIT_GRACE_MS = 10000;
/** How long an ended turn's transcript gets to receive its last answer, ms. */
const SETTLE_MS = 3000;

/** An ISO time as epoch ms; undefined when absent or not a time. */
const epochMs = (iso: string | undefined): number | undefined => {
  const ms = iso === undefined ? NaN : Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
};

/** A worker's place, with the adapter the plan gives its agent (null: none). */
type KnownLocation = WorkerLocation & { agent: string | null };

/** What the monitor is told when wo itself ends an attempt. */
const STOPPED = Symbol('stopped');

/** An attempt's end as the look saw it, when its cause was noticed, and the wrapper's pid (it exits by itself). */
type Seen = Ended & { noticedAt: number; wrapperPid?: number };

export class RunDriver implements WorkerDriver {
  readonly monitor: Monitor;
  private readonly files: WorkerFiles;
  private readonly clock: Clock;
  private readonly pending = new Set<Promise<unknown>>();
  private sessions?: Promise<SessionInfo[]>;
  private readonly creating = new Map<string, Promise<boolean>>();
  /** Workers whose worktrees prefetch will create, in plan order (see prefetch). */
  private readonly toCreate: WorkerSpec[] = [];
  /** Each worker's last end (its record written, its leftover processes swept): a retry starts after it. */
  private readonly sweeps = new Map<string, Promise<unknown>>();
  /**
   * Workers whose run-state file may hold a step that readers act on (queued, preparing,
   * rate-limited, verifying). `running` and `ended` read as no file at all (outcome.ts decides from
   * the worker's files then), so they are written only over one of those.
   */
  private readonly toldStep = new Set<string>();
  /** Workers whose live attempt sits rate-limited at its prompt (interactive agents). */
  private readonly limitedLive = new Set<string>();
  /** The branches of this run's workers: theirs to move, so never counted against another worker. */
  private readonly runBranches = new Set<string>();

  constructor(private readonly options: DriverOptions) {
    this.files = options.files ?? diskFiles;
    this.clock = options.clock ?? systemClock;
    this.monitor = new Monitor({
      tmux: options.tmux,
      clock: this.clock,
      pollMs: options.pollMs,
      watch: options.watch,
    });
  }

  location(feature: string): WorkerLocation {
    return locate(this.options.layout, feature);
  }

  private agent(w: WorkerSpec): AgentDef {
    const a = this.options.agents[w.agent];
    if (!a) throw new UsageError(`unknown agent "${w.agent}"`);
    return a;
  }

  private workerEnv(w: WorkerSpec, loc: WorkerLocation): NodeJS.ProcessEnv {
    return {
      ...this.options.env,
      ...w.env,
      ...workerVars({ ...w, worktree: loc.worktree, runId: this.options.runId }),
    };
  }

  /**
   * Records where the run is with a worker (queued, preparing, running, ended) in its state folder,
   * for `wo status` to read while this run is live. A failed write costs only that view.
   */
  noteEvent(e: SchedulerEvent): void {
    // A worker between attempts, waiting for its agent's limit (a live one's hooks already say so).
    if (e.type === 'rate-limited') {
      if (!this.limitedLive.has(e.feature))
        this.noteStep(e.feature, 'rate-limited', {
          message: e.message,
          ...(e.resetsAt !== undefined && { resetsAt: new Date(e.resetsAt).toISOString() }),
        });
      return;
    }
    const step = runStepOf(e.type);
    if (step) this.noteStep(e.feature, step);
  }

  private noteStep(feature: string, step: RunStep, note?: { message?: string; resetsAt?: string }): void {
    const tells = step !== 'running' && step !== 'ended';
    if (!tells && !this.toldStep.has(feature)) return; // the file already reads as this: no write
    if (tells) this.toldStep.add(feature);
    else this.toldStep.delete(feature);
    // Written whole and at once (writeFileAtomic's calls are synchronous): the steps stay in order.
    this.files
      .runStep?.(this.location(feature).stateDir, this.options.runId, step, this.clock.now(), note)
      // Best effort: the run-state file is for `wo status`; the run goes on without it.
      .catch(() => undefined);
  }

  /**
   * Starts creating the worktrees of these workers ahead of their turn, so that a turn does not
   * wait for git. Only for workers without `needs`: a worker that needs another may branch from that
   * one's branch, which must hold its work first. At most `ahead` are made before their turn (plan
   * order), one more each time a worker's session starts: creating them all at once took the CPU
   * the first workers' starts needed (docs/performance.md, round 3).
   */
  prefetch(workers: WorkerSpec[], ahead = Infinity): void {
    // The run's one look at tmux (see start) is asked now, beside git, not in the first start's turn.
    this.sessions ??= this.options.tmux.listSessions();
    this.sessions.catch(() => undefined); // a failure is the first start's
    this.toCreate.push(...workers.filter((w) => w.needs.length === 0 && !this.creating.has(w.feature)));
    for (let i = 0; i < ahead && this.toCreate.length > 0; i++) this.createNext();
  }

  /** Starts creating the next prefetched worktree, if any is left. */
  private createNext(): void {
    const w = this.toCreate.shift();
    if (!w) return;
    const p = this.create(w);
    p.catch(() => undefined); // a failure is reported by prepare(), in the worker's own turn
    this.creating.set(w.feature, p);
  }

  async prepare(w: WorkerSpec, options: PrepareOptions = {}): Promise<void> {
    const loc = this.location(w.feature);
    const { git, runner, layout } = this.options;
    const { signal } = options;
    const early = this.creating.get(w.feature);
    // Its turn came before prefetch reached it: it is created now, and not again later.
    const queued = this.toCreate.findIndex((q) => q.feature === w.feature);
    if (queued >= 0) this.toCreate.splice(queued, 1);
    this.creating.delete(w.feature); // a retry after a failure creates afresh
    const created = await (early ?? this.create(w));
    if (signal?.aborted) throw new SetupError(`ended before its setup: ${String(signal.reason)}`);
    // The run's one Git: its info/exclude additions are made once for all workers, never raced.
    try {
      await provisionWorktree(
        git,
        runner,
        layout.repoRoot,
        loc,
        { copy: w.copy, link: w.link, setup: w.setup, env: this.workerEnv(w, loc), signal },
        created,
      );
    } catch (e) {
      // Setup was ended: what left its process group (a setsid daemon) ends too, found by the
      // worker's WO_WORKTREE. No agent ran in this worktree yet, so nothing else carries it.
      if (signal?.aborted)
        // Best effort: the setup's own failure is what is thrown.
        await (this.options.endLeftovers ?? endLeftovers)(loc.worktree).catch(() => undefined);
      throw e;
    }
  }

  private create(w: WorkerSpec): Promise<boolean> {
    const { git, layout } = this.options;
    this.runBranches.add(this.location(w.feature).branch);
    return (this.options.createWorktree ?? createWorktree)(
      git,
      layout.repoRoot,
      this.location(w.feature),
      w.base,
      w.sparse,
    );
  }

  /** The commit the worker's branch is at now (undefined when git does not know the branch). */
  private head(loc: WorkerLocation): Promise<string | undefined> {
    return commitOf(this.options.git, this.options.layout.repoRoot, `refs/heads/${loc.branch}`);
  }

  /**
   * Branches not of this run's workers that differ between two snapshots (branchTips): moved, made or
   * removed while a worker ran. A snapshot git could not take (empty) finds none.
   */
  private moved(before: Map<string, string>, after: Map<string, string>, own: readonly string[]): string[] {
    if (before.size === 0 || after.size === 0) return [];
    const names = new Set([...before.keys(), ...after.keys()]);
    return [...names]
      .filter((b) => !this.runBranches.has(b) && !own.includes(b) && before.get(b) !== after.get(b))
      .sort();
  }

  /**
   * Of the branches that moved, those now at a commit of the worker's own branches (`own`, tips in
   * `now`): it made the commit, or moved the branch to one of its history.
   */
  private async movedOntoOwn(
    moved: readonly string[],
    now: ReadonlyMap<string, string>,
    own: readonly string[],
  ): Promise<string[]> {
    const heads = [...new Set(own.map((b) => now.get(b)).filter((c): c is string => c !== undefined))];
    const repo = this.options.layout.repoRoot;
    const onOwn = async (tip: string) => {
      for (const head of heads) if (await isAncestor(this.options.git, repo, tip, head)) return true;
      return false;
    };
    const kept: string[] = [];
    for (const b of moved) {
      const tip = now.get(b);
      if (tip !== undefined && (await onOwn(tip))) kept.push(b);
    }
    return kept;
  }

  /**
   * The worker's facts now, with what tmux said of its session. With `checkExit` (and the pid of the
   * session's program, when known), an exit record counts only when it is the session's own
   * (exitIsOwn): any worker can write the file.
   */
  private async facts(
    loc: KnownLocation,
    session: SessionSeen,
    checkExit?: { panePid?: number },
  ): Promise<WorkerFacts> {
    let f = await this.files.read(loc);
    if (checkExit && f.exit) {
      // Its wrapper has ended: the record now is its last word (another's write came before it).
      if (await exitIsOwn(this.options.tmux, loc.session, f.exit, checkExit)) f = await this.files.read(loc);
      else f = { ...f, exit: undefined };
    }
    return {
      statusText: f.statusText,
      resultText: f.resultText,
      exit: f.exit,
      agentResult: f.agentResult,
      agentEvents: f.agentEvents,
      session,
    };
  }

  async start(w: WorkerSpec, attempt: number): Promise<AttemptHandle> {
    const { tmux } = this.options;
    const agent = this.agent(w);
    // Its agent's files are read by the adapter the plan gives it, never by one the worker named
    // in its state folder: a `shell` worker's hook lines change nothing (SPEC §9).
    const loc = { ...this.location(w.feature), agent: adapterOf(w.agent, agent)?.name ?? null };
    await this.sweeps.get(w.feature); // what an earlier attempt left running is gone first
    // One look at tmux for the whole run (asked early by prefetch): a session that exists now was
    // started by someone else.
    this.sessions ??= tmux.listSessions();
    const existing = attempt === 1 ? (await this.sessions).find((s) => s.name === loc.session) : undefined;
    const live = existing !== undefined && !existing.paneDead;
    let adopted = false;
    /** The branch's commit when this attempt started; undefined for an adopted session (not known). */
    let startHead: string | undefined;
    /** The pid of the session's program (its wrapper), as tmux said it: exit records are checked against it. */
    let panePid = live ? existing.panePid : undefined;
    /** Every branch's commit when this attempt started (an agent's only; undefined: not taken). */
    let startTips: Map<string, string> | undefined;
    let ownBranches: string[] = [];
    if (live && !decide(await this.facts(loc, 'alive', { panePid: existing.panePid })).final) {
      adopted = true; // a live worker from an earlier runner: wait on it, never start it twice
    } else if (
      !live &&
      attempt === 1 &&
      this.options.orphanRunId !== undefined &&
      (await readMeta(loc.worktree)).worker?.run_id === this.options.orphanRunId
    ) {
      adopted = true; // it ended while no runner watched: its files say how (or tmux: crashed)
    } else {
      if (existing) await tmux.killSession(loc.session); // a finished session left open
      // Only an agent's exit 0 asks whether it committed (a shell's or a plain command's does not).
      const kind = adapterOf(w.agent, agent)?.name;
      if ((kind ?? 'shell') !== 'shell') startHead = await this.head(loc);
      // Every branch now, to tell after an agent (any but a `shell` script, the plan's own) whether it
      // moved one not its own (SPEC §9).
      if (kind !== 'shell') {
        startTips = await branchTips(this.options.git, this.options.layout.repoRoot);
        // Its own: the branch its worktree has checked out (the integration's, for its resolver); a
        // worktree git cannot read adds none.
        const checkedOut = await currentBranch(this.options.git, loc.worktree).catch(() => undefined);
        ownBranches = [loc.branch, ...(checkedOut ? [checkedOut] : [])];
      }
      // An agent's sandbox opens the git folders the repository knows, never what the worktree says.
      // A `shell` script or a plain command has no sandbox to open: its start asks git for nothing.
      const dirs =
        kind !== undefined && kind !== 'shell'
          ? await gitDirsOf(this.options.git, this.options.layout.repoRoot, loc.worktree)
          : undefined;
      ({ panePid } = await (this.options.launch ?? launchWorker)(tmux, {
        feature: w.feature,
        task: w.task,
        agentName: w.agent,
        agent,
        ...(w.model !== undefined && { model: w.model }),
        worktree: loc.worktree,
        branch: loc.branch,
        session: loc.session,
        stateDir: loc.stateDir,
        index: w.index,
        ...(w.try !== undefined && { try: w.try, tries: w.tries }),
        runId: this.options.runId,
        attempt,
        baseEnv: this.options.env,
        env: w.env,
        keepSession: this.options.keepSessions,
        setup: w.setup,
        verify: w.verify,
        ...(w.maxCostUsd !== undefined && { maxCostUsd: w.maxCostUsd }),
        ...(this.options.rehearsal && { rehearsal: this.options.rehearsal }),
        ...(dirs && { git: { ...dirs, branch: loc.branch } }),
      }));
      this.toldStep.delete(w.feature); // a start empties the state folder, its run-state file with it
      this.createNext(); // one more worktree ahead (see prefetch)
    }

    const key = w.feature;
    let shown = '';
    // An interactive agent stays at its prompt on a rate limit: the scheduler is told, and later
    // resumes it with its adapter's keys. A headless one's limit is in its end (AttemptEnd.rateLimit)
    // once it exits.
    const adapter = adapterOf(w.agent, agent);
    const resume = adapter?.resume;
    const interactive = resume !== undefined;
    let limited: RateLimit | undefined;
    let onLimit: ((limit: RateLimit) => void) | undefined;
    let onAgentWait: AgentWaitListener | undefined;
    // A hooks-based agent that stays open: silent from its start, it shows a screen wo does not know.
    const hooked = adapter?.preset.exitsWhenDone === false && adapter.read !== undefined;
    const silentMs = this.options.silentMs ?? SILENT_MS;
    const startedAt = this.clock.now();
    /** Its agent is held for a wait of its own (onAgentWait): the run-state file says so until it goes on. */
    let agentWaits = false;
    const look = async (seen: SeenBy): Promise<Seen | undefined> => {
      // The time of the facts read next: a silence is judged on what was there by then.
      const lookedAt = this.clock.now();
      const facts = await this.facts(loc, seen.session, { panePid });
      // An adopted session spoke before this runner watched it: its silence since then says nothing.
      if (hooked && !adopted) {
        const since = silentSince(facts.agentEvents, startedAt);
        facts.silence = { since, now: lookedAt, afterMs: silentMs };
        watchSilence(since);
      }
      if (w.verify) facts.verify = { command: w.verify };
      if (adapter) facts.adapter = adapter.name;
      // Asked only of an exit 0 (SPEC §1: an agent that reported and committed nothing failed).
      if (adapter && startHead !== undefined && facts.exit?.code === 0)
        facts.committed = (await this.head(loc)) !== startHead;
      let d = decide(facts);
      if (!d.final) {
        const now = `${d.state}\n${d.message ?? ''}`;
        if (now !== shown) {
          shown = now;
          this.options.onEvent?.({
            type: 'live',
            feature: w.feature,
            state: d.state,
            ...(d.message !== undefined && { message: d.message }),
            at: this.clock.now(),
          });
          // Its own retry, at a time it did not say (interactive Claude Code's debug log): nothing is
          // typed to it, and its agent is held until it goes on.
          const retriesItself =
            d.state === 'rate-limited' && facts.agentEvents?.at(-1)?.retriesItself === true;
          if (retriesItself) {
            agentWaits = true;
            onAgentWait?.waits({ message: d.message ?? 'rate limit' });
          } else if (interactive && d.state === 'rate-limited' && !limited) {
            const resetsAt = epochMs(d.resetsAt);
            limited = { message: d.message ?? 'rate limit', ...(resetsAt !== undefined && { resetsAt }) };
            this.limitedLive.add(w.feature);
            onLimit?.(limited);
          } else if (!interactive && d.state === 'rate-limited' && d.resetsAt !== undefined) {
            // It retries by itself (headless Claude Code): its agent is held until the retry.
            const resetsAt = epochMs(d.resetsAt);
            if (resetsAt !== undefined) {
              agentWaits = true;
              onAgentWait?.waits({ message: d.message ?? 'rate limit', resetsAt });
            }
          } else if (d.state === 'working') {
            limited = undefined; // it went on (a person typed, or it was told to)
            this.limitedLive.delete(w.feature);
          }
          // Its own retry is over: its agent is let go, and `wo status` shows it running, not the wait.
          if (agentWaits && d.state !== 'rate-limited') {
            agentWaits = false;
            this.noteStep(w.feature, 'running');
            onAgentWait?.wentOn();
          }
        }
        // A worker left waiting for a person: keep what it shows, for the report (last_screen).
        if (d.state === 'waiting') this.background(this.keepScreen(loc, this.workerEnv(w, loc)));
      }
      if (!d.final && d.state === 'verifying') {
        this.noteStep(w.feature, 'verifying');
        // Under the attempt's timeout and the run's cancel: stop() ends it, with what it started.
        const r = await this.options.runner.run('sh', ['-c', w.verify!], {
          cwd: loc.worktree,
          env: this.workerEnv(w, loc),
          reject: false,
          signal: verifying.signal,
        });
        if (r.aborted) return undefined; // the stop decides the end
        facts.verify = {
          command: w.verify!,
          exitCode: r.exitCode,
          output: outputBlock(`${r.stdout}${r.stderr}`),
        };
        d = decide(facts);
      }
      if (!d.final) return undefined;
      if (startTips) {
        const now = await branchTips(this.options.git, this.options.layout.repoRoot);
        let moved = this.moved(startTips, now, ownBranches);
        // An agent without a sandbox could have moved any branch, and so could a person meanwhile
        // (a commit on main): only a branch moved onto its own branch's history is its doing.
        if (moved.length && adapter?.sandboxed !== true)
          moved = await this.movedOntoOwn(moved, now, ownBranches);
        if (moved.length) d = decide({ ...facts, movedBranches: moved });
      }
      if (!d.final) return undefined;
      return { ...d, noticedAt: seen.eventAt ?? this.clock.now(), wrapperPid: facts.exit?.wrapperPid };
    };

    let stopping: Promise<void> | undefined;
    let stopReason = '';
    /** Aborted when wo stops the attempt: a `verify` under way ends then. */
    const verifying = new AbortController();
    // No file changes when nothing speaks: the silence's end is looked at by the clock, from the
    // start and again from each answered `waiting` (silentSince).
    const { clock, monitor } = this;
    let ended = false;
    let silenceTimer: (() => void) | undefined;
    let timedFrom: number | undefined;
    function watchSilence(since: number) {
      if (since === timedFrom || ended) return;
      silenceTimer?.();
      timedFrom = since;
      silenceTimer = clock.setTimer(() => monitor.recheck(key), Math.max(0, since + silentMs - clock.now()));
    }
    if (hooked && !adopted) watchSilence(startedAt);
    const done = (async (): Promise<AttemptEnd> => {
      const seen = await this.monitor.wait<Seen | typeof STOPPED>(
        key,
        {
          session: loc.session,
          dirs: [
            { dir: loc.worktree, names: [FILES.status] },
            {
              dir: loc.stateDir,
              names: ['exit', AGENT_FILES.hooks, AGENT_FILES.events, AGENT_FILES.debugLog],
            },
          ],
        },
        look,
      );
      ended = true;
      silenceTimer?.();
      let end: Ended;
      // Once wo has begun to stop the worker, its end is the stop's, whatever the agent did meanwhile
      // (Ctrl-C makes it exit 130).
      if (seen === STOPPED || stopping) {
        await stopping;
        end = decide({ ...(await this.facts(loc, 'gone')), stoppedBy: stopReason }) as Ended;
      } else end = seen;
      // The end is written down off the run's critical path: the outcome is decided, and quoting an
      // agent that wrote no result waits for its exit line to reach the log. A retry of this worker
      // (start) and close() wait for it, so the report and the next attempt see it.
      const recorded = (async () => {
        try {
          if (end.record) await this.files.record(loc, end.record);
        } finally {
          // Its end is written down: verify (if it ran) is over for `wo status` too.
          if (w.verify) this.noteStep(w.feature, 'running');
        }
      })();
      // What the worker left running ends with it (SPEC §9). Off the run's critical path too.
      const sweep =
        !end.endSession || this.options.keepSessions
          ? (this.options.endLeftovers ?? endLeftovers)(
              loc.worktree,
              seen !== STOPPED && seen.wrapperPid !== undefined ? [seen.wrapperPid] : [],
            )
          : undefined;
      // Both settle before a retry starts. A record that could not be written (a full disk) leaves the
      // files as the agent left them; the outcome still reaches the scheduler and the report.
      // The environment it was given leaves the disk with it (SPEC §9); the wrapper no longer needs it.
      const forgotten = forgetEnv(loc.stateDir);
      const after = Promise.allSettled([recorded, sweep, forgotten]);
      this.sweeps.set(w.feature, after);
      this.background(after);
      const printsResult = adapter?.printsResultOnExit === true;
      // A hooks-based agent that stays open: its turn goes on after the status file (a last request,
      // billed, that the transcript holds only once the turn has ended). Its usage is that transcript's,
      // read once the turn has ended, so that the live view's header counts it too.
      const lastTurn = hooked && !printsResult;
      if (lastTurn && end.endSession && !stopping) await this.turnEnded(loc, EXIT_GRACE_MS);
      // An agent whose output wo does not read (a plain command) reports no usage: nothing to read.
      // A transcript that cannot be read leaves the attempt without usage; the report says so.
      const settled = () =>
        // The transcript is read inside the data folder of the environment the agent was given.
        settledSessionUsage(loc.stateDir, SETTLE_MS, this.options.env).catch(() => undefined);
      const usage = adapter?.read
        ? ((await this.usage(loc, printsResult && this.options.awaitUsage === true)) ??
          (lastTurn ? await settled() : undefined))
        : undefined;
      this.finish(loc, end, printsResult);
      this.limitedLive.delete(w.feature);
      const resetsAt = epochMs(end.rateLimited?.resetsAt);
      return {
        outcome: end.outcome,
        reason: end.reason,
        exitCode: end.exitCode,
        ...(usage && { usage }),
        ...(seen !== STOPPED && !stopping && { noticedAt: seen.noticedAt }),
        ...(end.rateLimited &&
          !stopping && {
            rateLimit: { message: end.rateLimited.message, ...(resetsAt !== undefined && { resetsAt }) },
          }),
      };
    })();

    const stop = async (reason: string): Promise<void> => {
      if (!stopping) {
        stopReason = reason;
        verifying.abort(reason);
        stopping = (async () => {
          await this.keepScreen(loc, this.workerEnv(w, loc)); // what a person would have seen (SPEC §5 last_screen)
          await this.stopSession(loc.session);
          this.monitor.settle(key, STOPPED);
        })();
      }
      await stopping;
      // Stopped on purpose: how the attempt then ended is the stopper's to say.
      await done.catch(() => undefined);
    };
    const handle: AttemptHandle = { adopted, done, stop };
    handle.onAgentWait = (listener) => (onAgentWait = listener);
    if (resume) {
      handle.onRateLimit = (listener) => {
        onLimit = listener;
        if (limited) listener(limited);
      };
      handle.resume = async () => {
        if (!limited || stopping) return;
        limited = undefined;
        this.limitedLive.delete(w.feature);
        // The adapter's keys, in order, each after a moment for the agent's screen to take the last.
        const pause = () => new Promise((r) => this.clock.setTimer(() => r(undefined), resume.pauseMs));
        for (const [i, keys] of resume.keys.entries()) {
          if (i > 0) await pause();
          await tmux.sendKeys(loc.session, ...keys);
        }
      };
    }
    return handle;
  }

  /** Saves what the worker's pane shows now to its state folder (last-screen.txt), its secrets masked. */
  private async keepScreen(loc: WorkerLocation, env: NodeJS.ProcessEnv): Promise<void> {
    try {
      const screen = await this.options.tmux.capturePane(loc.session);
      if (screen?.trim())
        await writeFileAtomic(agentPaths(loc.stateDir).lastScreen, `${maskSecrets(screen, env).trimEnd()}\n`);
    } catch {
      // no screen to keep (the session is gone): the report then has none
    }
  }

  /** The agent is asked to stop (Ctrl-C), given its grace, then its session ends (session/stop.ts). */
  async stopSession(session: string): Promise<void> {
    await stopSession(this.options.tmux, session, {
      ask: true,
      graceMs: this.options.graceMs,
      clock: this.clock,
    });
  }

  /**
   * Notes the end in .worktree.json and ends a session still open. Neither is awaited: the
   * outcome is known now, and close() waits for them.
   */
  private finish(loc: KnownLocation, end: Ended, printsResult: boolean): void {
    this.background(
      this.files.finished(loc.worktree, { status: end.status, exitCode: end.exitCode, at: this.clock.now() }),
    );
    // An interactive agent stays open after writing its status: end its session unless asked not to
    // (its turn has ended by now: its last request is in its transcript, SPEC §5). A headless one is
    // about to exit by itself and print its final result (usage, cost): it gets a moment to.
    if (end.endSession && !this.options.keepSessions)
      this.background(
        (printsResult ? this.exited(loc, EXIT_GRACE_MS) : Promise.resolve()).then(() =>
          this.options.tmux.killSession(loc.session),
        ),
      );
  }

  /**
   * Resolves once the agent's turn has ended after it wrote its status (its hooks say it stopped
   * working: the turn's end, an idle prompt, a question), or it exited, or after `ms`.
   */
  private async turnEnded(loc: KnownLocation, ms: number): Promise<void> {
    const deadline = this.clock.now() + ms;
    while (this.clock.now() < deadline) {
      // Files that cannot be read end the wait: the usage is then what the transcript holds.
      const f = await this.files.read(loc).catch(() => undefined);
      const last = f?.agentEvents?.at(-1);
      if (!f || f.exit !== undefined) return;
      if (last && last.state !== 'working' && last.at >= (f.statusWrittenMs ?? 0)) return;
      await new Promise((r) => this.clock.setTimer(() => r(undefined), 100));
    }
  }

  /** What the agent reported it used (its result's usage); with `wait`, once it has exited and printed it. */
  private async usage(loc: KnownLocation, wait: boolean): Promise<Usage | undefined> {
    if (wait) await this.exited(loc, EXIT_GRACE_MS);
    // Usage is extra: files that cannot be read leave it unknown.
    const f = await this.files.read(loc).catch(() => undefined);
    return f?.agentResult?.usage;
  }

  /** Resolves once the wrapper has recorded the agent's exit, or after `ms`. */
  private async exited(loc: KnownLocation, ms: number): Promise<void> {
    const deadline = this.clock.now() + ms;
    while (this.clock.now() < deadline && (await this.files.read(loc)).exit === undefined)
      await new Promise((r) => this.clock.setTimer(() => r(undefined), 100));
  }

  private background(p: Promise<unknown>): void {
    // Best effort, off the run's path: the outcome is decided already; a note not written or a
    // session not ended is left for `wo status` and `wo clean` to see. close() waits for it.
    const quiet = p.catch(() => undefined);
    this.pending.add(quiet);
    void quiet.then(() => this.pending.delete(quiet));
  }

  /** Stops watching and waits for the sessions being ended. */
  async close(): Promise<void> {
    this.monitor.close();
    // Waited for, not judged: a creation prepare() never claimed had no turn to fail in.
    await Promise.all([...this.pending, ...this.creating.values()].map((p) => p.catch(() => undefined)));
  }
}
