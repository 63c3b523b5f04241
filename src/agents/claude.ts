// The Claude Code agents (SPEC §1): `claude` (interactive) here, `claude-print` (headless, -p) in
// claude-print.ts, which shares this file's helpers. Live state comes from hooks that wo passes for
// this session only (--settings: added to the user's own settings, which stay untouched); each hook
// appends its JSON input, with the time, to a file in wo's state folder. The headless outcome is its
// final `result` event, not the exit code alone.
import { chmod, link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../fsutil.js';
import type {
  Agent,
  AgentEvent,
  AgentResult,
  ExtraCheckInput,
  InstallFacts,
  LaunchAdditions,
  LoginCheck,
  RehearsalLaunch,
  Usage,
  WorkerLaunch,
} from './types.js';
import { epochToIso, resetFromWords } from './reset.js';
import { agentPaths, jsonLines, num, rec, reportedUsage, str } from './files.js';
import { claudeLogin } from './login.js';

/**
 * What Claude Code may do without asking (both presets): read and edit in its worktree, commit, and
 * write the protocol files. The adapter adds the plan's setup and verify commands, as written.
 */
export const CLAUDE_TOOLS = [
  'Read',
  'Edit',
  'Write',
  'Glob',
  'Grep',
  'Bash(git add:*)',
  'Bash(git commit:*)',
  'Bash(git status:*)',
  'Bash(git diff:*)',
  'Bash(git log:*)',
  'Bash(echo done > .worker-status)',
  'Bash(echo failed > .worker-status)',
];

/** Claude Code's package, at the version test/agents/ proves both presets with. */
export const CLAUDE_INSTALL = {
  title: 'Claude Code',
  npm: '@anthropic-ai/claude-code',
  proven: '2.1.197',
  command: 'npm install -g @anthropic-ai/claude-code@2.1.197',
} satisfies InstallFacts;

/** `claude auth status`: JSON, exit 1 when logged out. */
export const CLAUDE_PROGRAM: { name: string; login: LoginCheck } = {
  name: 'claude',
  login: {
    args: ['auth', 'status'],
    read: (a) => claudeLogin(a.stdout, a.exitCode),
    hint: 'run `claude auth login` (or `claude`, then /login), or set ANTHROPIC_API_KEY',
  },
};

/** Claude Code's words for its provider's limit (its API errors name the 429). */
export const CLAUDE_LIMIT_WORDS = /\b429\b|rate[ _-]?limit|too many requests/i;

/**
 * What wo adds to a Claude Code command for one worker: the plan's own commands (setup, verify) as
 * allowed tools, as they are written; wo's hooks for this session; in print mode, the cost cap and
 * the copy of its event stream.
 */
export function claudeAdditions(w: WorkerLaunch, print: boolean): Promise<LaunchAdditions> {
  const paths = agentPaths(w.stateDir);
  const own = [...(w.setup ?? []), ...(w.verify ? [w.verify] : [])].map((c) => `Bash(${c})`);
  // Claude Code stops a print-mode turn once it has spent this much (`--max-budget-usd`, 2.1.197:
  // "only works with --print"); the interactive program has no such cap.
  const budget = print && w.maxCostUsd !== undefined ? ['--max-budget-usd', String(w.maxCostUsd)] : [];
  // Interactive Claude Code says its own retry of a rate limit only in its debug log (claudeSelfRetry).
  const debug = print ? [] : ['--debug-file', paths.debugLog];
  return Promise.resolve({
    args: [
      ...(own.length ? ['--allowedTools', ...own] : []),
      '--settings',
      hookSettings(),
      ...budget,
      ...debug,
    ],
    env: { WO_HOOK_FILE: paths.hooks },
    ...(print && { captureStdout: paths.events }),
  });
}

/** The login a rehearsal gives Claude Code: a made-up subscription token the scripted model accepts. */
export const REHEARSAL_CLAUDE_TOKEN = 'sk-ant-oat01-wo-rehearsal-not-a-real-token';

/**
 * A rehearsal (SPEC §12): Claude Code in a home of its own under the run's rehearsal folder
 * (onboarding done, the checkout and its worktrees trusted), logged in with a made-up token, talking
 * to this worker's script on the model server. A token (a subscription's login) makes it say a
 * limit's reset and end its turn on it, as wo's rate-limit handling expects; no retries of its own.
 */
export async function claudeRehearsal(r: RehearsalLaunch): Promise<LaunchAdditions> {
  const home = join(r.home, 'claude');
  await mkdir(home, { recursive: true, mode: 0o700 });
  rehearsalDataDirs.add(join(home, '.claude'));
  const config = {
    hasCompletedOnboarding: true,
    projects: Object.fromEntries(
      [r.repoRoot, r.worktreesDir].map((d) => [d, { hasTrustDialogAccepted: true, allowedTools: [] }]),
    ),
  };
  // Created once, whole, for every worker of the run (link fails when it is there): Claude Code
  // rewrites it while it runs, and a later worker must neither undo that nor see half a file.
  const file = join(home, '.claude.json');
  const draft = `${file}.${r.feature}.${process.pid}`;
  await writeFile(draft, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await link(draft, file).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
  await rm(draft, { force: true });
  return {
    args: [],
    env: {
      HOME: home,
      ANTHROPIC_BASE_URL: r.modelUrl,
      CLAUDE_CODE_OAUTH_TOKEN: REHEARSAL_CLAUDE_TOKEN,
      CLAUDE_CODE_MAX_RETRIES: '0',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    },
  };
}

/**
 * What an interactive agent is told once its rate limit has reset (typed at its prompt, as a person
 * would): its turn ended on the limit, and this starts the next one.
 */
export const CONTINUE_TEXT = 'continue';

/** Claude Code, interactive: the prompt as its first message; finishes by writing the status file. */
export const claude: Agent<'claude'> = {
  name: 'claude',
  // Anything beyond its allowed tools is a permission prompt: the worker turns `waiting`.
  preset: {
    command: ['claude', '{prompt}', '--permission-mode', 'acceptEdits', '--allowedTools', ...CLAUDE_TOOLS],
    exitsWhenDone: false,
  },
  parsesOptions: true,
  modelArgs: (model) => ['--model', model],
  launch: (w) => claudeAdditions(w, false),
  rehearse: claudeRehearsal,
  // No event stream: its hooks, and a turn that stops leaves it idle at its prompt; its own retry of
  // a rate limit from its debug log.
  read: (o) => {
    const events = hookEvents(o.hooks, true);
    const retry = claudeSelfRetry(
      o.debugLog,
      events.reduce((t, e) => Math.max(t, e.at), 0),
    );
    return { events: retry ? [...events, retry] : events };
  },
  printsResultOnExit: false,
  limitWords: CLAUDE_LIMIT_WORDS,
  // A subscription's limit leaves Claude Code 2.1.197 in its /rate-limit-options menu ("1. Stop and
  // wait for limit to reset", selected): Enter takes that (at an empty prompt it does nothing). Then
  // the text, typed as text (-l: no key names, nothing interpreted), and Enter on its own, as a
  // person would; each after a moment for the screen to take the last.
  resume: { keys: [['Enter'], ['-l', CONTINUE_TEXT], ['Enter']], pauseMs: 300 },
  program: CLAUDE_PROGRAM,
  extraCheck: async (o) => (await keyCheck(o)) ?? trustCheck(o),
  install: CLAUDE_INSTALL,
};

/**
 * The hook command: appends the hook's JSON (one line) with the time in ms to $WO_HOOK_FILE. Reads
 * nothing else. `date +%s%3N` is GNU's; BSD's date (macOS) prints no milliseconds, and whole
 * seconds stand in there.
 */
export const HOOK_COMMAND = `{ t=$(date +%s%3N); case $t in *[!0-9]*) t=$(date +%s)000 ;; esac; printf '{"wo_at":%s,"hook":' "$t"; tr -d '\\n'; printf '}\\n'; } >> "$WO_HOOK_FILE"`;

const HOOKED = [
  'UserPromptSubmit',
  'PreToolUse',
  'PostToolUse',
  'PermissionRequest',
  'Notification',
  'Stop',
  'StopFailure',
] as const;

/** The --settings JSON that adds wo's hooks for one session. */
export function hookSettings(): string {
  const entry = [{ matcher: '*', hooks: [{ type: 'command', command: HOOK_COMMAND }] }];
  return JSON.stringify({ hooks: Object.fromEntries(HOOKED.map((h) => [h, entry])) });
}

/**
 * What Claude Code's hooks say, as live events: acting is `working`; a permission prompt, an idle
 * prompt or (interactive) a turn that ended without the status file is `waiting`, with its message;
 * a StopFailure for a rate limit is `rate-limited`.
 */
export function hookEvents(text: string | undefined, interactive: boolean): AgentEvent[] {
  const out: AgentEvent[] = [];
  for (const line of jsonLines(text)) {
    const at = num(line.wo_at) ?? 0;
    const h = rec(line.hook);
    const name = str(h.hook_event_name);
    switch (name) {
      case 'UserPromptSubmit':
      case 'PreToolUse':
      case 'PostToolUse':
        out.push({ at, state: 'working' });
        break;
      case 'PermissionRequest': {
        const tool = str(h.tool_name);
        const input = rec(h.tool_input);
        // A question to the person comes as the tool AskUserQuestion: its words are the question.
        const questions = Array.isArray(input.questions) ? (input.questions as unknown[]) : [];
        const asked = questions.map((q) => str(rec(q).question)).filter((q): q is string => Boolean(q));
        if (tool === 'AskUserQuestion' && asked.length) {
          out.push({ at, state: 'waiting', message: `asks: ${asked.join(' · ')}` });
          break;
        }
        const what = str(input.command) ?? str(input.file_path);
        out.push({
          at,
          state: 'waiting',
          message: `asks permission to use ${tool ?? 'a tool'}${what ? `: ${what}` : ''}`,
        });
        break;
      }
      case 'Notification': {
        const type = str(h.notification_type);
        if (type === 'permission_prompt' || type === 'idle_prompt' || type === undefined)
          out.push({ at, state: 'waiting', message: str(h.message) ?? 'waits for input' });
        break;
      }
      case 'Stop':
        if (interactive)
          out.push({ at, state: 'waiting', message: 'its turn ended without writing .worker-status' });
        break;
      case 'StopFailure': {
        // The turn ended on an API error: a rate limit, or another error it now sits idle after.
        // 2.1.197 says `error` and the turn's last words (`last_assistant_message`), which for a
        // subscription's limit hold its reset: "You've hit your session limit · resets 5:48pm (UTC)".
        const type = str(h.error_type) ?? str(h.error);
        const words = str(h.message) ?? str(h.error_message) ?? str(h.last_assistant_message);
        if (type === 'rate_limit') {
          const resetsAt = resetFromWords(words, at);
          out.push({
            at,
            state: 'rate-limited',
            message: words ?? 'rate limit',
            ...(resetsAt && { resetsAt }),
          });
        } else if (interactive)
          out.push({
            at,
            state: 'waiting',
            message: `stopped on an API error${type ? ` (${type})` : ''}${words ? `: ${words}` : ''}`,
          });
        break;
      }
    }
  }
  return out;
}

/** A failed API request in Claude Code's debug log (2.1.197): `<ISO time> [ERROR] API error (attempt 1/4): 429 …`. */
const DEBUG_API_ERROR = /^(\S+) .*?API error \(attempt (\d+)\/(\d+)\): (\d{3})\b/;
/** A request it sends (its retry among them): `<ISO time> [API REQUEST] /v1/messages source=…`. */
const DEBUG_API_REQUEST = '[API REQUEST]';

/** The last line of `text` that holds `mark`, and where it starts; undefined when none does. */
function lastLineWith(text: string, mark: string): { line: string; start: number } | undefined {
  const i = text.lastIndexOf(mark);
  if (i < 0) return undefined;
  const start = text.lastIndexOf('\n', i) + 1;
  const end = text.indexOf('\n', i);
  return { line: text.slice(start, end < 0 ? undefined : end), start };
}

/**
 * Interactive Claude Code retrying a rate limit by itself, from its debug log (--debug-file): it says
 * that nowhere else (no hook, no transcript line). The last failed request was a 429, and nothing
 * came after it: no request (its retry) and no hook later than `after` (ms). The log names no retry
 * time, so none is said. A failed request of another status (a 5xx) is not a limit.
 */
export function claudeSelfRetry(text: string | undefined, after: number): AgentEvent | undefined {
  if (!text) return undefined;
  // Only the last lines matter: looked for from the end, the whole tail is never split.
  const error = lastLineWith(text, 'API error (attempt ');
  const m = error && DEBUG_API_ERROR.exec(error.line);
  if (!error || !m || m[4] !== '429') return undefined;
  const at = Date.parse(m[1]!);
  if (!Number.isFinite(at) || at <= after) return undefined;
  const request = lastLineWith(text, DEBUG_API_REQUEST);
  if (request && request.start > error.start) return undefined;
  const attempt = Number(m[2]);
  const retries = Number(m[3]) - 1;
  // Its last attempt failed: it does not retry, and its turn ends on the error (a StopFailure hook).
  if (attempt > retries) return undefined;
  return {
    at,
    state: 'rate-limited',
    message: `the API said 429 (rate limit); Claude Code retries it by itself (retry ${attempt} of ${retries})`,
    retriesItself: true,
  };
}

/** The outcome of `claude -p --output-format stream-json`: its last `result` event; retries as live events. */
export function claudeStream(
  text: string | undefined,
  at: number,
): { result?: AgentResult; events: AgentEvent[] } {
  let result: AgentResult | undefined;
  const events: AgentEvent[] = [];
  for (const e of jsonLines(text)) {
    if (e.type === 'system' && e.subtype === 'api_retry') {
      const status = num(e.error_status) ?? num(rec(e.error).status);
      const limited = status === 429 || str(e.error) === 'rate_limit';
      const delay = num(e.retry_delay_ms);
      const when = delay !== null ? ` in ${Math.max(1, Math.round(delay / 1000))}s` : '';
      // Its retry is when the limit lets it go on: the reset time wo holds the agent's other workers to.
      const resetsAt = limited && delay !== null && delay >= 0 ? epochToIso(at + delay) : undefined;
      events.push({
        at,
        state: limited ? 'rate-limited' : 'working',
        ...(limited && {
          message: `the API said 429 (rate limit); retry ${num(e.attempt) ?? '?'}${num(e.max_retries) !== null ? ` of ${num(e.max_retries)}` : ''}${when}`,
        }),
        ...(resetsAt && { resetsAt }),
      });
    } else if (e.type === 'rate_limit_event') {
      // A subscription's limit (Claude Code reads its `anthropic-ratelimit-unified-*` headers):
      // `rejected` is hit, with when it resets; `allowed`/`allowed_warning` are information only.
      const info = rec(e.rate_limit_info);
      if (str(info.status) === 'rejected') {
        const resetsAt = epochToIso(info.resetsAt);
        const kind = str(info.rateLimitType)?.replace(/_/g, '-');
        events.push({
          at,
          state: 'rate-limited',
          message: `${kind ? `the ${kind} ` : 'the '}usage limit is reached${resetsAt ? `; it resets at ${resetsAt}` : ''}`,
          ...(resetsAt && { resetsAt }),
        });
      }
    } else if (e.type === 'assistant') {
      // Claude Code's own words shown as an answer (model `<synthetic>`: "You've hit your session
      // limit …" after a rate_limit_event) are not the model at work: the limit stays the last state.
      if (str(rec(e.message).model) !== '<synthetic>') events.push({ at, state: 'working' });
    } else if (e.type === 'result') {
      const subtype = str(e.subtype) ?? '';
      const isError = e.is_error === true || subtype.startsWith('error');
      const errors = Array.isArray(e.errors) ? e.errors.filter((x) => typeof x === 'string').join('; ') : '';
      result = {
        isError,
        message: str(e.result) || errors || (isError ? subtype : undefined),
        usage: { ...anthropicTokens(rec(e.usage)), cost_usd: num(e.total_cost_usd) },
      };
    }
  }
  return { result, events };
}

/** The data folders of the rehearsals' Claude Code homes in this process (claudeRehearsal). */
const rehearsalDataDirs = new Set<string>();

/**
 * Where Claude Code keeps its data, transcripts included: $CLAUDE_CONFIG_DIR, ~/.claude, and the
 * homes wo gave it in a rehearsal. A transcript a hook names is read only inside these (SPEC §9).
 */
export function claudeDataDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  return [
    ...(env.CLAUDE_CONFIG_DIR ? [env.CLAUDE_CONFIG_DIR] : []),
    ...(env.HOME ? [join(env.HOME, '.claude')] : []),
    ...rehearsalDataDirs,
  ];
}

/** The session transcript Claude Code's hooks name (`transcript_path`), from the last hook that does. */
export function transcriptPath(hooks: string | undefined): string | undefined {
  let path: string | undefined;
  for (const line of jsonLines(hooks)) path = str(rec(line.hook).transcript_path) ?? path;
  return path;
}

/** The last words of the turn that ended last: its Stop hook's `last_assistant_message`. */
export function lastTurnWords(hooks: string | undefined): string | undefined {
  let words: string | undefined;
  for (const line of jsonLines(hooks)) {
    const h = rec(line.hook);
    if (str(h.hook_event_name) === 'Stop') words = str(h.last_assistant_message);
  }
  return words?.trim() || undefined;
}

/**
 * Whether the transcript holds an answer with these words. Claude Code 2.1.197 may write a turn's
 * last answer to its transcript after the turn's Stop hook: until it does, that request is missing.
 */
export function transcriptHas(text: string | undefined, words: string): boolean {
  for (const line of jsonLines(text)) {
    if (line.type !== 'assistant') continue;
    const content = rec(line.message).content;
    if (!Array.isArray(content)) continue;
    if (content.some((c) => str(rec(c).text)?.trim() === words)) return true;
  }
  return false;
}

/**
 * Tokens an interactive session used, from its transcript: the usage of each assistant message
 * (an answer split over several lines carries its usage once per message id). Claude Code writes no
 * cost there: `cost_usd` stays null.
 */
export function transcriptUsage(text: string | undefined): Usage | undefined {
  const count = new TranscriptUsage();
  for (const line of (text ?? '').split('\n')) count.line(line);
  return count.usage();
}

/** transcriptUsage line by line, for a transcript read whole as it grows (LineFollower). */
export class TranscriptUsage {
  private readonly seen = new Map<string, Record<string, unknown>>();
  private n = 0;

  line(text: string): void {
    // Only an answer's line carries usage: the others (tool results, often large) are not parsed.
    if (!text.includes('"assistant"')) return;
    const [line] = jsonLines(text);
    if (line?.type !== 'assistant') return;
    const m = rec(line.message);
    const usage = rec(m.usage);
    if (Object.keys(usage).length === 0) return;
    this.seen.set(str(m.id) ?? `#${this.n++}`, usage);
  }

  /** Forgets what was counted: the transcript is read again from its start. */
  reset(): void {
    this.seen.clear();
    this.n = 0;
  }

  usage(): Usage | undefined {
    if (this.seen.size === 0) return undefined;
    // A line's negative count adds nothing: it cannot take away what the others reported.
    const sum = (k: string) => [...this.seen.values()].reduce((a, u) => a + Math.max(0, num(u[k]) ?? 0), 0);
    return reportedUsage({
      ...anthropicTokens({
        input_tokens: sum('input_tokens'),
        output_tokens: sum('output_tokens'),
        cache_read_input_tokens: sum('cache_read_input_tokens'),
        cache_creation_input_tokens: sum('cache_creation_input_tokens'),
      }),
      cost_usd: null,
    });
  }
}

/**
 * Anthropic's usage as wo counts tokens (SPEC §5): `input_tokens` is every input token the model
 * read, cache reads and cache writes included, as Codex counts them; Anthropic's own `input_tokens`
 * leaves both out, and a run that added the two as they come would add unlike things.
 */
export function anthropicTokens(u: Record<string, unknown>): Omit<Usage, 'cost_usd'> {
  const input = num(u.input_tokens);
  const read = num(u.cache_read_input_tokens);
  return {
    input_tokens: input === null ? null : input + (read ?? 0) + (num(u.cache_creation_input_tokens) ?? 0),
    output_tokens: num(u.output_tokens),
    cache_read_tokens: read,
  };
}

/**
 * Interactive Claude Code stops every worker at its folder-trust dialog in a checkout it does not
 * trust. A version other than the proven one may not carry the checkout's trust over to its linked
 * worktrees: the worktrees folder is then trusted too, and wo says so.
 */
async function trustCheck(o: ExtraCheckInput): Promise<string | undefined> {
  if (!(await claudeTrusts(o.repoRoot, o.env)))
    return `agent ${o.agent}: Claude Code does not trust ${o.repoRoot}, and would stop every worker at its folder-trust dialog. Trust it once: run \`claude\` in ${o.repoRoot} and answer "Yes, I trust this folder" (wo never answers that dialog for you)`;
  if (o.worktreesDir && o.version !== CLAUDE_INSTALL.proven && !(await claudeTrusts(o.worktreesDir, o.env))) {
    const file = await extendTrust(o.worktreesDir, o.env);
    o.say?.(
      `wo: Claude Code ${o.version ?? '(version unknown)'} may not carry the trust of ${o.repoRoot} over to its worktrees: trusted ${o.worktreesDir} too (projects["${o.worktreesDir}"].hasTrustDialogAccepted in ${file}; nothing else changed)\n`,
    );
  }
  return undefined;
}

/**
 * Interactive Claude Code with ANTHROPIC_API_KEY set asks "Detected a custom API key … use this API
 * key?" and waits, unless that key was answered before: Claude Code keeps the last 20 characters of
 * each answered key in its configuration (customApiKeyResponses.approved / .rejected).
 */
export async function keyCheck(o: ExtraCheckInput): Promise<string | undefined> {
  const key = o.env.ANTHROPIC_API_KEY;
  if (!key) return undefined;
  let answered: unknown[] = [];
  try {
    const text = await readFile(claudeConfig(o.env), 'utf8');
    const r = rec(rec(JSON.parse(text) as unknown).customApiKeyResponses);
    answered = [r.approved, r.rejected].flatMap((l) => (Array.isArray(l) ? (l as unknown[]) : []));
  } catch {
    // no configuration (or not JSON): nothing was answered
  }
  if (answered.includes(key.slice(-20))) return undefined;
  return `agent ${o.agent}: Claude Code has not approved the ANTHROPIC_API_KEY set here, and would stop every worker at "Detected a custom API key … Do you want to use this API key?". Approve it once: run \`claude\` in a terminal with this ANTHROPIC_API_KEY set and answer "Yes" (wo never answers that dialog for you); or unset ANTHROPIC_API_KEY to use your Claude login`;
}

/**
 * Whether Claude Code trusts the checkout: `projects[<it or a parent>].hasTrustDialogAccepted` in
 * its configuration (~/.claude.json, or $CLAUDE_CONFIG_DIR/.claude.json). Claude Code 2.1.197
 * trusts a linked worktree when it trusts its main checkout, so the workers need nothing more.
 */
export async function claudeTrusts(repoRoot: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  // No configuration, or one wo cannot read: not trusted, and doctor says how to trust.
  const text = await readFile(claudeConfig(env), 'utf8').catch(() => undefined);
  if (text === undefined) return false;
  let projects: Record<string, { hasTrustDialogAccepted?: unknown }> = {};
  try {
    projects = (JSON.parse(text) as { projects?: typeof projects }).projects ?? {};
  } catch {
    // Not JSON (being written, or broken): not trusted; doctor says how to trust.
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
