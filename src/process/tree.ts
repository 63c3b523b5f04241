// The processes wo ends, and how (SPEC §9). One scanner finds a worker's processes by identity,
// never by name: a pane's process tree, what is left in the pane's session, and anything carrying the
// worker's WO_WORKTREE in its environment (a `setsid` daemon leaves the pane's tree and session, not
// its environment). One stop policy ends them, and the process group of a program wo runs under a
// deadline or a cancel (exec.ts). Linux reads /proc; elsewhere process groups are signalled.
// /proc is read with synchronous calls: its files are made by the kernel on read and never wait on a
// disk, and each promise-based call costs the runner a trip through the thread pool and back.
import { readdirSync, readFileSync } from 'node:fs';

export interface Proc {
  pid: number;
  /** Start time in clock ticks since boot: a pid reused by a later process has another. */
  start: string;
}

interface Stat extends Proc {
  ppid: number;
  /** Its process group. */
  pgrp: number;
  sid: number;
  zombie: boolean;
}

function readStat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold anything: read after the last ")".
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      pid,
      zombie: f[0] === 'Z',
      ppid: Number(f[1]),
      pgrp: Number(f[2]),
      sid: Number(f[3]),
      start: f[19] ?? '',
    };
  } catch {
    // No such process (it ended), or /proc not readable.
    return undefined;
  }
}

/**
 * Who has `pid` now: its start time (clock ticks since boot), or `zombie` when it has exited and not
 * been reaped; undefined when no process has it. `unknown` where /proc cannot be read.
 */
// eslint-disable-next-line @typescript-eslint/require-await
export async function processIdentity(
  pid: number,
): Promise<{ start: string } | 'zombie' | 'unknown' | undefined> {
  const s = readStat(pid);
  if (s) return s.zombie ? 'zombie' : { start: s.start };
  try {
    readdirSync('/proc/self');
    return undefined;
  } catch {
    // No /proc to read: who has a pid is unknown.
    return 'unknown';
  }
}

/** This boot's id (Linux), so that a pid recorded before a reboot is never taken for a live one. */
// eslint-disable-next-line @typescript-eslint/require-await
export async function bootId(): Promise<string | undefined> {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // Not Linux: no boot id, the other checks decide.
    return undefined;
  }
}

/**
 * The WO_WORKTREE a process started with, read once per process: a process's initial environment
 * does not change, so each (pid, start time) is read from /proc once however many workers end.
 * Kernel threads (children of kthreadd, pid 2) have none and are not read at all.
 */
const worktreeOf = new Map<string, string | undefined>();

function startedIn(s: Stat): string | undefined {
  if (s.pid === 2 || s.ppid === 2) return undefined;
  const key = `${s.pid}:${s.start}`;
  if (!worktreeOf.has(key)) {
    let found: string | undefined;
    try {
      found = readFileSync(`/proc/${s.pid}/environ`, 'latin1')
        .split('\0')
        .find((e) => e.startsWith('WO_WORKTREE='))
        ?.slice('WO_WORKTREE='.length);
    } catch {
      // Gone, or not ours to read: it carries no worktree wo can see.
    }
    worktreeOf.set(key, found);
  }
  return worktreeOf.get(key);
}

/**
 * What each process was when first seen, by pid: its stat (start time, parent, group, session).
 * Every worker's end sweeps for what it left, and reading every process's stat each time held up the
 * run (docs/performance.md); a pid no longer listed is forgotten. What the scanner finds is read
 * again (current), so a gone or reused pid is never taken for the process it was.
 */
const firstSeen = new Map<number, Stat | undefined>();

/**
 * The one process scanner: every process on the machine as first seen; undefined where /proc is not
 * there to read.
 */
function scan(): Map<number, Stat> | undefined {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    // No /proc to read: no tree (callers fall back).
    return undefined;
  }
  const pids = names.filter((n) => /^\d+$/.test(n)).map(Number);
  const listed = new Set(pids);
  for (const pid of firstSeen.keys()) if (!listed.has(pid)) firstSeen.delete(pid);
  for (const key of worktreeOf.keys()) if (!listed.has(Number(key.split(':')[0]))) worktreeOf.delete(key);
  const all = new Map<number, Stat>();
  for (const pid of pids) {
    if (!firstSeen.has(pid)) firstSeen.set(pid, readStat(pid));
    const st = firstSeen.get(pid);
    if (st) all.set(pid, st);
  }
  return all;
}

