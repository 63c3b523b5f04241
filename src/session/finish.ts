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
import { endLeftovers } from '../process/tree.js';
import { forgetEnv } from './launch.js';

/** How long a wrapper that wrote its record gets to exit, ms: it does so right after. */
const WRAPPER_EXIT_MS = 2000;

const running = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // ESRCH: no such process; EPERM: one that runs, as another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Whether an exit record can be the session's own. `ended`: the session is gone or its program has
 * ended, so its wrapper wrote all it would. `waited`: the record names the session's wrapper, which
 * exited within WRAPPER_EXIT_MS (it does right after writing): read the record again, it is now the
 * wrapper's last. False: the wrapper still runs, so the record is not its end (any worker can write
 * the file; the wrapper writes the real one when it ends, and the look comes again).
 */
export async function exitIsOwn(
  tmux: Pick<Tmux, 'listSessions'>,
  session: string,
  exit: ExitRecord,
  waitMs = WRAPPER_EXIT_MS,
): Promise<'ended' | 'waited' | false> {
  // tmux did not answer: not known yet; the next look asks again.
  const sessions = await tmux.listSessions().catch(() => undefined);
  if (!sessions) return false;
  const s = sessions.find((x) => x.name === session);
  if (!s || s.paneDead) return 'ended';
  if (s.panePid === undefined || exit.wrapperPid !== s.panePid) return false;
  const deadline = Date.now() + waitMs;
  while (running(s.panePid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return 'waited';
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
