// The Claude Code adapters (SPEC §1): `claude` (interactive) and `claude-print` (headless, -p).
// Live state comes from hooks that wo passes for this session only (--settings: added to the user's
// own settings, which stay untouched); each hook appends its JSON input, with the time, to a file in
// wo's state folder. The headless outcome is its final `result` event, not the exit code alone.
import type { AgentEvent, AgentResult, Usage } from './types.js';
import { epochToIso, resetFromWords } from './reset.js';
import { jsonLines, num, rec, str } from './files.js';

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
      events.push({
        at,
        state: limited ? 'rate-limited' : 'working',
        ...(limited && {
          message: `the API said 429 (rate limit); retry ${num(e.attempt) ?? '?'}${num(e.max_retries) !== null ? ` of ${num(e.max_retries)}` : ''}${when}`,
        }),
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
      events.push({ at, state: 'working' });
    } else if (e.type === 'result') {
      const subtype = str(e.subtype) ?? '';
      const isError = e.is_error === true || subtype.startsWith('error');
      const errors = Array.isArray(e.errors) ? e.errors.filter((x) => typeof x === 'string').join('; ') : '';
      const usage = rec(e.usage);
      result = {
        isError,
        message: str(e.result) || errors || (isError ? subtype : undefined),
        usage: {
          input_tokens: num(usage.input_tokens),
          output_tokens: num(usage.output_tokens),
          cache_read_tokens: num(usage.cache_read_input_tokens),
          cost_usd: num(e.total_cost_usd),
        },
      };
    }
  }
  return { result, events };
}

/** The session transcript Claude Code's hooks name (`transcript_path`), from the last hook that does. */
export function transcriptPath(hooks: string | undefined): string | undefined {
  let path: string | undefined;
  for (const line of jsonLines(hooks)) path = str(rec(line.hook).transcript_path) ?? path;
  return path;
}

/**
 * Tokens an interactive session used, from its transcript: the usage of each assistant message
 * (an answer split over several lines carries its usage once per message id). Claude Code writes no
 * cost there: `cost_usd` stays null.
 */
export function transcriptUsage(text: string | undefined): Usage | undefined {
  const seen = new Map<string, Record<string, unknown>>();
  let n = 0;
  for (const line of jsonLines(text)) {
    if (line.type !== 'assistant') continue;
    const m = rec(line.message);
    const usage = rec(m.usage);
    if (Object.keys(usage).length === 0) continue;
    seen.set(str(m.id) ?? `#${n++}`, usage);
  }
  if (seen.size === 0) return undefined;
  const sum = (k: string) => [...seen.values()].reduce((a, u) => a + (num(u[k]) ?? 0), 0);
  return {
    input_tokens: sum('input_tokens'),
    output_tokens: sum('output_tokens'),
    cache_read_tokens: sum('cache_read_input_tokens'),
    cost_usd: null,
  };
}
