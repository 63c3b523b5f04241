// The Codex CLI adapter (SPEC §1): `codex exec` in its workspace-write sandbox, made able to commit
// to the worker's branch; its live state and outcome from its --json events; its last message
// (-o) becomes the result when it wrote none.
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { AgentEvent, AgentResult } from './types.js';
import { jsonLines, num, rec, str } from './files.js';
import { resetFromWords } from './reset.js';

/**
 * The folders a commit on the worktree's branch writes, outside the worktree: the worktree's own git
 * folder (index, HEAD), and the repository's objects, refs and reflogs. Nothing else of `.git` (its
 * config, hooks) is opened. Codex keeps a workspace's `.git` read-only unless told otherwise.
 */
export async function commitRoots(worktree: string): Promise<string[]> {
  const pointer = await readFile(join(worktree, '.git'), 'utf8').catch(() => undefined);
  const m = /^gitdir:\s*(.+)$/m.exec(pointer ?? '');
  if (!m) return []; // not a linked worktree: nothing to open
  const gitDir = resolve(worktree, m[1]!.trim());
  const common = (await readFile(join(gitDir, 'commondir'), 'utf8').catch(() => '')).trim();
  const commonDir = common ? (isAbsolute(common) ? common : resolve(gitDir, common)) : gitDir;
  return [gitDir, join(commonDir, 'objects'), join(commonDir, 'refs'), join(commonDir, 'logs')];
}

/** A TOML basic string: JSON's escaping is a subset TOML accepts for these characters. */
const tomlString = (s: string): string => JSON.stringify(s);

/** The arguments wo adds to a codex command for one worker. */
export async function codexArgs(worktree: string, lastMessageFile: string): Promise<string[]> {
  const roots = await commitRoots(worktree);
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
      input += num(u.input_tokens) ?? 0;
      output += num(u.output_tokens) ?? 0;
      cached += num(u.cached_input_tokens) ?? 0;
      turns++;
    } else if (type === 'turn.failed') {
      failed = true;
      error = str(rec(e.error).message) ?? error;
    } else if (type === 'error') {
      error = str(e.message) ?? error;
      // A rate limit (0.171: "exceeded retry limit, last status: 429 Too Many Requests"; a plan's
      // "You’ve hit your usage limit. … try again at 9:48 AM."): rate-limited, with the reset it names.
      if (error && /\b429\b|usage limit|rate limit/i.test(error)) {
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
