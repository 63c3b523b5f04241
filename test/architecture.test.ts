// Rooms and doors: the import graph of src/ (type imports included) has no cycles, display code
// stays in ui/, and every error is one of the typed classes of src/errors.ts. A small walk of the
// import statements, so that a new cycle fails here rather than in a reader's head.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = new URL('../src/', import.meta.url).pathname;

/**
 * The house's floors, from the ground up: a room may import only rooms below its own floor, so a
 * reader can learn the house bottom-up and a lower room never learns of a higher one. A new room
 * gets its floor here; docs/architecture.md draws the same picture.
 */
const FLOORS: Record<string, number> = {
  // The ground: words and helpers every room may use.
  errors: 0,
  escapes: 0,
  context: 0,
  fsutil: 0,
  paths: 0,
  secrets: 0,
  // Running programs, and what each agent program is.
  process: 1,
  agents: 1,
  // The outside world's interfaces, the plan, and a worker's life (its states, decide()).
  git: 2,
  tmux: 2,
  lock: 2,
  plan: 2,
  life: 2,
  // Rooms that use one of those: the file protocol, the scheduler, preflight.
  protocol: 3,
  scheduler: 3,
  preflight: 3,
  rehearsal: 3,
  // A worker's worktree and session, the report, the hand-off.
  worktree: 4,
  session: 4,
  report: 4,
  handoff: 4,
  // A worker as the run and the commands see it; the repository's shared settings.
  worker: 5,
  workspace: 5,
  // Merging done workers into one branch (it runs a resolving agent through a worker's driver), and
  // the views of a run.
  integrate: 6,
  ui: 6,
  // A run, from selection to outputs.
  run: 7,
  commands: 8,
  cli: 9,
};

/** Known edges that still break a rule, each with who removes it; an edge that is gone must leave. */
const KNOWN: Record<string, string> = {};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** file -> the src files it imports (static, `export … from`, dynamic `import()`, `import type`). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets = new Set<string>();
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)['"](\.\.?\/[^'"]+)['"]/gm))
      targets.add(relative(SRC, resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts'))));
    graph.set(relative(SRC, file), [...targets]);
  }
  return graph;
}

const edges = (graph: Map<string, string[]>) =>
  [...graph].flatMap(([from, tos]) => tos.map((to) => ({ from, to, name: `${from} -> ${to}` })));

/** A file's room: its folder under src/, or the file itself for the top-level ones (cli, errors…). */
const room = (file: string) =>
  file.includes('/') ? file.slice(0, file.indexOf('/')) : file.replace(/\.ts$/, '');

/** Groups of nodes that reach each other (Tarjan's strongly connected components), larger than one. */
function cycles(nodes: Iterable<string>, next: (n: string) => Iterable<string>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        group.push(w);
      } while (w !== v);
      if (group.length > 1) out.push(group.sort());
    }
  };
  for (const n of nodes) if (!index.has(n)) visit(n);
  return out;
}

const graph = importGraph();
const all = edges(graph);

describe('the import graph of src/', () => {
  test('the walk sees the imports (a sanity check of the walker itself)', () => {
    expect(graph.size).toBeGreaterThan(40);
    expect(graph.get('cli.ts')).toEqual(expect.arrayContaining(['errors.ts', 'commands/validate.ts']));
    expect(graph.get('plan/config.ts')).toEqual(expect.arrayContaining(['plan/yaml-source.ts', 'errors.ts']));
    for (const { to } of all) expect([to, graph.has(to)]).toEqual([to, true]);
  });

  test('no two files import each other, directly or round a loop', () => {
    expect(cycles(graph.keys(), (f) => graph.get(f) ?? [])).toEqual([]);
  });

  test('no two rooms (src folders, top-level files) import each other, directly or round a loop', () => {
    const rooms = new Map<string, Set<string>>();
    for (const e of all) {
      if (e.name in KNOWN || room(e.from) === room(e.to)) continue;
      rooms.set(room(e.from), (rooms.get(room(e.from)) ?? new Set()).add(room(e.to)));
    }
    const found = cycles(rooms.keys(), (r) => rooms.get(r) ?? []).map((group) =>
      all
        .filter(
          (e) => group.includes(room(e.from)) && group.includes(room(e.to)) && room(e.from) !== room(e.to),
        )
        .map((e) => e.name),
    );
    expect(found).toEqual([]);
  });

  test('every room stands on a floor, and imports only rooms of lower floors', () => {
    const unplaced = [...new Set([...graph.keys()].map(room))].filter((r) => !(r in FLOORS));
    expect(unplaced).toEqual([]);
    const upOrSideways = all
      .filter((e) => room(e.from) !== room(e.to) && !(e.name in KNOWN))
      .filter((e) => FLOORS[room(e.to)]! >= FLOORS[room(e.from)]!)
      .map((e) => `${e.name} (floor ${FLOORS[room(e.from)]} -> ${FLOORS[room(e.to)]})`);
    expect(upOrSideways).toEqual([]);
  });

  test('display code stays in ui/: only commands, the cli and ui itself import it', () => {
    const outside = all.filter(
      (e) => room(e.to) === 'ui' && !['ui', 'commands', 'cli'].includes(room(e.from)) && !(e.name in KNOWN),
    );
    expect(outside.map((e) => e.name)).toEqual([]);
  });

  test('every known exception above still exists (remove it from KNOWN once it is fixed)', () => {
    const names = new Set(all.map((e) => e.name));
    expect(Object.keys(KNOWN).filter((k) => !names.has(k))).toEqual([]);
  });
});

