// Reading workers' state for the imperative commands: which workers exist (worktrees under the
// worktrees folder, sessions with the prefix), what their files say, whether their session is alive,
// and recording what wo decides (a session gone without a final status is `failed`, SPEC §1).
import { readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readTextIfExists } from '../fsutil.js';
import { UsageError } from '../errors.js';
import type { WorktreeEntry } from '../git/git.js';
import { FEATURE_PATTERN } from '../plan/types.js';
import type { SessionInfo } from '../tmux/tmux.js';
import type { Workspace } from '../workspace.js';
import { featureOfSession, worktreesRoot, type WorkerLocation } from './layout.js';
import { readMeta, updateMeta, type WorktreeMeta } from './metadata.js';
import {
  parseStatus,
  protocolPaths,
  readExitCode,
  readResult,
  readStatus,
  recordFailure,
  type StatusRead,
  type WorkerStatus,
} from './protocol.js';

/**
 * A worker whose status file says `running` but whose session does not exist yet is starting (its
 * status is written just before its session is created), not crashed, for this long.
 */
export const START_GRACE_MS = 5000;

/** The reason recorded for a worker whose session vanished without a final status (SPEC §1). */
export const LOST_REASON = 'session ended without status';

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
  /** When the status file was last written, ms. */
  statusWrittenMs?: number;
  session?: SessionInfo;
  /** The session exists and its pane's program has not exited. */
  sessionAlive: boolean;
  /** What wo reports: the final status from the file, else running while the session lives, else failed. */
  status: WorkerStatus;
  reason?: string;
  /** Running by its files but its session is gone: to be recorded as failed. */
  lost: boolean;
  /** Set when this call recorded the worker as failed because its session was lost. */
  recordedLost?: boolean;
  startedAt?: string;
  finishedAt?: string;
  exitCode: number | null;
}

export interface FindOptions {
  /** Only this worker. */
  feature?: string;
  /** Also worktrees wo created that never started a worker (for `wo clean`). */
  includeCreated?: boolean;
  /** Write what wo decided (lost sessions, finish times) to the status, result and metadata files. Default true. */
  record?: boolean;
  startGraceMs?: number;
}

