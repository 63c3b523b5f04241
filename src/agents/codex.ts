// The Codex CLI agent (SPEC §1): `codex exec` in its workspace-write sandbox, made able to commit
// to the worker's branch; its live state and outcome from its --json events; its last message
// (-o) becomes the result when it wrote none.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { Agent, AgentEvent, AgentResult, LaunchAdditions, RehearsalLaunch, WorkerGit } from './types.js';
import { agentPaths, jsonLines, num, rec, str } from './files.js';
import { codexLogin, codexLoginHint } from './login.js';
import { resetFromWords } from './reset.js';

/**
 * Codex's words for its provider's limit (0.171: "exceeded retry limit, last status: 429 Too Many
 * Requests"; a plan's "You’ve hit your usage limit. … try again at 9:48 AM.").
 */
const CODEX_LIMIT_WORDS = /\b429\b|usage limit|rate limit/i;

export const codex: Agent<'codex'> = {
  name: 'codex',
  // Non-interactive in its workspace-write sandbox (it never asks in exec mode), its events as JSON
  // lines; wo opens the git folders a commit on its branch needs.
  preset: {
    command: ['codex', 'exec', '--json', '--sandbox', 'workspace-write', '--skip-git-repo-check', '{prompt}'],
    exitsWhenDone: true,
  },
  parsesOptions: true,
  sandboxed: true,
  modelArgs: (model) => ['-m', model],
  async launch(w) {
    const paths = agentPaths(w.stateDir);
    return {
      args: await codexArgs(w.git, paths.lastMessage, w.planned !== true),
      env: {},
      captureStdout: paths.events,
    };
  },
  rehearse: codexRehearsal,
  read: (o) => codexStream(o.events, o.lastMessage, o.eventsAt),
  printsResultOnExit: true,
  limitWords: CODEX_LIMIT_WORDS,
  program: {
    name: 'codex',
    login: {
      args: ['login', 'status'],
      read: (a) => codexLogin(`${a.stdout}\n${a.stderr}`, a.exitCode),
      keyInEnv: codexKeySet,
      hint: 'run `codex login`, or set the API key variable its provider names (OPENAI_API_KEY by default)',
      hintFor: async (env) => codexLoginHint(await codexConfig(env)),
    },
  },
  install: {
    title: 'the Codex CLI',
    npm: '@openai/codex',
    proven: '0.171.0',
    command: 'npm install -g @openai/codex@0.171.0',
  },
};

/** The key a rehearsal gives Codex for the scripted model: made up, and all the model server wants. */
export const REHEARSAL_OPENAI_KEY = 'sk-wo-rehearsal-not-a-real-key';

/**
 * A Codex config.toml whose one provider is a scripted model server at `modelUrl` (Codex 0.171's
 * custom providers speak the Responses API). No retries: a limit ends the attempt, and wo waits it
 * out. The rehearsal and the tests' agent homes both write it.
 */
export function scriptedProviderConfig(name: string, modelUrl: string): string {
  return [
    'model = "gpt-test"',
    `model_provider = ${tomlString(name)}`,
    '',
    `[model_providers.${name}]`,
    `name = ${tomlString(name)}`,
    `base_url = ${tomlString(`${modelUrl}/v1`)}`,
    'env_key = "OPENAI_API_KEY"',
    'wire_api = "responses"',
    'request_max_retries = 0',
    'stream_max_retries = 0',
    '',
  ].join('\n');
}

/**
 * A rehearsal (SPEC §12): Codex with a CODEX_HOME of this worker's own under the run's rehearsal
 * folder, whose one provider is this worker's script on the model server (Codex 0.171's custom
 * providers speak the Responses API). No retries: a limit ends the attempt, and wo waits it out.
 */
export async function codexRehearsal(r: RehearsalLaunch): Promise<LaunchAdditions> {
  const home = join(r.home, 'codex', r.feature);
  await mkdir(home, { recursive: true, mode: 0o700 });
  await writeFile(join(home, 'config.toml'), scriptedProviderConfig('wo-rehearsal', r.modelUrl), {
    mode: 0o600,
  });
  return { args: [], env: { CODEX_HOME: home, OPENAI_API_KEY: REHEARSAL_OPENAI_KEY } };
}

/** Codex's config.toml ($CODEX_HOME, else ~/.codex); none (or none readable): empty, Codex's defaults. */
async function codexConfig(env: NodeJS.ProcessEnv): Promise<string> {
  const home = env.CODEX_HOME || join(env.HOME ?? '', '.codex');
  // No config.toml (or none readable): Codex runs on its defaults, and so does what wo reads of it.
  return readFile(join(home, 'config.toml'), 'utf8').catch(() => '');
}

