// Preflight (SPEC §1): before any worker starts, every agent the selected workers use is checked —
// its program is on PATH, it can reach its model (logged in, or its key is set), its version is one
// its preset was proven with (a warning otherwise), and any check its adapter adds (interactive Claude
// Code: the checkout is one it trusts). What to ask and how to read the answers is the adapter's
// (src/agents/). A failure is exit 3 with the fix; nothing has been created yet.
import { basename } from 'node:path';
import type { Runner } from '../process/run.js';
import { EnvError } from '../errors.js';
import type { AgentDef } from '../plan/types.js';
import { registry as knownAgents, type Registry } from '../agents/index.js';
import { parseVersion } from '../agents/versions.js';
import { which } from './requirements.js';

export interface AgentCheck {
  agent: string;
  /** The agent it follows (a name of the registry). */
  adapter?: string;
  program: string;
  path?: string;
  version?: string;
  /** What stops it (exit 3), with the fix. */
  problem?: string;
  /** Worth saying, not stopping (a version other than the proven one). */
  warning?: string;
  /** It was proven to reach its model (logged in, or its key is set). */
  reachable?: boolean;
  /** How it reaches its model, in words, as the program said (never the secret itself). */
  login?: string;
}

export interface PreflightInput {
  runner: Runner;
  env: NodeJS.ProcessEnv;
  cwd: string;
  repoRoot: string;
  /** The agents the selected workers use, by name. */
  agents: Record<string, AgentDef>;
  /**
   * The folder the worktrees go in. When Claude Code is another version than the proven one (which
   * trusts a linked worktree when it trusts the main checkout), this folder is trusted for it.
   */
  worktreesDir?: string;
  /** Where wo says what it changed. */
  say?: (text: string) => void;
  /** The agents wo knows (tests add their own); the registry by default. */
  registry?: Registry;
}

const ASK_MS = 20000;

/** Checks one agent: PATH, then what its adapter asks: version, login, and any check of its own. */
export async function checkAgent(
  name: string,
  def: { command: readonly string[]; adapter?: string },
  o: PreflightInput,
): Promise<AgentCheck> {
  const agent = (o.registry ?? knownAgents).adapterOf(name, def);
  const program = def.command[0] ?? '';
  const install = agent?.install;
  const check: AgentCheck = { agent: name, adapter: agent?.name, program };
  check.path = program ? await which(program, o.env, o.cwd) : undefined;
  if (!check.path) {
    check.problem = `agent ${name}: '${program}' is not on PATH; ${install ? `install it: ${install.command}` : `install it or fix agents.${name}.command`}`;
    return check;
  }
  if (!agent?.program) return check;
  // The adapter's own program is asked (a custom agent may start it through a wrapper).
  const own = agent.program.name;
  const asked = basename(program) === own ? check.path : await which(own, o.env, o.cwd);
  if (!asked) {
    check.warning = `agent ${name}: follows the ${agent.name} adapter, but '${own}' is not on PATH to check its version and login`;
    return check;
  }
  const ask = (args: string[]) =>
    o.runner.run(asked, args, { cwd: o.cwd, env: o.env, reject: false, timeoutMs: ASK_MS, input: '' });
  const login = agent.program.login;
  const [version, answer] = await Promise.all([ask(['--version']), ask(login.args)]);
  check.version = parseVersion(version.stdout);
  if (install?.proven !== undefined && check.version !== install.proven)
    check.warning = `agent ${name}: ${own} ${check.version ?? '(version unknown)'} is not the version wo's ${agent.name} preset was proven with (${install.proven}); it may work differently`;
  const said = login.read(answer);
  const key = !said.loggedIn ? await login.keyInEnv?.(o.env) : undefined;
  check.reachable = answer.exitCode === 0 || key !== undefined;
  const how = key !== undefined ? `an API key (${key})` : said.how;
  if (check.reachable && how) check.login = how;
  if (!check.reachable) {
    // The program's own configuration may name the key it reads (a Codex provider's env_key).
    const hint = (await login.hintFor?.(o.env).catch(() => undefined)) ?? login.hint;
    check.problem = `agent ${name}: ${own} is not logged in; ${hint}`;
  } else {
    const extra = await agent.extraCheck?.({
      agent: name,
      repoRoot: o.repoRoot,
      worktreesDir: o.worktreesDir,
      env: o.env,
      version: check.version,
      say: o.say,
    });
    if (extra) check.problem = extra;
  }
  return check;
}

/** Checks every agent the workers use; throws EnvError (exit 3) naming each problem and its fix. */
export async function preflight(o: PreflightInput, warn: (text: string) => void): Promise<AgentCheck[]> {
  const checks = await Promise.all(Object.entries(o.agents).map(([name, def]) => checkAgent(name, def, o)));
  for (const c of checks) if (c.warning) warn(`warning: ${c.warning}\n`);
  const problems = checks.filter((c) => c.problem).map((c) => c.problem!);
  if (problems.length)
    throw new EnvError(
      `${problems.join('\n')}\nNothing was created. Fix the above, then run wo run again (wo doctor checks it).`,
    );
  return checks;
}
