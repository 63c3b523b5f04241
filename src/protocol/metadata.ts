// .worktree.json: merged, never clobbered: fields other tools wrote survive.
import { join } from 'node:path';
import { readUntrustedText, writeFileAtomic } from '../fsutil.js';
import { FILES, READ_MAX, readStatus } from './protocol.js';
import { isFinalStatus, recordedOutcome, type Outcome } from '../life/state.js';

export interface WorkerMeta {
  session: string;
  task: string;
  agent: string;
  run_id: string | null;
  started_at: string | null;
  finished_at: string | null;
  status: string;
  exit_code: number | null;
  /**
   * The report's word for how the run `outcome_run_id` ended this worker (`timeout`, `crashed`,
   * `interrupted`, …), written by `wo run` so that `wo status` and `wo collect` say the same.
   */
  outcome?: string;
  outcome_run_id?: string;
}

export interface WorktreeMeta {
  feature?: string;
  worker?: Partial<WorkerMeta>;
  /** Set when wo created the worktree: `wo clean` only removes those. */
  created_by?: string;
  [key: string]: unknown;
}

export async function readMeta(worktree: string): Promise<WorktreeMeta> {
  const text = await readUntrustedText(join(worktree, FILES.metadata), READ_MAX.metadata);
  if (!text?.trim()) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as WorktreeMeta) : {};
  } catch {
    return {}; // a broken file is rewritten with our fields; nothing else could be read from it anyway
  }
}

/** Updates in flight, per worktree: each read-modify-write waits for the one before it. */
const queues = new Map<string, Promise<unknown>>();

/**
 * Merges `patch` into the file: top-level keys replaced, `worker` merged key by key. Updates of one
 * worktree from this process are applied in the order they were asked for.
 */
export function updateMeta(
  worktree: string,
  patch: Omit<WorktreeMeta, 'worker'> & { worker?: Partial<WorkerMeta> },
): Promise<WorktreeMeta> {
  const before = queues.get(worktree) ?? Promise.resolve();
  const next = before.then(() => applyMeta(worktree, patch));
  // The queue goes on after a failed update; its caller gets the failure from `next`.
  const settled = next.catch(() => undefined);
  queues.set(worktree, settled);
  void settled.then(() => {
    if (queues.get(worktree) === settled) queues.delete(worktree);
  });
  return next;
}

async function applyMeta(
  worktree: string,
  patch: Omit<WorktreeMeta, 'worker'> & { worker?: Partial<WorkerMeta> },
): Promise<WorktreeMeta> {
  const cur = await readMeta(worktree);
  const next: WorktreeMeta = { ...cur, ...patch };
  if (patch.worker) next.worker = { ...(cur.worker ?? {}), ...patch.worker };
  await writeFileAtomic(join(worktree, FILES.metadata), `${JSON.stringify(next, null, 2)}\n`);
  return next;
}

/**
 * What a worker's files record of its latest start, without asking tmux or deciding anything:
 * `running`, or the outcome it ended with (recordedOutcome: the run's word when it wrote one);
 * undefined when it has no status yet.
 */
export async function recordedState(worktree: string): Promise<Outcome | 'running' | undefined> {
  const [{ status }, meta] = await Promise.all([readStatus(worktree), readMeta(worktree)]);
  if (status === undefined) return undefined;
  return isFinalStatus(status) ? recordedOutcome(status, meta.worker) : 'running';
}

/** Whether a worker's latest start is recorded done: what a `needs` outside a run's selection asks. */
export async function isDone(loc: { worktree: string }): Promise<boolean> {
  return (await recordedState(loc.worktree)) === 'done';
}
