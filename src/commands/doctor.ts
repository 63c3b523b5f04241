// wo doctor: check what wo needs (git, tmux, a repository, the agent commands) and say what to fix.
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import type { Context } from '../context.js';
import { ExitCode } from '../errors.js';
import { readUntrustedText } from '../fsutil.js';
import { processRunner, type Runner } from '../process/run.js';
import { Git } from '../git/git.js';
import { Tmux } from '../tmux/tmux.js';
import { openWorkspace, type Workspace } from '../workspace.js';
import { EXCLUDE_PATTERNS } from '../protocol/protocol.js';
import { checkGit, checkTmux } from '../preflight/requirements.js';
import { checkAgent } from '../preflight/preflight.js';
import { loadSettings } from './settings.js';
import { findWorkers } from '../worker/inspect.js';
import { adapterOf, registry } from '../agents/index.js';
import type { AgentEvent } from '../agents/types.js';
import { stripControl } from '../escapes.js';

export type Level = 'ok' | 'warn' | 'fail';

export interface Check {
  level: Level;
  text: string;
}

/** How to install the program of the agent of this name, when wo knows it (its install facts). */
function installHint(name: string): string | undefined {
  const install = registry.named(name)?.install;
  return install && `install ${install.title}: ${install.command}`;
}

export async function doctorCommand(ctx: Context) {
  return doctor(ctx, processRunner);
}

export async function doctor(ctx: Context, runner: Runner): Promise<number> {
  const settings = await loadSettings(ctx);
  const checks: Check[] = [];
  const socket = settings.tmux.socket; // WO_TMUX_SOCKET's when set (resolveSettings, SPEC §7)
  const [git, tmux] = await Promise.all([checkGit(new Git(runner)), checkTmux(new Tmux(runner, socket))]);
  checks.push(
    git.ok ? { level: 'ok', text: git.version ?? 'git' } : { level: 'fail', text: git.problem ?? 'git' },
  );
  // SPEC §10: the conflict radar needs git merge-tree --write-tree.
  if (git.ok) {
    const { radarUsable, RADAR_GIT } = await import('../integrate/radar.js');
    // git's own check above already says what is wrong with it: here only a known version warns.
    const v = await new Git(runner).version().catch(() => undefined);
    if (v && !radarUsable(v))
      checks.push({
        level: 'warn',
        text: `${v.text} is older than ${RADAR_GIT.major}.${RADAR_GIT.minor}: the conflict radar of plans with integrate: is off (it needs git merge-tree --write-tree). Update git to turn it on.`,
      });
  }
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
      // Doctor reports, never stops: the problem becomes a warning line.
      checks.push({ level: 'warn', text: (e as Error).message });
    }
  }
  if (ws) checks.push(await excludeCheck(ws));

  const agents = settings.agents;
  const defaultAgent = settings.defaults.agent;
  // The same checks as wo run's preflight (PATH, login or key, the proven version, trust), for every
  // agent; here each is a warning: only the workers that use an agent need it.
  const agentChecks = await Promise.all(
    Object.entries(agents).map(async ([name, agent]) => {
      if (agent.command[0] === undefined)
        return [
          {
            level: 'warn' as const,
            text: `agent ${name}: its command is empty; give it an argv under agents.${name}.command`,
          },
        ];
      const c = await checkAgent(name, agent, {
        runner,
        env: ctx.env,
        cwd: ctx.cwd,
        repoRoot: ws?.repoRoot ?? ctx.cwd,
        agents: {},
      });
      const label = `agent ${name}${name === defaultAgent ? ' (default)' : ''}`;
      const out: Check[] = [];
      if (!c.path)
        out.push({
          level: 'warn',
          text: `${label}: '${c.program}' is not on PATH; ${installHint(name) ?? `install it or fix agents.${name}.command`} (only workers using ${name} need it)`,
        });
      else out.push({ level: 'ok', text: `${label}: ${c.path}${c.version ? ` (${c.version})` : ''}` });
      if (c.login) out.push({ level: 'ok', text: `agent ${name}: logged in with ${c.login}` });
      if (c.path && c.problem) out.push({ level: 'warn', text: c.problem });
      if (c.warning) out.push({ level: 'warn', text: c.warning });
      // SPEC §1: for codex, doctor checks that its sandbox really confines writes on this machine.
      if (c.path && c.adapter === 'codex')
        out.push(await codexSandboxCheck(runner, c.path, ctx.env, ws?.repoRoot ?? ctx.cwd, name));
      return out;
    }),
  );
  checks.push(...agentChecks.flat());
  if (ws) checks.push(...limitChecks(await seenByWorkers(ws), Date.now()));

  // Check texts quote programs (an agent's --version, git's and gh's errors): no escape sequence of
  // theirs (a clipboard write, a window title) reaches the terminal (SPEC §9).
  for (const c of checks) ctx.io.out(`${c.level.padEnd(4)}  ${stripControl(c.text)}\n`);
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
  // No info/exclude yet (wo writes it on the first spawn): every pattern is reported missing.
  // Bounded, and never waiting on a FIFO in its place (SPEC §9): unreadable reads as empty.
  const text = (await readUntrustedText(file, 1 << 20).catch(() => undefined)) ?? '';
  const have = new Set(text.split('\n').map((l) => l.trim()));
  const missing = [...EXCLUDE_PATTERNS, '/.wo/'].filter((p) => !have.has(p));
  return missing.length === 0
    ? { level: 'ok', text: `${file} keeps the worker files out of git` }
    : {
        level: 'warn',
        text: `${file} does not list ${missing.join(' ')} yet; wo adds them on the first wo spawn or wo run (so no agent commits them)`,
      };
}