/** The process now, if it is still the one first seen (not gone, not a zombie, not a reused pid). */
function current(first: Proc): Stat | undefined {
  const now = readStat(first.pid);
  return now && !now.zombie && now.start === first.start ? now : undefined;
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
 * sessions, and those whose environment holds `WO_WORKTREE=<worktree>`, with their descendants;
 * undefined where /proc is not there to ask. wo and its ancestors are never among them.
 */
// eslint-disable-next-line @typescript-eslint/require-await
export async function workerProcesses(
  roots: readonly number[],
  worktree?: string,
): Promise<Proc[] | undefined> {
  const all = scan();
  if (!all) return undefined;
  const keep = selfAndAncestors(all);
  const found = new Set<number>();
  const rootSet = new Set(roots);
  for (const s of all.values()) if (rootSet.has(s.pid) || rootSet.has(s.sid)) found.add(s.pid);
  if (worktree !== undefined) for (const s of all.values()) if (startedIn(s) === worktree) found.add(s.pid);
  addDescendants(found, all.values());
  const now = [...found].filter((pid) => !keep.has(pid)).map((pid) => current(all.get(pid)!));
  return now.filter((s): s is Stat => s !== undefined).map(({ pid, start }) => ({ pid, start }));
}

/**
 * Whether a process group still has a live member. A zombie is not one: where nothing reaps orphans
 * (pid 1 of some containers), a killed group's zombies stay. Without /proc, the kernel is asked.
 */
// eslint-disable-next-line @typescript-eslint/require-await
async function groupAlive(pgid: number): Promise<boolean> {
  const all = scan();
  if (all) {
    // The leader is read afresh too: a pid reused since it was first seen is another process.
    const leader = readStat(pgid);
    if (leader && !leader.zombie && leader.pgrp === pgid) return true;
    const members = [...all.values()].filter((s) => s.pgrp === pgid && s.pid !== pgid);
    return members.map(current).some((s) => s?.pgrp === pgid);
  }
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    // EPERM: the group is there, but another user's; anything else (ESRCH): gone.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone meanwhile
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long a process gets to end after SIGTERM before it is killed, ms. */
export const STOP_GRACE_MS = 500;

/** Something the stop policy can end: a process found by identity, or a whole process group. */
interface Stoppable {
  signal(sig: NodeJS.Signals): void;
  alive(): Promise<boolean>;
}

/**
 * The one stop policy, for a worker's processes and for a program wo runs: SIGTERM, up to `graceMs`
 * to exit, then SIGKILL for those still there (a program that ignores TERM, HUP and INT). Resolves
 * when all are gone, or after a second more.
 */
async function stopAll(targets: readonly Stoppable[], graceMs: number): Promise<void> {
  let left = [...targets];
  const waitGone = async (ms: number) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const still = await Promise.all(left.map((t) => t.alive()));
      left = left.filter((_, i) => still[i]);
      if (left.length === 0 || Date.now() >= deadline) return;
      await pause(20);
    }
  };
  await waitGone(0);
  for (const t of left) t.signal('SIGTERM');
  await waitGone(graceMs);
  for (const t of left) t.signal('SIGKILL');
  await waitGone(1000);
}

/** Ends the processes found (see workerProcesses) under the stop policy; a reused pid is never signalled. */
export function endProcesses(procs: readonly Proc[], graceMs = STOP_GRACE_MS): Promise<void> {
  return stopAll(
    procs.map((p) => ({
      signal: (sig) => signal(p.pid, sig),
      alive: () => Promise.resolve(current(p) !== undefined),
    })),
    graceMs,
  );
}

/**
 * Ends whole process groups under the stop policy: a program wo started in a group of its own, with
 * every child it started; where /proc cannot be read, a pane's group, which tmux made for its program.
 */
export function endGroups(pgids: readonly number[], graceMs = STOP_GRACE_MS): Promise<void> {
  return stopAll(
    pgids.map((pgid) => ({ signal: (sig) => signal(-pgid, sig), alive: () => groupAlive(pgid) })),
    graceMs,
  );
}

/**
 * Ends what a worker left running after its session's program ended by itself (a background
 * process, a daemon): every process still carrying its WO_WORKTREE, and their descendants, but those
 * in `spare` (the session's wrapper, on its way out after recording the exit).
 */
export async function endLeftovers(worktree: string, spare: readonly number[] = []): Promise<void> {
  const procs = (await workerProcesses([], worktree))?.filter((p) => !spare.includes(p.pid));
  if (procs?.length) await endProcesses(procs);
}