/** The key variable a codex provider names (env_key in its config.toml), or OPENAI_API_KEY, that is set. */
async function codexKeySet(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const config = await codexConfig(env);
  const names = [
    'OPENAI_API_KEY',
    'CODEX_API_KEY',
    ...[...config.matchAll(/^\s*env_key\s*=\s*"([^"]+)"/gm)].map((m) => m[1]!),
  ];
  return names.find((n) => Boolean(env[n]));
}

/**
 * The folders a commit on the worker's branch writes, outside the worktree, from wo's knowledge of the
 * repository (never the worktree's `.git` file or `commondir`, which the worker can rewrite): the
 * worktree's admin folder (index, HEAD and its reflog), the objects, and the one folder of refs and of
 * reflogs that holds its branch. Git writes a ref by renaming a lock file beside it, so a file cannot
 * be opened alone: branches in the same folder (`wo/*`) are checked after the worker instead (no other
 * branch may move). The repository's config and hooks are never opened.
 */
export function commitRoots(git: WorkerGit | undefined): string[] {
  if (!git) return []; // not a linked worktree wo knows: nothing outside it is opened
  const slash = git.branch.lastIndexOf('/');
  const folder = slash < 0 ? [] : [git.branch.slice(0, slash)];
  const heads = join(git.common, 'refs', 'heads');
  const refs = join(heads, ...folder);
  // A branch name git accepted never climbs out (no `..`): this only guards a name that did.
  if (refs !== heads && !refs.startsWith(`${heads}${sep}`)) return [git.admin, join(git.common, 'objects')];
  return [git.admin, join(git.common, 'objects'), refs, join(git.common, 'logs', 'refs', 'heads', ...folder)];
}

/** A TOML basic string: JSON's escaping is a subset TOML accepts for these characters. */
const tomlString = (s: string): string => JSON.stringify(s);

/**
 * The arguments wo adds to a codex command for one worker. The roots are made first: a root that does
 * not exist is not opened (a branch whose ref is packed has no loose folder yet); a dry run makes none.
 */
export async function codexArgs(
  git: WorkerGit | undefined,
  lastMessageFile: string,
  make = true,
): Promise<string[]> {
  const roots = commitRoots(git);
  // Best effort: a root that cannot be made stays closed, and a commit there fails in codex's own words.
  if (make) await Promise.all(roots.map((r) => mkdir(r, { recursive: true }).catch(() => undefined)));
  return [
    '-c',
    `sandbox_workspace_write.writable_roots=[${roots.map(tomlString).join(',')}]`,
    '--output-last-message',
    lastMessageFile,
  ];
}

/** The outcome and live events of `codex exec --json`. */
export function codexStream(
  text: string | undefined,
  lastMessage: string | undefined,
  at: number,
): { result?: AgentResult; events: AgentEvent[] } {
  const events: AgentEvent[] = [];
  let input = 0;
  let output = 0;
  let cached = 0;
  let turns = 0;
  let error: string | undefined;
  let failed = false;
  let said: string | undefined;
  for (const e of jsonLines(text)) {
    const type = str(e.type);
    if (type === 'turn.started' || type === 'item.started') events.push({ at, state: 'working' });
    if (type === 'turn.completed') {
      const u = rec(e.usage);
      // Codex's input_tokens hold its cached ones already: what wo counts (see anthropicTokens).
      input += num(u.input_tokens) ?? 0;
      output += num(u.output_tokens) ?? 0;
      cached += num(u.cached_input_tokens) ?? 0;
      turns++;
    } else if (type === 'turn.failed') {
      failed = true;
      error = str(rec(e.error).message) ?? error;
    } else if (type === 'error') {
      error = str(e.message) ?? error;
      // A rate limit: rate-limited, with the reset it names.
      if (error && CODEX_LIMIT_WORDS.test(error)) {
        const resetsAt = resetFromWords(error, at);
        events.push({ at, state: 'rate-limited', message: error, ...(resetsAt && { resetsAt }) });
      }
    } else if (type === 'item.completed') {
      const item = rec(e.item);
      if (item.type === 'agent_message') said = str(item.text) ?? said;
    }
  }
  if (!turns && !failed && !said && !lastMessage?.trim()) return { events };
  return {
    events,
    result: {
      isError: failed,
      message: failed ? error : said,
      lastMessage: lastMessage?.trim() || said,
      usage: { input_tokens: input, output_tokens: output, cache_read_tokens: cached, cost_usd: null },
    },
  };
}
