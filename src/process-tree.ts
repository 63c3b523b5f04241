// The processes a worker started, found by identity (never by name) so that they end with it (SPEC §9):
// a pane's process tree, what is left in the pane's session, and anything carrying the worker's
// WO_WORKTREE in its environment (a `setsid` daemon leaves the pane's tree and session, not its
// environment). Linux reads /proc; elsewhere the pane's process group is signalled.
import { readdir, readFile } from 'node:fs/promises';

export interface Proc {
  pid: number;
  /** Start time in clock ticks since boot: a pid reused by a later process has another. */
  start: string;
}

interface Stat extends Proc {
  ppid: number;
  sid: number;
  zombie: boolean;
}

async function readStat(pid: number): Promise<Stat | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold anything: read after the last ")".
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, zombie: f[0] === 'Z', ppid: Number(f[1]), sid: Number(f[3]), start: f[19] ?? '' };
  } catch {
    return undefined;
  }
}

/**
 * Who has `pid` now: its start time (clock ticks since boot), or `zombie` when it has exited and not
 * been reaped; undefined when no process has it. `unknown` where /proc cannot be read.
 */
export async function processIdentity(
  pid: number,
): Promise<{ start: string } | 'zombie' | 'unknown' | undefined> {
  const s = await readStat(pid);
  if (s) return s.zombie ? 'zombie' : { start: s.start };
  try {
    await readdir('/proc/self');
    return undefined;
  } catch {
    return 'unknown';
  }
}