describe('errors', () => {
  test('every error wo reports is one of the typed classes of src/errors.ts', () => {
    const offenders = [...graph.keys()]
      .filter((f) => f !== 'errors.ts')
      .flatMap((f) =>
        [...readFileSync(join(SRC, f), 'utf8').matchAll(/new WoError\(|extends WoError\b/g)].map(
          (m) => `${f}: ${m[0]}`,
        ),
      );
    expect(offenders).toEqual([]);
  });
});

/**
 * Places in src that drop an error without a word of why: each `.catch(() =>` / `.catch((): T =>`,
 * and each `catch {` / `catch (e) {` block whose body has no `throw`, with no comment on its line,
 * the line above (a comment-only line) or the first line inside the block. A helper that names the
 * choice (`ifExists(…)` in fsutil) needs no comment: it has no `.catch` at the call.
 * Limits, kept so the detector stays a few lines: it reads text, not syntax, so a `throw` anywhere in
 * the block counts as a rethrow, braces inside strings can end a block early, and `.catch((e) =>`
 * with a named parameter is not looked at (it uses the error, so it is a choice in sight).
 */
function bareSwallows(file: string, text = readFileSync(join(SRC, file), 'utf8')): string[] {
  const lines = text.split('\n');
  const commentOnly = (l: string | undefined) => l !== undefined && /^\s*(\/\/|\/\*|\*)/.test(l);
  const hasComment = (l: string) => /\/\/|\/\*/.test(l);
  const out: string[] = [];
  lines.forEach((line, i) => {
    // `.catch(` may end the line, its arrow on the next (prettier wraps long calls so).
    const arrow = /\.catch\(\s*\(\s*\)\s*(?::[^=]*)?=>/.test(
      line.endsWith('.catch(') ? line + lines[i + 1] : line,
    );
    const block = /(?<!\.)\bcatch\s*(?:\(\s*\w+\s*(?::\s*\w+\s*)?\))?\s*\{/.exec(line);
    if (!arrow && !block) return;
    if (hasComment(line) || commentOnly(lines[i - 1])) return;
    if (block) {
      if (hasComment(lines[i + 1] ?? '')) return;
      // The block's body, by counting braces from its opening one.
      let depth = 0;
      let body = '';
      const rest = [line.slice(block.index + block[0].length - 1), ...lines.slice(i + 1)].join('\n');
      for (const ch of rest) {
        if (ch === '{') depth++;
        if (ch === '}') depth--;
        body += ch;
        if (depth === 0) break;
      }
      if (/\bthrow\b/.test(body)) return;
    }
    out.push(`${file}:${i + 1}: ${line.trim()}`);
  });
  return out;
}

describe('swallowed errors', () => {
  test('the detector sees a bare swallow, and passes a commented, rethrowing or helper one', () => {
    const sample = [
      'const a = await stat(p).catch(() => undefined);',
      'const b = await read(p).catch((): Facts => ({}));',
      'try {',
      '  x();',
      '} catch (e) {',
      '  return undefined;',
      '}',
      'const c = await stat(p).catch(() => undefined); // absent: not written yet',
      '// best effort: the session may already be gone',
      'await kill(s).catch(() => undefined);',
      'try {',
      '  x();',
      '} catch {',
      '  // absent: not written yet',
      '}',
      'try {',
      '  x();',
      '} catch (e) {',
      '  if (code(e) !== "ENOENT") throw e;',
      '}',
      'const d = await ifExists(stat(p));',
      'const e = await readTail(p).catch(',
      '  () => undefined,',
      ');',
    ].join('\n');
    expect(bareSwallows('sample.ts', sample)).toEqual([
      'sample.ts:1: const a = await stat(p).catch(() => undefined);',
      'sample.ts:2: const b = await read(p).catch((): Facts => ({}));',
      'sample.ts:5: } catch (e) {',
      'sample.ts:22: const e = await readTail(p).catch(',
    ]);
  });

  test('every swallowed error says why (a comment, or a named helper such as ifExists)', () => {
    expect([...graph.keys()].flatMap((f) => bareSwallows(f))).toEqual([]);
  });
});
