// A worker started by `wo spawn` has no runner watching it. When its agent exits, the session
// wrapper runs `wo _record-exit WORKTREE STATE_DIR SESSION SOCKET` (bin/wo.cjs), which lands here:
// its files then say how it ended at once, decided by outcome.ts like every other end.
//
// The exit record lies in a folder any worker can write (SPEC §9: a worker decides only its own
// outcome). It counts only when it is the session's own, checked against what tmux knows and no
// worker can choose: the pid of the process tmux started for the session (the wrapper).
import { processRunner } from '../process/run.js';
import { Tmux } from '../tmux/tmux.js';
import { diskFiles } from '../protocol/worker-files.js';
import { readMeta } from '../protocol/metadata.js';
import { decide, type ExitRecord } from '../life/outcome.js';
import { endLeftovers, processIdentity } from '../process/tree.js';
import { forgetEnv } from './launch.js';

/** How long a wrapper that wrote its record gets to exit, ms: it does so right after. */
const WRAPPER_EXIT_MS = 2000;

/**
 * Whether a process runs: a zombie has ended (tmux reaps its panes' programs when it gets to it).
 * Read from /proc by the one process scanner; where there is none (macOS), kill says, and a zombie
 * looks alive until it is reaped.
 */
async function running(pid: number): Promise<boolean> {
  const who = await processIdentity(pid);
  if (who !== 'unknown') return who !== undefined && who !== 'zombie';
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // ESRCH: no such process; EPERM: one that runs, as another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether an exit record is the session's own: true once the session's program (its wrapper) has
 * ended, having written all it would (read the record again then: it is the wrapper's last).
 * `panePid`: that program's pid, when the caller knows it (tmux said it at the start); otherwise
 * tmux is asked. A record that names another pid, or whose wrapper still runs after WRAPPER_EXIT_MS
 * (it exits right after writing), is not the worker's end: any worker can write the file, and the
 * wrapper writes the real record when it ends, which prompts another look.
 */
export async function exitIsOwn(
  tmux: Pick<Tmux, 'listSessions'>,
  session: string,
  exit: ExitRecord,
  o: { panePid?: number; waitMs?: number } = {},
): Promise<boolean> {
  let pid = o.panePid;
  if (pid === undefined) {
    // tmux did not answer: not known yet; the next look asks again.
    const sessions = await tmux.listSessions().catch(() => undefined);
    if (!sessions) return false;
    const s = sessions.find((x) => x.name === session);
    if (!s || s.paneDead) return true;
    pid = s.panePid;
  }
  if (pid === undefined || exit.wrapperPid !== pid) return false;
  const deadline = Date.now() + (o.waitMs ?? WRAPPER_EXIT_MS);
  while (await running(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

/** `socket`: the tmux server's (-L), empty for the default one. */
export async function recordExit(
  worktree: string,
  stateDir: string,
  session: string,
  socket: string,
): Promise<void> {
  const loc = { worktree, stateDir };
  const facts = await diskFiles.read(loc);
  // Called by the session's wrapper right after it wrote its record: its parent is the process tmux
  // started for the session, and the record names it. Anyone else's call changes nothing.
  const sessions = await new Tmux(processRunner, socket || undefined).listSessions();
  const s = sessions.find((x) => x.name === session);
  if (!s || s.panePid !== process.ppid || facts.exit?.wrapperPid !== process.ppid) return;
  const d = decide({ ...facts, session: 'unknown' });
  if (!d.final) return; // no exit record: nothing to say yet
  if (d.record) await diskFiles.record(loc, d.record);
  if ((await readMeta(worktree)).worker)
    await diskFiles.finished(worktree, { status: d.status, exitCode: d.exitCode, at: Date.now() });
  // The environment it was given is not left on disk (SPEC §9 secrets stay secret).
  await forgetEnv(stateDir).catch(() => undefined);
  // What the agent left running ends with it (SPEC §9), as when a run's worker ends.
  await endLeftovers(worktree).catch(() => undefined);
}
