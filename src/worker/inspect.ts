// Reading workers' state for the imperative commands: which workers exist (worktrees under the
// worktrees folder, sessions with the prefix), what their files and tmux say, what that means (asked
// of outcome.ts, the one place that decides), and writing the decision down when the files do not
// say it yet (a session gone without a final status, an agent that exited while nobody watched).
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { liveRunId, runLockPath } from '../lock.js';
import type { Git, WorktreeEntry } from '../git/git.js';
import { FEATURE_PATTERN } from '../plan/types.js';
import { parseTry, tryOfSessionName } from '../life/tries.js';
import type { SessionInfo, Tmux } from '../tmux/tmux.js';
import { diskFiles, type FileFacts, type WorkerFiles } from '../protocol/worker-files.js';
import { featureOfSession, worktreesRoot, type Layout, type WorkerLocation } from '../worktree/layout.js';
import { readMeta, type WorktreeMeta } from '../protocol/metadata.js';
import { recordedOutcome, type WorkerState } from '../life/state.js';
import {
  decide,
  liveState,
  parseStatus,
  stateOf,
  type AgentEvent,
  type Decision,
  type StatusRead,
  type Usage,
  type WorkerStatus,
} from '../life/outcome.js';

export interface WorkerView {
  feature: string;
  loc: WorkerLocation;
  /** Something exists at the worktree path. */
  worktreeExists: boolean;
  /** The path is a registered worktree of the repository (`git worktree list`). */
  registered: boolean;
  /** The worktree's branch; undefined when unknown or detached. */
  branch?: string;
  meta: WorktreeMeta;
  /** The status file as read (undefined status: missing or empty). */
  file: StatusRead;
  hasStatusFile: boolean;
  session?: SessionInfo;
  /** The session exists and its pane's program has not exited. */
  sessionAlive: boolean;
  /** What outcome.ts decided from the facts. */
  decision: Decision;
  /** What wo reports: `running` until the decision is final, then its status word. */
  status: WorkerStatus;
  reason?: string;
  /** While it runs: its live state (SPEC §1: starting, working, waiting, rate-limited, verifying). */
  live?: string;
  /** `rate-limited`: when the limit resets (ISO 8601), when the agent said so. */
  resetsAt?: string;
  /** Time its agent spent waiting for a person, ms. */
  waitingMs: number;
  /** Tokens and cost its agent's result reported (a headless agent's; undefined: none yet). */
  usage?: Usage;
  /** What its agent said of its state, in order (hooks and event stream; undefined: nothing). */
  agentEvents?: AgentEvent[];
  /** The decision is not in the worker's files yet: recordView writes it. */
  unrecorded: boolean;
  /** Set when this call recorded the worker as failed because its session was lost. */
  recordedLost?: boolean;
  startedAt?: string;
  finishedAt?: string;
  exitCode: number | null;
}

/** What inspecting needs of the repository (a Workspace has it all). */
export interface Scope {
  repoRoot: string;
  layout: Layout;
  git: Pick<Git, 'worktrees'>;
  tmux: Pick<Tmux, 'listSessions'>;
  locate(feature: string): WorkerLocation;
}

export interface FindOptions {
  /** Only this worker. */
  feature?: string;
  /** Also worktrees wo created that never started a worker (for `wo clean`). */
  includeCreated?: boolean;
  /** Write what wo decided (lost sessions, finish times) to the status, result and metadata files. Default true. */
  record?: boolean;
  files?: WorkerFiles;
  /** The live run's id (the run lock's), when the caller knows it; read from the lock otherwise. */
  liveRunId?: string | null;
}

/** Orders names as people do: w2 before w10. */
export function byName(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** A worker's name, or a try's (`F.try{k}`, SPEC §11): what has a worktree and a session. */
export function isWorkerName(name: string): boolean {
  return FEATURE_PATTERN.test(parseTry(name)?.feature ?? name);
}

/** UsageError unless `feature` is a valid worker name (SPEC §1), or a try's. */
export function assertFeatureName(feature: string): void {
  if (!isWorkerName(feature)) {
    throw new UsageError(
      `"${feature}" is not a valid worker name: use letters, digits, '-' and '_' (up to 63 characters, starting with a letter or digit).`,
    );
  }
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() || e.isSymbolicLink()).map((e) => e.name);
  } catch {
    return []; // no worktrees folder yet
  }
}