/** This boot's id (Linux), so that a pid recorded before a reboot is never taken for a live one. */
export async function bootId(): Promise<string | undefined> {
  try {
    return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/**
 * The WO_WORKTREE a process started with, read once per process: a process's initial environment
 * does not change, so each (pid, start time) is read from /proc once however many workers end.
 * Kernel threads (children of kthreadd, pid 2) have none and are not read at all.
 */
const worktreeOf = new Map<string, Promise<string | undefined>>();

function startedIn(s: Stat): Promise<string | undefined> {
  if (s.pid === 2 || s.ppid === 2) return Promise.resolve(undefined);
  const key = `${s.pid}:${s.start}`;
  let known = worktreeOf.get(key);
  if (!known) {
    known = readFile(`/proc/${s.pid}/environ`, 'latin1').then(
      (text) =>
        text
          .split('\0')
          .find((e) => e.startsWith('WO_WORKTREE='))
          ?.slice('WO_WORKTREE='.length),
      () => undefined,
    );
    worktreeOf.set(key, known);
  }
  return known;
}

/** One look at every process on the machine, shared by the callers that ask while it is under way. */
let snapshotting: Promise<Map<number, Stat> | undefined> | undefined;

function snapshot(): Promise<Map<number, Stat> | undefined> {
  snapshotting ??= (async () => {
    let names: string[];
    try {
      names = await readdir('/proc');
    } catch {
      return undefined;
    }
    const stats = await Promise.all(names.filter((n) => /^\d+$/.test(n)).map((n) => readStat(Number(n))));
    const all = new Map<number, Stat>();
    for (const st of stats) if (st && !st.zombie) all.set(st.pid, st);
    // Forget the environments of processes that are gone.
    const live = new Set([...all.values()].map((st) => `${st.pid}:${st.start}`));
    for (const key of worktreeOf.keys()) if (!live.has(key)) worktreeOf.delete(key);
    return all;
  })().finally(() => (snapshotting = undefined));
  return snapshotting;
}

/** wo itself and the processes it runs under: never a worker's, whatever their environment says. */
function selfAndAncestors(all: ReadonlyMap<number, Stat>): Set<number> {
  const keep = new Set<number>();
  for (let pid = process.pid; pid > 1 && !keep.has(pid); pid = all.get(pid)?.ppid ?? 0) keep.add(pid);
  return keep;
}

/** Adds the descendants of `found`'s processes (a child that cleared its environment, in a session of its own). */
function addDescendants(found: Set<number>, all: Iterable<Stat>): void {
  const stats = [...all];
  for (let grew = true; grew;) {
    grew = false;
    for (const s of stats) {
      if (!found.has(s.pid) && found.has(s.ppid)) {
        found.add(s.pid);
        grew = true;
      }
    }
  }
}

/**
 * The live processes of a worker: the trees under `roots` (pane pids), the processes in their
 * sessions, and those whose environment holds `WO_WORKTREE=<worktree>`; undefined where /proc is
 * not there to ask.
 */
export async function workerProcesses(roots: number[], worktree?: string): Promise<Proc[] | undefined> {
  const all = await snapshot();
  if (!all) return undefined;
  const keep = selfAndAncestors(all);
  const found = new Set<number>();
  const rootSet = new Set(roots);
  for (const s of all.values()) if (rootSet.has(s.pid) || rootSet.has(s.sid)) found.add(s.pid);
  if (worktree !== undefined) {
    const marked = await Promise.all(
      [...all.values()].map(async (s) => ((await startedIn(s)) === worktree ? s.pid : 0)),
    );
    for (const pid of marked) if (pid) found.add(pid);
  }
  addDescendants(found, all.values());
  return [...found].filter((pid) => !keep.has(pid)).map((pid) => ({ pid, start: all.get(pid)!.start }));
}

/** Whether the process is still the one that was found (not gone, not a zombie, not a reused pid). */
async function same(p: Proc): Promise<boolean> {
  const s = await readStat(p.pid);
  return s !== undefined && !s.zombie && s.start === p.start;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone meanwhile
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Ends the processes: SIGTERM, up to `graceMs` to exit, then SIGKILL for those still there (a
 * program that ignores TERM, HUP and INT). Resolves when all are gone, or after a second more.
 */
export async function endProcesses(procs: Proc[], graceMs = 500): Promise<void> {
  let left = procs;
  const waitGone = async (ms: number) => {
    const deadline = Date.now() + ms;
    for (;;) {
      left = (await Promise.all(left.map(async (p) => ((await same(p)) ? p : undefined)))).filter(
        (p): p is Proc => p !== undefined,
      );
      if (left.length === 0 || Date.now() >= deadline) return;
      await pause(20);
    }
  };
  await waitGone(0);
  for (const p of left) signal(p.pid, 'SIGTERM');
  await waitGone(graceMs);
  for (const p of left) signal(p.pid, 'SIGKILL');
  await waitGone(1000);
}

/** Where /proc cannot be read: the pane's process group, which tmux made for its program. */
export function killGroups(roots: number[]): void {
  for (const pid of roots) signal(-pid, 'SIGKILL');
}

/**
 * Ends what a worker left running after its session's program ended by itself (a background
 * process, a daemon): every process still carrying its WO_WORKTREE, but those in `spare` (the
 * session's wrapper, on its way out after recording the exit).
 */
export async function endLeftovers(worktree: string, spare: readonly number[] = []): Promise<void> {
  const procs = (await leftoverProcesses(worktree))?.filter((p) => !spare.includes(p.pid));
  if (procs?.length) await endProcesses(procs);
}

/**
 * What each process was when first seen, by pid: its stat and the WO_WORKTREE it started with. Every
 * worker's end sweeps for leftovers, and a full look at every process each time (a stat read per
 * process) held up the run; a process is read once, and a pid no longer listed is forgotten.
 */
const firstSeen = new Map<number, Promise<{ stat?: Stat; worktree?: string }>>();

/**
 * The live processes that started with `WO_WORKTREE=<worktree>`, and their descendants: what a
 * worker whose program has exited left running. Candidates are read again, so a reused pid is
 * never taken for the process it replaced.
 */
async function leftoverProcesses(worktree: string): Promise<Proc[] | undefined> {
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return undefined;
  }
  const pids = names.filter((n) => /^\d+$/.test(n)).map(Number);
  const listed = new Set(pids);
  for (const pid of firstSeen.keys()) if (!listed.has(pid)) firstSeen.delete(pid);
  for (const key of worktreeOf.keys()) if (!listed.has(Number(key.split(':')[0]))) worktreeOf.delete(key);
  const seen = await Promise.all(
    pids.map((pid) => {
      let known = firstSeen.get(pid);
      if (!known) {
        known = readStat(pid).then(async (stat) => ({ stat, worktree: stat && (await startedIn(stat)) }));
        firstSeen.set(pid, known);
      }
      return known;
    }),
  );
  const stats = new Map<number, Stat>();
  for (const { stat } of seen) if (stat) stats.set(stat.pid, stat);
  const found = new Set<number>();
  for (const { stat, worktree: w } of seen) if (stat && w === worktree) found.add(stat.pid);
  addDescendants(found, stats.values());
  const keep = selfAndAncestors(stats);
  // Read again: still there, not a zombie, and the same process (start time) as when first seen.
  const now = await Promise.all([...found].filter((pid) => !keep.has(pid)).map((pid) => readStat(pid)));
  const out: Proc[] = [];
  for (const st of now) {
    const first = st && (await firstSeen.get(st.pid))?.stat;
    if (st && !st.zombie && first && first.start === st.start) out.push({ pid: st.pid, start: st.start });
  }
  return out;
}