/** What one worker's agent last said, for the limits wo knows of. */
export interface AgentSaid {
  feature: string;
  /** The agent the worker ran (its metadata's `agent`). */
  agent: string;
  events: AgentEvent[];
}

/** An hour: a limit whose reset nobody said is mentioned for this long after it was hit. */
const UNSAID_RESET_MS = 3_600_000;

/**
 * The provider limits wo knows of (issue 12): no agent has a command that tells its limits, so wo
 * says what the agents said to it — a worker whose agent's last word was its provider's limit,
 * while that limit has not reset (or, when it said no reset time, for an hour). Then the agents the
 * workers used that said no such thing. Pure: `now` is given.
 */
export function limitChecks(said: AgentSaid[], now: number): Check[] {
  const limited = new Map<string, { feature: string; event: AgentEvent }>();
  const used = new Set<string>();
  for (const w of said) {
    used.add(w.agent);
    let last = w.events[w.events.length - 1];
    if (last?.state !== 'rate-limited') continue;
    // The agent may say the reset twice (Claude Code: exactly in its stream, to the minute in its
    // words), and an earlier limit's reset is earlier still: the latest reset it said counts.
    for (const e of w.events)
      if (
        e.state === 'rate-limited' &&
        e.resetsAt !== undefined &&
        (last.resetsAt === undefined || Date.parse(e.resetsAt) > Date.parse(last.resetsAt))
      )
        last = { ...last, resetsAt: e.resetsAt };
    const reset = last.resetsAt !== undefined ? Date.parse(last.resetsAt) : undefined;
    if (reset !== undefined ? reset <= now : now - last.at > UNSAID_RESET_MS) continue;
    const before = limited.get(w.agent);
    if (!before || before.event.at < last.at) limited.set(w.agent, { feature: w.feature, event: last });
  }
  const checks: Check[] = [];
  for (const agent of [...used].sort()) {
    const hit = limited.get(agent);
    if (!hit) {
      checks.push({
        level: 'ok',
        text: `agent ${agent}: no provider limit reached in this repository's workers`,
      });
      continue;
    }
    const { feature, event } = hit;
    const when = event.resetsAt
      ? `it resets at ${event.resetsAt} (in ${Math.ceil((Date.parse(event.resetsAt) - now) / 60_000)} min)`
      : 'it did not say when the limit resets';
    checks.push({
      level: 'warn',
      text: `agent ${agent}: its provider's limit was reached (worker ${feature} at ${new Date(event.at).toISOString()}: "${event.message ?? 'rate limit'}"); ${when}. wo run waits for a reset up to rate_limit_wait (default 1h) before it starts more of its workers`,
    });
  }
  return checks;
}