/** Reads one worker's files and decides its status, given the sessions listed before. */
export async function readView(
  ws: Scope,
  feature: string,
  sessions: SessionInfo[],
  worktrees: WorktreeEntry[],
  o: { now?: number; files?: WorkerFiles; liveRunId?: string } = {},
): Promise<WorkerView> {
  const now = o.now ?? Date.now();
  const loc = ws.locate(feature);
  const [dirStat, facts, meta] = await Promise.all([
    // Status reads half-written state: a worktree not there (or unreadable) is decided as missing.
    stat(loc.worktree).catch(() => undefined),
    // Files that cannot be read say nothing: the session and worktree still decide the status.
    (o.files ?? diskFiles).read(loc).catch((): FileFacts => ({})),
    // A broken or unreadable .wo-meta.json says nothing; the worker is still shown.
    readMeta(loc.worktree).catch((): WorktreeMeta => ({})),
  ]);
  const entry = worktrees.find((w) => !w.prunable && resolve(w.path) === loc.worktree);
  const session = sessions.find((s) => s.name === loc.session);
  const sessionAlive = Boolean(session && !session.paneDead);
  const hasStatusFile = facts.statusText !== undefined;
  // The sessions were listed before the files were read: a session seen gone had written all it would.
  const decision = decide({
    statusText: facts.statusText,
    resultText: facts.resultText,
    // An exit record beside a session whose program still runs is not its own yet (any worker can
    // write the file; session/finish.ts ownExit): its wrapper writes it, then the session ends.
    exit: sessionAlive ? undefined : facts.exit,
    agentResult: facts.agentResult,
    agentEvents: facts.agentEvents,
    session: sessionAlive ? 'alive' : 'gone',
    statusAgeMs: facts.statusWrittenMs === undefined ? undefined : now - facts.statusWrittenMs,
    ...(facts.runState && {
      run: {
        runId: facts.runState.run_id,
        step: facts.runState.step,
        liveRunId: o.liveRunId,
        ...(facts.runState.message !== undefined && { message: facts.runState.message }),
        ...(facts.runState.resets_at !== undefined && { resetsAt: facts.runState.resets_at }),
      },
    }),
  });
  // Not started yet in the live run: what its files say of times is an earlier start's.
  const notYet = !decision.final && (decision.state === 'queued' || decision.state === 'preparing');
  const isWorker = Boolean(dirStat?.isDirectory() && (hasStatusFile || meta.worker));

  const fileFinal = facts.statusText !== undefined && parseStatus(facts.statusText).status !== 'running';
  const finishedMs = decision.final
    ? (facts.exitedAtMs ?? (fileFinal ? facts.statusWrittenMs : undefined))
    : undefined;
  return {
    feature,
    loc,
    worktreeExists: dirStat !== undefined,
    registered: entry !== undefined,
    branch: entry?.branch,
    meta,
    file: parseStatus(facts.statusText),
    hasStatusFile,
    session,
    sessionAlive,
    decision,
    status: decision.final ? decision.status : 'running',
    reason: decision.final
      ? decision.reason
      : decision.state !== 'working'
        ? [decision.state, decision.message].filter(Boolean).join(': ')
        : undefined,
    live: decision.final ? undefined : decision.state,
    ...(!decision.final && decision.resetsAt && { resetsAt: decision.resetsAt }),
    waitingMs: notYet ? 0 : liveState(facts.agentEvents, now).waitingMs,
    ...(!notYet && facts.agentResult?.usage && { usage: facts.agentResult.usage }),
    ...(facts.agentEvents && { agentEvents: facts.agentEvents }),
    unrecorded: isWorker && decision.final && decision.record !== undefined,
    startedAt: notYet ? undefined : (meta.worker?.started_at ?? undefined),
    // A worker started by `wo spawn` has nobody waiting on it: its files' times are its finish.
    finishedAt: notYet
      ? undefined
      : (meta.worker?.finished_at ??
        (finishedMs === undefined ? undefined : new Date(finishedMs).toISOString())),
    exitCode: notYet ? null : (meta.worker?.exit_code ?? facts.exit?.code ?? null),
  };
}

/** The worker's state: what outcome.ts decided, with the outcome its run recorded (SPEC §5). */
export function workerState(v: WorkerView): WorkerState {
  const d = v.decision;
  return stateOf(d, d.final ? recordedOutcome(d.status, v.meta.worker) : undefined);
}

/**
 * Writes down what wo decided about a worker: the status and result when the files do not say it
 * yet, and the finish in .worktree.json.
 */
