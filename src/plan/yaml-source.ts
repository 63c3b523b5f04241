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
  if (doc.errors.length > 0) return { ok: false, errors: syntaxErrors(doc, text, lineCounter) };
  const empty = doc.contents === null;
  let value: unknown = null;
  try {
    value = empty ? null : doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    // yaml stops an alias bomb (a few lines that expand to billions of nodes) by counting.
    if (!(e instanceof ReferenceError)) throw e;
    return {
      ok: false,
      errors: [
        {
          line: 1,
          column: 1,
          message: `too many aliases (*name) to expand: ${e.message}. Write the values out, or use fewer aliases`,
        },
      ],
    };
  }
  return { ok: true, value, empty, locate: locator(doc, lineCounter) };
}

type SyntaxKind =
  'quote' | 'bracket' | 'comma' | 'indent' | 'colon' | 'tab' | 'duplicate' | 'documents' | 'other';

/** yaml's errors, one per place, said plainly and pointed where the fix goes. */
function syntaxErrors(doc: Document, text: string, lineCounter: LineCounter): YamlError[] {
  // yaml often reports one cause twice at one place: decide on all the codes reported there.
  const codesAt = new Map<number, string[]>();
  for (const e of doc.errors) codesAt.set(e.pos[0], [...(codesAt.get(e.pos[0]) ?? []), e.code]);
  const errors: YamlError[] = [];
  const seen = new Set<number>();
  for (const e of doc.errors) {
    if (seen.has(e.pos[0])) continue;
    seen.add(e.pos[0]);
    const first = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const kind = classify(codesAt.get(e.pos[0]) ?? [e.code], first);
    const offset = pointAt(doc, kind, e.pos[0], text);
    const { line, col } = lineCounter.linePos(offset);
    errors.push({ line, column: col, message: syntaxMessage(kind, first, text, offset) });
    // What follows an unclosed quote or bracket is read wrongly: more errors there would only mislead.
    if (kind === 'quote' || kind === 'bracket') break;
  }
  return errors;
}

function classify(codes: string[], message: string): SyntaxKind {
  // In a flow collection ({…} or […], as in JSON), a line break where a "," belongs reads as a block.
  if (codes.includes('BLOCK_IN_FLOW') || /between flow (map|seq)/i.test(message)) return 'comma';
  // A mis-indented line is reported on the line before it, as a "multi-line implicit key".
  if (codes.includes('MULTILINE_IMPLICIT_KEY')) return 'indent';
  const code = codes[0];
  if (code === 'MISSING_CHAR' && /quote/i.test(message)) return 'quote';
  if (/end with an? [\]}]/.test(message)) return 'bracket';
  if (code === 'BLOCK_AS_IMPLICIT_KEY') return 'colon';
  if (code === 'TAB_AS_INDENT') return 'tab';
  if (code === 'DUPLICATE_KEY') return 'duplicate';
  if (code === 'MULTIPLE_DOCS') return 'documents';
  return 'other';
}

/** Where the fix goes: an unclosed quote or bracket where it opened; a mis-indented line at its first key. */
function pointAt(doc: Document, kind: SyntaxKind, offset: number, text: string): number {
  if (kind === 'indent') {
    const next = text.indexOf('\n', offset);
    const indent = next < 0 ? -1 : text.slice(next + 1).search(/\S/);
    return indent < 0 ? offset : next + 1 + indent;
  }
  let opened: number | undefined;
  // The unclosed one runs on to where yaml noticed; of several, the innermost (the last to open).
  const open = (node: Node) => !!node.range && node.range[0] < offset && node.range[1] >= offset;
  if (kind === 'quote')
    visit(doc, {
      Scalar(_key, node) {
        if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && open(node))
          opened = node.range![0];
      },
    });
  if (kind === 'bracket')
    visit(doc, {
      Collection(_key, node) {
        if (node.flow && open(node)) opened = node.range![0];
      },
    });
  return opened ?? offset;
}

function syntaxMessage(kind: SyntaxKind, first: string, text: string, offset: number): string {
  switch (kind) {
    case 'quote':
      return `unclosed ${text[offset] === "'" ? "'" : '"'} quote (add the closing quote)`;
    case 'bracket': {
      const open = text[offset] === '{' ? '{' : '[';
      return `unclosed "${open}" (add the closing "${open === '{' ? '}' : ']'}")`;
    }
    case 'comma':
      return 'missing "," between items, or ":" after a key';
    case 'indent':
      return 'bad indentation: this line is indented differently from the keys around it (keys of one mapping start in the same column)';
    case 'colon':
      return 'a value contains ": " (put the value in quotes, or the nested mapping on lines of its own)';
    case 'tab':
      return 'a tab is used for indentation (YAML indents with spaces)';
    case 'duplicate': {
      const key = /^["']?([^"':\n]*)/.exec(text.slice(offset))?.[1]?.trim();
      return `duplicate key${key ? ` "${key}"` : ''} (each key may appear once in a mapping)`;
    }
    case 'documents':
      return 'more than one YAML document (remove the "---" line: a plan is one document)';
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
