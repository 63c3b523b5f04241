// What a person who attaches to a headless agent's session sees: its JSON event stream (claude -p
// stream-json, codex exec --json) as readable lines. The session wrapper pipes the stream through
// this (`wo _render-events`) after copying it for wo; a line that is not an event passes as it is.
import { createInterface } from 'node:readline';
import { rec, str, num } from './files.js';

const first = (s: string | undefined, n = 200): string => {
  const line = (s ?? '').trim().split('\n')[0] ?? '';
  return line.length > n ? `${line.slice(0, n - 1)}…` : line;
};

/** One event as the lines a person reads; [] for events with nothing to say. */
export function renderEvent(e: Record<string, unknown>): string[] {
  const type = str(e.type);
  // Claude Code stream-json
  if (type === 'system' && e.subtype === 'init')
    return [`Claude Code ${str(e.claude_code_version) ?? ''} started (model ${str(e.model) ?? '?'})`];
  if (type === 'system' && e.subtype === 'api_retry')
    return [`… API error ${num(e.error_status) ?? ''}, retry ${num(e.attempt) ?? ''}`.replace(/ +/g, ' ')];
  if (type === 'assistant' || type === 'user') {
    const content = rec(e.message).content;
    const out: string[] = [];
    for (const b of Array.isArray(content) ? content.map(rec) : []) {
      if (b.type === 'text' && str(b.text)?.trim()) out.push(str(b.text)!.trim());
      else if (b.type === 'tool_use') {
        const input = rec(b.input);
        const what = str(input.command) ?? str(input.file_path) ?? str(input.pattern) ?? '';
        out.push(`→ ${str(b.name) ?? 'tool'}${what ? `: ${first(what)}` : ''}`);
      } else if (b.type === 'tool_result' && b.is_error === true) {
        const c = b.content;
        out.push(`  ✗ ${first(typeof c === 'string' ? c : JSON.stringify(c))}`);
      }
    }
    return out;
  }
  if (type === 'result') {
    const u = rec(e.usage);
    const cost = num(e.total_cost_usd);
    const tail = `(${num(u.input_tokens) ?? 0} tokens in, ${num(u.output_tokens) ?? 0} out${cost !== null ? `, $${cost.toFixed(4)}` : ''})`;
    const bad = e.is_error === true || (str(e.subtype) ?? '').startsWith('error');
    return [`${bad ? '✗' : '✓'} ${bad ? `${str(e.subtype)}: ` : ''}${first(str(e.result))} ${tail}`];
  }
  // Codex exec --json
  if (type === 'thread.started') return ['Codex started'];
  if (type === 'item.started' || type === 'item.completed') {
    const item = rec(e.item);
    if (item.type === 'command_execution')
      return type === 'item.started'
        ? [`→ $ ${first(str(item.command))}`]
        : num(item.exit_code)
          ? [`  ✗ exit ${num(item.exit_code)}: ${first(str(item.aggregated_output))}`]
          : [];
    if (type === 'item.completed' && item.type === 'agent_message') return [str(item.text)?.trim() ?? ''];
    if (type === 'item.completed' && item.type === 'error') return [`! ${first(str(item.message))}`];
    if (type === 'item.completed' && item.type === 'file_change') return ['→ edited files'];
    return [];
  }
  if (type === 'error') return [`! ${first(str(e.message))}`];
  if (type === 'turn.failed') return [`✗ ${first(str(rec(e.error).message))}`];
  if (type === 'turn.completed') {
    const u = rec(e.usage);
    return [`✓ turn done (${num(u.input_tokens) ?? 0} tokens in, ${num(u.output_tokens) ?? 0} out)`];
  }
  return [];
}

/** Renders one line of output: an event as readable lines, anything else as it is. */
export function renderLine(line: string): string[] {
  const t = line.trim();
  if (!t.startsWith('{')) return [line];
  try {
    const v: unknown = JSON.parse(t);
    return v && typeof v === 'object' && !Array.isArray(v)
      ? renderEvent(v as Record<string, unknown>)
      : [line];
  } catch {
    // Not JSON after all (a line that starts with a brace): shown as it is.
    return [line];
  }
}

/** Reads the stream from `input` until it ends, writing readable lines to `output`. Never fails. */
export async function renderStream(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Promise<void> {
  output.on('error', () => undefined); // the pane went away: keep reading so the agent is not cut off
  const rl = createInterface({ input, crlfDelay: Infinity });
  for await (const line of rl) for (const l of renderLine(line)) output.write(`${l}\n`);
}