export async function recordView(
  v: WorkerView,
  files: WorkerFiles = diskFiles,
  now = Date.now(),
): Promise<void> {
  const d = v.decision;
  if (!d.final) return;
  if (v.unrecorded && d.record) {
    await files.record(v.loc, d.record);
    v.unrecorded = false;
    if (d.outcome === 'crashed') v.recordedLost = true;
  }
  const w = v.meta.worker;
  if (w && (w.status !== d.status || !w.finished_at)) {
    v.finishedAt ??= new Date(now).toISOString();
    await files.finished(v.loc.worktree, {
      status: d.status,
      exitCode: v.exitCode ?? undefined,
      at: Date.parse(v.finishedAt),
    });
    v.meta = {
      ...v.meta,
      worker: { ...w, status: d.status, finished_at: v.finishedAt, exit_code: v.exitCode },
    };
  }
}

/**
 * Every worker of the repository, sorted by name: each folder under the worktrees folder with a
 * status file or worker metadata, and each session with the worker prefix.
 */
export async function findWorkers(ws: Scope, o: FindOptions = {}): Promise<WorkerView[]> {
  // Sessions are listed before any status file is read: a session seen gone then has its final
  // status (written before it ends) visible to the reads that follow.
  const [sessions, worktrees, dirs, runId] = await Promise.all([
    ws.tmux.listSessions(),
    ws.git.worktrees(ws.repoRoot),
    o.feature === undefined ? subdirs(worktreesRoot(ws.layout)) : Promise.resolve([o.feature]),
    o.liveRunId !== undefined
      ? (o.liveRunId ?? undefined)
      : liveRunId(runLockPath(ws.repoRoot)).catch(() => undefined), // unreadable lock: no live run known
  ]);
  // While a run is live, its workers that have no worktree yet (queued, preparing) are workers too.
  const stateDirs =
    runId !== undefined && o.feature === undefined ? await subdirs(join(ws.repoRoot, '.wo', 'workers')) : [];
  const names = new Set([...dirs, ...stateDirs].filter(isWorkerName));
  for (const s of sessions) {
    let f = featureOfSession(ws.layout, s.name);
    // A try's session is wt-F-try{k}, its worker F.try{k} (SPEC §11).
    const asTry = f === undefined ? undefined : tryOfSessionName(f);
    if (asTry !== undefined && (names.has(asTry) || o.feature === asTry)) f = asTry;
    if (f !== undefined && isWorkerName(f) && (o.feature === undefined || f === o.feature)) names.add(f);
  }
  const now = Date.now();
  const views = await Promise.all(
    [...names].map((f) => readView(ws, f, sessions, worktrees, { now, files: o.files, liveRunId: runId })),
  );
  const kept = views.filter(
    (v) =>
      v.live === 'queued' ||
      v.live === 'preparing' ||
      v.hasStatusFile ||
      v.meta.worker !== undefined ||
      v.session !== undefined ||
      (o.includeCreated && v.meta.created_by === 'wo'),
  );
  if (o.record !== false) await Promise.all(kept.map((v) => recordView(v, o.files, now)));
  return kept.sort((a, b) => byName(a.feature, b.feature));
}

/** The tries of best-of worker `feature` (`feature.try{k}`, SPEC §11) that exist, in try order. */
export async function findTries(ws: Scope, feature: string, o: FindOptions = {}): Promise<WorkerView[]> {
  const all = await findWorkers(ws, { ...o, feature: undefined, record: false });
  const tries = all.filter((v) => parseTry(v.feature)?.feature === feature);
  if (o.record !== false) await Promise.all(tries.map((v) => recordView(v, o.files)));
  return tries;
}

/** The UsageError for a worker name that matches no worker, listing the ones there are. */
export async function unknownWorker(ws: Scope, feature: string): Promise<UsageError> {
  const known = (await findWorkers(ws, { record: false })).map((v) => v.feature);
  const where = worktreesRoot(ws.layout);
  const list = known.length
    ? `Workers: ${known.join(', ')}.`
    : `There are no workers yet: start one with wo spawn ${feature} "<task>" --create.`;
  return new UsageError(
    `no worker "${feature}" (no worktree ${where}/${feature}, no session ${ws.locate(feature).session}). ${list}`,
  );
}

/** How long the worker ran: start to finish, or start to now while it runs; undefined when not known. */
export function durationMs(v: WorkerView, now = Date.now()): number | undefined {
  if (!v.startedAt) return undefined;
  const start = Date.parse(v.startedAt);
  const end = v.finishedAt ? Date.parse(v.finishedAt) : v.status === 'running' ? now : undefined;
  if (Number.isNaN(start) || end === undefined || Number.isNaN(end)) return undefined;
  return Math.max(0, end - start);
}