/** What each worker's agent said, from the files of this repository's workers. */
async function seenByWorkers(ws: Workspace): Promise<AgentSaid[]> {
  // Workers' files that cannot be read only leave out what their agents said; doctor still reports.
  const views = await findWorkers(ws, { record: false }).catch(() => []);
  return views.flatMap((v): AgentSaid[] => {
    const agent = v.meta.worker?.agent;
    if (typeof agent !== 'string') return [];
    // Only an agent whose output wo reads can have said its provider's limit (not shell, nor a
    // plain command).
    const def = ws.agents[agent];
    if (!(def && adapterOf(agent, def)?.read)) return [];
    return [{ feature: v.feature, agent, events: v.agentEvents ?? [] }];
  });
}

/** Whether `path` is `dir` or inside it. */
const within = (dir: string, path: string): boolean => {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * Runs a write test in codex's own workspace-write sandbox (`codex sandbox`, as `codex exec --sandbox
 * workspace-write` confines its commands): a file in its workspace must be written, one in the
 * repository's `.wo/` (outside the workspace) must be refused. A repository under /tmp or $TMPDIR is
 * writable to every codex worker, which codex allows by default: that warns too.
 */
export async function codexSandboxCheck(
  runner: Runner,
  codex: string,
  env: NodeJS.ProcessEnv,
  repoRoot: string,
  name = 'codex',
): Promise<Check> {
  const label = `agent ${name}: sandbox`;
  const temps = [tmpdir(), '/tmp'];
  const underTmp = (dir: string) => temps.find((t) => within(t, dir));
  const tmp = underTmp(repoRoot);
  // The write outside goes where codex must refuse it: the repository, or (under /tmp, which codex
  // leaves writable) the home folder.
  const probeDir = [repoRoot, homedir()].find((d) => !underTmp(d));
  if (probeDir === undefined)
    return {
      level: 'warn',
      text: `${label}: not checked: this repository and the home folder are under ${tmp}, which codex leaves writable: its workers can write anywhere in it (the repository's .git included)`,
    };
  const workspace = await mkdtemp(join(tmpdir(), 'wo-doctor-sandbox-'));
  const outside = join(probeDir, `.wo-sandbox-probe-${process.pid}`);
  try {
    const r = await runner.run(
      codex,
      [
        'sandbox',
        '-c',
        'sandbox_mode="workspace-write"',
        '--',
        'sh',
        '-c',
        'echo wo > "$1" && echo WO-INSIDE; echo wo > "$2" 2>/dev/null && echo WO-OUTSIDE; exit 0',
        'sh',
        join(workspace, 'probe'),
        outside,
      ],
      { cwd: workspace, env, reject: false, timeoutMs: 30_000 },
    );
    const wrote = r.stdout.includes('WO-OUTSIDE');
    if (!r.stdout.includes('WO-INSIDE') && !wrote) {
      const said = stripControl(`${r.stderr}\n${r.stdout}`)
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('WARNING'))
        .slice(0, 2)
        .join(' / ')
        .slice(0, 300);
      return {
        level: 'warn',
        text: `${label}: could not be checked (\`codex sandbox\` ${r.timedOut ? 'timed out' : `exited ${r.exitCode}`}${said ? `: ${said}` : ''}); its workers may write outside their worktrees. Check that codex ${registry.named('codex')?.install?.proven ?? ''} runs its sandbox here (Linux: bubblewrap or Landlock; macOS: Seatbelt)`,
      };
    }
    if (wrote)
      return {
        level: 'warn',
        text: `${label}: does NOT confine writes on this machine: a command in it wrote ${outside}. Its workers can write anywhere you can; run them in a container or VM, or use another agent`,
      };
    return tmp
      ? {
          level: 'warn',
          text: `${label}: confines writes to the worktree and the git folders of its branch, but codex leaves ${tmp} writable, and this repository is under it: its workers can write anywhere in it (its .git included). Move the repository out of ${tmp}`,
        }
      : {
          level: 'ok',
          text: `${label}: confines writes (a write to ${probeDir} was refused); /tmp and $TMPDIR stay writable to it, as codex allows by default`,
        };
  } finally {
    // Best effort: the probe files are wo's own, and doctor's answer does not depend on removing them.
    await Promise.all([rm(workspace, { recursive: true, force: true }), rm(outside, { force: true })]).catch(
      () => undefined,
    );
  }
}
