// wo doctor: check what wo needs (git, tmux, a repository, the agent commands) and say what to fix.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../context.js';
import { ExitCode } from '../errors.js';
import { processRunner, type Runner } from '../exec.js';
import { Git } from '../git/git.js';
import { Tmux } from '../tmux/tmux.js';
import { openWorkspace, type Workspace } from '../workspace.js';
import { EXCLUDE_PATTERNS } from '../worker/protocol.js';
import { PRESETS } from '../plan/presets.js';
import { checkGit, checkTmux, which } from '../worker/requirements.js';
import { loadSettings } from './settings.js';

export type Level = 'ok' | 'warn' | 'fail';

export interface Check {
  level: Level;
  text: string;
}

/** How to install each preset's program. */
const INSTALL: Record<string, string> = {
  claude: 'install Claude Code: npm install -g @anthropic-ai/claude-code',
  codex: 'install the Codex CLI: npm install -g @openai/codex',
  aider: 'install aider: python -m pip install aider-install && aider-install',
};

export async function doctorCommand(ctx: Context) {
  return doctor(ctx, processRunner);
}

export async function doctor(ctx: Context, runner: Runner): Promise<number> {
  const settings = await loadSettings(ctx);
  const checks: Check[] = [];
  const socket = ctx.env.WO_TMUX_SOCKET || settings.tmux?.socket || undefined;
  const [git, tmux] = await Promise.all([checkGit(new Git(runner)), checkTmux(new Tmux(runner, socket))]);
  checks.push(
    git.ok ? { level: 'ok', text: git.version ?? 'git' } : { level: 'fail', text: git.problem ?? 'git' },
  );
  checks.push(
    tmux.ok
      ? { level: 'ok', text: `${tmux.version ?? 'tmux'}${socket ? ` (socket ${socket})` : ''}` }
      : { level: 'fail', text: tmux.problem ?? 'tmux' },
  );

  let ws: Workspace | undefined;
  if (git.ok) {
    try {
      ws = await openWorkspace(ctx, settings, runner);
      checks.push({ level: 'ok', text: `repository ${ws.repoRoot}` });
    } catch (e) {
      checks.push({ level: 'warn', text: (e as Error).message });
    }
  }
  if (ws) checks.push(await excludeCheck(ws));

  const agents = ws?.agents ?? { ...PRESETS, ...(settings.agents ?? {}) };
  const defaultAgent = ws?.defaultAgent ?? settings.defaults?.agent ?? 'claude';
  for (const [name, agent] of Object.entries(agents)) {
    const program = agent.command[0];
    if (program === undefined) {
      checks.push({
        level: 'warn',
        text: `agent ${name}: its command is empty; give it an argv under agents.${name}.command`,
      });
      continue;
    }
    const found = await which(program, ctx.env, ctx.cwd);
    const label = `agent ${name}${name === defaultAgent ? ' (default)' : ''}`;
    checks.push(
      found
        ? { level: 'ok', text: `${label}: ${found}` }
        : {
            level: 'warn',
            text: `${label}: '${program}' is not on PATH; ${INSTALL[name] ?? `install it or fix agents.${name}.command`} (only workers using ${name} need it)`,
          },
    );
  }

  for (const c of checks) ctx.io.out(`${c.level.padEnd(4)}  ${c.text}\n`);
  const fails = checks.filter((c) => c.level === 'fail').length;
  const warns = checks.filter((c) => c.level === 'warn').length;
  if (fails) {
    ctx.io.out(`\nwo cannot run here: fix the failure${fails === 1 ? '' : 's'} above.\n`);
    return ExitCode.environment;
  }
  ctx.io.out(warns ? `\nready, with ${warns} warning${warns === 1 ? '' : 's'}.\n` : '\nready.\n');
  return ExitCode.ok;
}

/** Whether info/exclude keeps the protocol files out of git (wo adds them on the first spawn or run). */
async function excludeCheck(ws: Workspace): Promise<Check> {
  const r = await ws.git.run(ws.repoRoot, ['rev-parse', '--path-format=absolute', '--git-common-dir'], false);
  const file = join(r.stdout.trim(), 'info', 'exclude');
  const text = await readFile(file, 'utf8').catch(() => '');
  const have = new Set(text.split('\n').map((l) => l.trim()));
  const missing = [...EXCLUDE_PATTERNS, '/.wo/'].filter((p) => !have.has(p));
  return missing.length === 0
    ? { level: 'ok', text: `${file} keeps the worker files out of git` }
    : {
        level: 'warn',
        text: `${file} does not list ${missing.join(' ')} yet; wo adds them on the first wo spawn or wo run (so no agent commits them)`,
      };
}
