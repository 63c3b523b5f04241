// Preflight (SPEC §1): before any worker starts, every agent the selected workers use is checked —
// its program is on PATH, it can reach its model (logged in, or its key is set), its version is one
// its preset was proven with (a warning otherwise) — and, for interactive Claude Code, the checkout
// is one it trusts. A failure is exit 3 with the fix; nothing has been created yet.
import { chmod, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Runner } from '../exec.js';
import { EnvError } from '../errors.js';
import { writeFileAtomic } from '../fsutil.js';
import type { AgentDef } from '../plan/types.js';
import { adapterOf, type AdapterName } from '../agents/index.js';
import { PROGRAMS, parseVersion } from '../agents/versions.js';
import { which } from './requirements.js';
import { claudeLogin, codexLogin } from '../agents/login.js';

export interface AgentCheck {
  agent: string;
  adapter?: AdapterName;
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
}

const ASK_MS = 20000;

/** Checks one agent: PATH, version, login, and (interactive Claude) trust of the checkout. */
export async function checkAgent(name: string, def: AgentDef, o: PreflightInput): Promise<AgentCheck> {
  const adapter = adapterOf(name, def);
  const program = def.command[0] ?? '';
  const facts = adapter ? PROGRAMS[adapter] : undefined;
  const check: AgentCheck = { agent: name, adapter, program };
  check.path = program ? await which(program, o.env, o.cwd) : undefined;
  if (!check.path) {
    check.problem = `agent ${name}: '${program}' is not on PATH; ${facts ? `install it: ${facts.install}` : `install it or fix agents.${name}.command`}`;
    return check;
  }
  if (adapter !== 'claude' && adapter !== 'claude-print' && adapter !== 'codex') return check;
  // The adapter's own program is asked (a custom agent may start it through a wrapper).
  const own = adapter === 'codex' ? 'codex' : 'claude';
  const asked = basename(program) === own ? check.path : await which(own, o.env, o.cwd);
  if (!asked) {
    check.warning = `agent ${name}: follows the ${adapter} adapter, but '${own}' is not on PATH to check its version and login`;
    return check;
  }
  const ask = (args: string[]) =>
    o.runner.run(asked, args, { cwd: o.cwd, env: o.env, reject: false, timeoutMs: ASK_MS, input: '' });
  const [version, login] = await Promise.all([
    ask(['--version']),
    adapter === 'codex' ? ask(['login', 'status']) : ask(['auth', 'status']),
  ]);
  check.version = parseVersion(version.stdout);
  if (facts && check.version !== facts.proven)
    check.warning = `agent ${name}: ${own} ${check.version ?? '(version unknown)'} is not the version wo's ${adapter} preset was proven with (${facts.proven}); it may work differently`;
  const said =
    adapter === 'codex'
      ? codexLogin(`${login.stdout}\n${login.stderr}`, login.exitCode)
      : claudeLogin(login.stdout, login.exitCode);
  const key = adapter === 'codex' && !said.loggedIn ? await codexKeySet(o.env) : undefined;
  check.reachable = login.exitCode === 0 || key !== undefined;
  const how = key !== undefined ? `an API key (${key})` : said.how;
  if (check.reachable && how) check.login = how;
  if (!check.reachable) check.problem = `agent ${name}: ${own} is not logged in; ${facts!.login}`;
  else if (adapter === 'claude') {
    const trusted = await claudeTrusts(o.repoRoot, o.env);
    if (!trusted)
      check.problem = `agent ${name}: Claude Code does not trust ${o.repoRoot}, and would stop every worker at its folder-trust dialog. Trust it once: run \`claude\` in ${o.repoRoot} and answer "Yes, I trust this folder" (wo never answers that dialog for you)`;
    else if (
      o.worktreesDir &&
      check.version !== facts?.proven &&
      !(await claudeTrusts(o.worktreesDir, o.env))
    ) {
      const file = await extendTrust(o.worktreesDir, o.env);
      o.say?.(
        `wo: Claude Code ${check.version ?? '(version unknown)'} may not carry the trust of ${o.repoRoot} over to its worktrees: trusted ${o.worktreesDir} too (projects["${o.worktreesDir}"].hasTrustDialogAccepted in ${file}; nothing else changed)\n`,
      );
    }
  }
  return check;
}

/** The key variable a codex provider names (env_key in its config.toml), or OPENAI_API_KEY, that is set. */
async function codexKeySet(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const home = env.CODEX_HOME || join(env.HOME ?? '', '.codex');
  const config = await readFile(join(home, 'config.toml'), 'utf8').catch(() => '');
  const names = [
    'OPENAI_API_KEY',
    'CODEX_API_KEY',
    ...[...config.matchAll(/^\s*env_key\s*=\s*"([^"]+)"/gm)].map((m) => m[1]!),
  ];
  return names.find((n) => Boolean(env[n]));
}

/**
 * Whether Claude Code trusts the checkout: `projects[<it or a parent>].hasTrustDialogAccepted` in
 * its configuration (~/.claude.json, or $CLAUDE_CONFIG_DIR/.claude.json). Claude Code 2.1.197
 * trusts a linked worktree when it trusts its main checkout, so the workers need nothing more.
 */
export async function claudeTrusts(repoRoot: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const text = await readFile(claudeConfig(env), 'utf8').catch(() => undefined);
  if (text === undefined) return false;
  let projects: Record<string, { hasTrustDialogAccepted?: unknown }> = {};
  try {
    projects = (JSON.parse(text) as { projects?: typeof projects }).projects ?? {};
  } catch {
    return false;
  }
  for (let d = repoRoot; ; d = dirname(d)) {
    if (projects[d]?.hasTrustDialogAccepted === true) return true;
    if (dirname(d) === d) return false;
  }
}

/** Claude Code's configuration file: ~/.claude.json, or $CLAUDE_CONFIG_DIR/.claude.json. */
const claudeConfig = (env: NodeJS.ProcessEnv): string =>
  join(env.CLAUDE_CONFIG_DIR || env.HOME || '', '.claude.json');

/**
 * Marks one folder trusted in Claude Code's configuration: sets projects[dir].hasTrustDialogAccepted
 * and keeps every other key as it was. Written whole (temporary file, then rename), with its mode.
 */
export async function extendTrust(dir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const file = claudeConfig(env);
  const [text, st] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
  const config = JSON.parse(text) as { projects?: Record<string, Record<string, unknown>> };
  config.projects ??= {};
  config.projects[dir] = { ...config.projects[dir], hasTrustDialogAccepted: true };
  await writeFileAtomic(file, `${JSON.stringify(config, null, 2)}\n`);
  await chmod(file, st.mode & 0o777);
  return file;
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
