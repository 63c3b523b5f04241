// YAML text -> value plus a locator from paths to line:column; syntax errors as one-line messages.
import { isMap, isNode, isScalar, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { DocPath, Locator } from './issues.js';

export interface YamlError {
  line: number;
  column: number;
  message: string;
}

export type ParsedYaml =
  { ok: true; value: unknown; empty: boolean; locate: Locator } | { ok: false; errors: YamlError[] };

/** Parses YAML (JSON too) keeping positions; every syntax error at once, one line each. */
export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const errors: YamlError[] = [];
    const seen = new Set<string>();
    for (const e of doc.errors) {
      const offset = errorOffset(doc, e.code, e.pos[0]);
      const { line, col } = lineCounter.linePos(offset);
      const where = `${line}:${col}`;
      if (seen.has(where)) continue; // one message per place: yaml often reports a cause twice
      seen.add(where);
      errors.push({ line, column: col, message: syntaxMessage(e.code, e.message, text, offset) });
    }
    return { ok: false, errors };
  }
  const empty = doc.contents === null;
  const value: unknown = empty ? null : doc.toJS({ maxAliasCount: 1000 });
  return { ok: true, value, empty, locate: locator(doc, lineCounter) };
}

/** An unclosed quote is reported at the end of the file; point at where the quote opened instead. */
function errorOffset(doc: Document, code: string, offset: number): number {
  if (code !== 'MISSING_CHAR') return offset;
  let opened: number | undefined;
  visit(doc, {
    Scalar(_key, node) {
      if (
        (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') &&
        node.range &&
        node.range[1] >= offset
      )
        opened ??= node.range[0];
    },
  });
  return opened ?? offset;
}

function syntaxMessage(code: string, raw: string, text: string, offset: number): string {
  const first = raw.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  switch (code) {
    case 'TAB_AS_INDENT':
      return 'a tab is used for indentation (YAML indents with spaces)';
    case 'DUPLICATE_KEY': {
      const key = /^["']?([^"':\n]*)/.exec(text.slice(offset))?.[1]?.trim();
      return `duplicate key${key ? ` "${key}"` : ''} (each key may appear once in a mapping)`;
    }
    case 'MULTIPLE_DOCS':
      return 'more than one YAML document (remove the "---" line: a plan is one document)';
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return 'bad indentation, or a value containing ": " (indent nested keys evenly; quote such values)';
    case 'BAD_INDENT':
      return `bad indentation: ${lowerFirst(first)}`;
    case 'MISSING_CHAR':
      if (/quote/i.test(first)) return 'unclosed quote (add the closing quote)';
      return `YAML syntax: ${lowerFirst(first)}`;
    default:
      return `YAML syntax: ${lowerFirst(first)}`;
  }
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

function locator(doc: Document, lineCounter: LineCounter): Locator {
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const nodeAt = (path: DocPath): unknown => (path.length === 0 ? doc.contents : doc.getIn(path, true));
  const keyNode = (path: DocPath): Node | undefined => {
    const parent = nodeAt(path.slice(0, -1));
    if (!isMap(parent)) return undefined;
    const name = String(path[path.length - 1]);
    const pair = parent.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === name);
    return isNode(pair?.key) ? pair.key : undefined;
  };
  return (path, key) => {
    for (let n = path.length; n >= 0; n--) {
      const sub = path.slice(0, n);
      if (key && n === path.length) {
        const k = keyNode(sub);
        if (k?.range) return at(k.range[0]);
        continue;
      }
      const node = nodeAt(sub);
      if (!isNode(node) || !node.range) continue;
      // `task:` with nothing after it: point at the key, not at the end of the line.
      if (isScalar(node) && node.value === null && node.range[0] === node.range[1] && n > 0) {
        const k = keyNode(sub);
        if (k?.range) return at(k.range[0]);
      }
      return at(node.range[0]);
    }
    return { line: 1, column: 1 };
  };
}