/** Orders names as people do: w2 before w10. */
export function byName(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** UsageError unless `feature` is a valid worker name (SPEC §1). */
export function assertFeatureName(feature: string): void {
  if (!FEATURE_PATTERN.test(feature)) {
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

const isFinal = (s: WorkerStatus | undefined): s is 'done' | 'failed' => s === 'done' || s === 'failed';

/** The bold first line recordFailure writes (`**timed out after 1m**`), as a reason. */
function recordedReason(result: string | undefined): string | undefined {
  const m = /^\*\*(.+)\*\*\s*$/m.exec(result?.split('\n', 1)[0] ?? '');
  return m?.[1];
}

/** Reads one worker's files and decides its status, given the sessions listed before. */
export async function readView(
  ws: Workspace,
  feature: string,
  sessions: SessionInfo[],
  worktrees: WorktreeEntry[],
  o: { now?: number; startGraceMs?: number } = {},
): Promise<WorkerView> {
  const now = o.now ?? Date.now();
  const loc = ws.locate(feature);
  const paths = protocolPaths(loc.worktree);
  const [dirStat, statusText, statusStat, meta] = await Promise.all([
    stat(loc.worktree).catch(() => undefined),
    readTextIfExists(paths.status).catch(() => undefined),
    stat(paths.status).catch(() => undefined),
    readMeta(loc.worktree).catch((): WorktreeMeta => ({})),
  ]);
  const entry = worktrees.find((w) => !w.prunable && resolve(w.path) === loc.worktree);
  const session = sessions.find((s) => s.name === loc.session);
  const sessionAlive = Boolean(session && !session.paneDead);
  const file = parseStatus(statusText);
  const hasStatusFile = statusText !== undefined;
  const statusWrittenMs = statusStat?.mtimeMs;

  let status: WorkerStatus;
  let reason = file.reason;
  let lost = false;
  if (isFinal(file.status)) status = file.status;
  else if (sessionAlive) status = 'running';
  else if (
    file.status === 'running' &&
    statusWrittenMs !== undefined &&
    now - statusWrittenMs < (o.startGraceMs ?? START_GRACE_MS)
  ) {
    status = 'running';
    reason = 'starting';
  } else {
    status = 'failed';
    reason = LOST_REASON;
    lost = Boolean(dirStat?.isDirectory() && (hasStatusFile || meta.worker));
  }

  let exitCode: number | null = meta.worker?.exit_code ?? null;
  if (status === 'failed' && !lost) {
    if (exitCode === null) exitCode = (await readExitCode(loc.stateDir)) ?? null;
    reason ??= recordedReason(await readResult(loc.worktree).catch(() => undefined));
    if (reason === undefined && exitCode !== null && exitCode !== 0) reason = `exit code ${exitCode}`;
  } else if (status === 'done' && exitCode === null) {
    exitCode = (await readExitCode(loc.stateDir)) ?? null;
  }

  const startedAt = meta.worker?.started_at ?? undefined;
  let finishedAt = meta.worker?.finished_at ?? undefined;
  // A worker started by `wo spawn` has nobody waiting on it: its status file's time is its finish.
  if (isFinal(file.status) && !finishedAt && statusWrittenMs !== undefined)
    finishedAt = new Date(statusWrittenMs).toISOString();

  return {
    feature,
    loc,
    worktreeExists: dirStat !== undefined,
    registered: entry !== undefined,
    branch: entry?.branch,
    meta,
    file,
    hasStatusFile,
    statusWrittenMs,
    session,
    sessionAlive,
    status,
    reason,
    lost,
    startedAt,
    finishedAt,
    exitCode,
  };
}

/** Writes down what wo decided about a worker: a lost session is `failed`; a finish goes in .worktree.json. */
export async function recordView(v: WorkerView, now = Date.now()): Promise<void> {
  const worktree = v.loc.worktree;
  if (v.lost) {
    // The wrapper writes the status before its session ends: read once more before deciding.
    const again = await readStatus(worktree);
    if (isFinal(again.status)) {
      v.status = again.status;
      v.reason = again.reason;
      v.lost = false;
    } else {
      await recordFailure(worktree, LOST_REASON);
      v.lost = false;
      v.recordedLost = true;
      v.finishedAt = new Date(now).toISOString();
      v.exitCode = (await readExitCode(v.loc.stateDir)) ?? null;
      if (v.meta.worker) {
        v.meta = await updateMeta(worktree, {
          worker: { finished_at: v.finishedAt, status: 'failed', exit_code: v.exitCode },
        });
      }
      return;
    }
  }
  const w = v.meta.worker;
  if (w && isFinal(v.status) && (w.status !== v.status || !w.finished_at)) {
    v.finishedAt ??= new Date(now).toISOString();
    v.meta = await updateMeta(worktree, {
      worker: { finished_at: w.finished_at ?? v.finishedAt, status: v.status, exit_code: v.exitCode },
    });
  }
}

/**
 * Every worker of the repository, sorted by name: each folder under the worktrees folder with a
 * status file or worker metadata, and each session with the worker prefix.
 */
export async function findWorkers(ws: Workspace, o: FindOptions = {}): Promise<WorkerView[]> {
  // Sessions are listed before any status file is read: a session seen gone then has its final
  // status (written before it ends) visible to the reads that follow.
  const [sessions, worktrees, dirs] = await Promise.all([
    ws.tmux.listSessions(),
    ws.git.worktrees(ws.repoRoot),
    o.feature === undefined ? subdirs(worktreesRoot(ws.layout)) : Promise.resolve([o.feature]),
  ]);
  const names = new Set(dirs.filter((d) => FEATURE_PATTERN.test(d)));
  for (const s of sessions) {
    const f = featureOfSession(ws.layout, s.name);
    if (f !== undefined && FEATURE_PATTERN.test(f) && (o.feature === undefined || f === o.feature))
      names.add(f);
  }
  const now = Date.now();
  const views = await Promise.all(
    [...names].map((f) => readView(ws, f, sessions, worktrees, { now, startGraceMs: o.startGraceMs })),
  );
  const kept = views.filter(
    (v) =>
      v.hasStatusFile ||
      v.meta.worker !== undefined ||
      v.session !== undefined ||
      (o.includeCreated && v.meta.created_by === 'wo'),
  );
  if (o.record !== false) await Promise.all(kept.map((v) => recordView(v, now)));
  return kept.sort((a, b) => byName(a.feature, b.feature));
}

/** The UsageError for a worker name that matches no worker, listing the ones there are. */
export async function unknownWorker(ws: Workspace, feature: string): Promise<UsageError> {
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
