// wo list: the worker sessions on the tmux server ({prefix}*), live or with a finished pane.
import type { Context } from '../context.js';
import type { Workspace } from '../workspace.js';
import { byName } from '../worker/inspect.js';
import { featureOfSession } from '../worktree/layout.js';
import { renderTable } from '../ui/table.js';
import { openCommandWorkspace } from './settings.js';

export interface ListOptions {
  json?: boolean;
}

export interface ListEntry {
  session: string;
  feature: string;
  created_at: string;
  attached: boolean;
  /** False when the pane's program has exited and the session was kept open. */
  pane_alive: boolean;
  pane_pid: number | null;
}

export async function listCommand(ctx: Context, opts: ListOptions = {}) {
  const ws = await openCommandWorkspace(ctx, { tmux: true });
  return listSessions(ctx, ws, opts);
}

export async function listSessions(ctx: Context, ws: Workspace, opts: ListOptions): Promise<number> {
  const entries: ListEntry[] = [];
  for (const s of await ws.tmux.listSessions()) {
    const feature = featureOfSession(ws.layout, s.name);
    if (feature === undefined) continue;
    entries.push({
      session: s.name,
      feature,
      created_at: new Date(s.created * 1000).toISOString(),
      attached: s.attached,
      pane_alive: !s.paneDead,
      pane_pid: s.panePid ?? null,
    });
  }
  entries.sort((a, b) => byName(a.session, b.session));
  if (opts.json) {
    ctx.io.out(`${JSON.stringify(entries, null, 2)}\n`);
    return 0;
  }
  if (entries.length === 0) {
    ctx.io.out(
      `no worker sessions (${ws.layout.prefix}*)${ws.tmux.socket ? ` on tmux socket ${ws.tmux.socket}` : ''}.\n`,
    );
    return 0;
  }
  const rows = entries.map((e) => [
    e.session,
    e.feature,
    e.created_at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    e.attached ? 'yes' : 'no',
    e.pane_alive ? 'alive' : 'dead',
  ]);
  ctx.io.out(renderTable(['SESSION', 'FEATURE', 'CREATED', 'ATTACHED', 'PANE'], rows));
  return 0;
}
