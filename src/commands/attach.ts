// wo attach <feature>: hand the terminal to the worker's tmux session (switch-client inside tmux
// on the same server; attach-session otherwise, with TMUX removed so tmux allows nesting).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Context } from '../context.js';
import { EnvError, UsageError } from '../errors.js';
import type { Tmux } from '../tmux/tmux.js';
import type { Workspace } from '../workspace.js';
import { assertFeatureName, findWorkers } from '../worker/inspect.js';
import { openCommandWorkspace } from './settings.js';

export async function attachCommand(ctx: Context, feature: string) {
  assertFeatureName(feature);
  const ws = await openCommandWorkspace(ctx, { tmux: true });
  return attachWorker(ctx, ws, feature);
}

/** The socket path of the server `tmux [-L socket]` talks to (tmux's own rule: $TMUX_TMPDIR/tmux-UID/NAME). */
export function serverSocketPath(env: NodeJS.ProcessEnv, socket: string | undefined): string {
  const uid = process.getuid?.() ?? 0;
  return join(env.TMUX_TMPDIR || '/tmp', `tmux-${uid}`, socket ?? 'default');
}

/** The command that puts this terminal on `session`: what runs, with which environment. */
export function attachPlan(
  tmux: Tmux,
  session: string,
  env: NodeJS.ProcessEnv,
): { argv: string[]; env: NodeJS.ProcessEnv } {
  // $TMUX is "socket_path,pid,session": inside tmux on the same server, switch this client over.
  const current = env.TMUX ? env.TMUX.split(',')[0] : undefined;
  const sameServer = current !== undefined && current === serverSocketPath(env, tmux.socket);
  const childEnv = { ...env };
  if (!sameServer) {
    delete childEnv.TMUX; // tmux refuses to attach from inside a session unless TMUX is unset
    delete childEnv.TMUX_PANE;
  }
  return { argv: tmux.attachArgv(session, sameServer), env: childEnv };
}

export async function attachWorker(ctx: Context, ws: Workspace, feature: string): Promise<number> {
  const loc = ws.locate(feature);
  // Only this repository's session: another repository's wt-<feature> is not this worker (SPEC §1).
  if (!(await ws.tmux.listSessions()).some((s) => s.name === loc.session)) {
    const [v] = await findWorkers(ws, { feature });
    const hint = v
      ? `worker ${feature} is ${v.status}; see its output with 'wo logs ${feature}' and its result with 'wo collect ${feature}'`
      : `start the worker with wo spawn ${feature} "<task>" --create, or see the sessions with wo list`;
    throw new UsageError(`no tmux session ${loc.session}: ${hint}.`);
  }
  const plan = attachPlan(ws.tmux, loc.session, ctx.env);
  const [file, ...args] = plan.argv as [string, ...string[]];
  const r = spawnSync(file, args, { stdio: 'inherit', env: plan.env });
  if (r.error)
    throw new EnvError(`could not run ${file}: ${r.error.message}. Is tmux installed and on PATH?`);
  return r.status ?? 1;
}
