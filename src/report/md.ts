// Markdown escaping helpers: inline text, table cells, code spans, fences, and containing agent-written text.

/** Escapes characters that would start emphasis, links, code, HTML or a table column; one line. */
export function escapeInline(text: string): string {
  return text.replace(/\r?\n|\r/g, ' ').replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`);
}

/** A code span that survives backticks inside the text; one line. */
export function codeSpan(text: string): string {
  const flat = text.replace(/\r?\n|\r/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const ticks = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

/** Makes text safe inside a GFM table cell (pipes are escaped even inside code spans). */
export function tableCell(markdown: string): string {
  return markdown.replace(/\r?\n|\r/g, ' ').replace(/(?<!\\)\|/g, '\\|');
}

/** A fenced code block whose fence is longer than any backtick run in the text. */
export function fenced(text: string, info = ''): string {
  const longest = Math.max(0, ...(text.match(/`{3,}/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text.replace(/\n+$/, '')}\n${fence}`;
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/**
 * Closes what agent-written markdown left open so that it cannot swallow the rest of the
 * report: an unterminated code fence or HTML comment. Headings are not demoted: a result is
 * the agent's document and reads best as written.
 */
export function containMarkdown(text: string): string {
  let open: { char: string; length: number } | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (open) {
      const m = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (m && m[1]![0] === open.char && m[1]!.length >= open.length) open = undefined;
      continue;
    }
    const m = FENCE_OPEN.exec(line);
    // A backtick fence's info string may not contain backticks (CommonMark), else it is inline code.
    if (m && !(m[1]![0] === '`' && m[2]!.includes('`'))) open = { char: m[1]![0]!, length: m[1]!.length };
  }
  let out = text.replace(/\s+$/, '');
  if (open) out += `\n${open.char.repeat(open.length)}`;
  if (out.lastIndexOf('<!--') > out.lastIndexOf('-->')) out += '\n-->';
  return out;
}
