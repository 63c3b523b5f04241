// Problems found in a plan or config before they get a file position: paths, ordering, display names.
import { PlanError, type PlanIssue } from '../errors.js';
import { relativeInside } from '../paths.js';

/** A place inside a document: keys and list indexes from the root. */
export type DocPath = readonly (string | number)[];

/** A problem at a path; `key` points at the key itself rather than its value (unknown keys). */
export interface RawIssue {
  path: DocPath;
  message: string;
  key?: boolean;
}

/** Resolves a path to a 1-based line and column, when the document has positions. */
export type Locator = (path: DocPath, key?: boolean) => { line: number; column: number } | undefined;

/** `workers[2].timeout`, `env["MY VAR"]`. */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** A file name for messages: relative to cwd when inside it, else absolute. */
export function displayPath(file: string, cwd: string): string {
  return relativeInside(cwd, file) || file;
}

/** Positions raw issues in a file (prefix = where the document sits in it, e.g. ['wo'] in package.json). */
export function placeIssues(
  raw: readonly RawIssue[],
  file: string,
  locate: Locator | undefined,
  prefix: DocPath = [],
): PlanIssue[] {
  return raw.map((r) => {
    const pos = locate?.([...prefix, ...r.path], r.key);
    return {
      file,
      ...(pos && { line: pos.line, column: pos.column }),
      path: formatPath(r.path),
      message: r.message,
    };
  });
}

/** Drops repeats (same place and message), and rule issues on paths the schema already faulted. */
export function mergeIssues(schemaIssues: readonly RawIssue[], ruleIssues: readonly RawIssue[]): RawIssue[] {
  const faulted = new Set(schemaIssues.map((i) => formatPath(i.path)));
  const seen = new Set<string>();
  const out: RawIssue[] = [];
  for (const issue of [...schemaIssues, ...ruleIssues.filter((i) => !faulted.has(formatPath(i.path)))]) {
    const id = `${formatPath(issue.path)}\0${issue.message}`;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(issue);
    }
  }
  return out;
}

/** Orders issues by file (first appearance), then line and column. */
export function sortIssues(issues: readonly PlanIssue[]): PlanIssue[] {
  const files = [...new Set(issues.map((i) => i.file))];
  return [...issues].sort(
    (a, b) =>
      files.indexOf(a.file) - files.indexOf(b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
}

/** A PlanError whose message lists every issue on its own line, under a count when there are several. */
export class InvalidPlanError extends PlanError {
  constructor(issues: PlanIssue[]) {
    super(issues);
    if (issues.length > 1) {
      const files = [...new Set(issues.map((i) => i.file))].join(' and ');
      this.message = `${issues.length} problems in ${files}:\n${this.message}`;
    }
  }
}
