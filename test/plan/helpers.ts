// Test helpers: throw-away folders (optionally a repository root, marked by a `.git` folder), and issue capture.
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PlanError, type PlanIssue } from '../../src/errors.js';

const made: string[] = [];

/** A new temporary folder holding `files` (path -> text); with `git`, a `.git` folder makes it a repository root. */
export async function tempDir(
  files: Record<string, string> = {},
  opts: { git?: boolean } = {},
): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'wo-plan-test-')));
  made.push(dir);
  if (opts.git) await mkdir(join(dir, '.git'));
  await writeFiles(dir, files);
  return dir;
}

export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
}

/** Removes every folder tempDir made; call from afterAll/afterEach. */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** The issues of the PlanError that `promise` rejects with (fails the test when it resolves or throws otherwise). */
export async function issuesOf(promise: Promise<unknown>): Promise<PlanIssue[]> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof PlanError) return e.issues;
    throw e;
  }
  throw new Error('expected a PlanError, but the plan was accepted');
}

/** `4:7 workers[0].taks: message`, as formatIssue prints it without the file name. */
export function short(issue: PlanIssue): string {
  const where = issue.line !== undefined ? `${issue.line}:${issue.column ?? 1}` : '';
  return issue.path ? `${where} ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** A plan with one worker per feature, for tests that do not care about the rest. */
export const PLAN = `version: 1
workers:
  - feature: login
    task: Implement the login API
`;
