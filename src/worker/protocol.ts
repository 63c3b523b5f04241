// The file protocol between wo and an agent (SPEC §1): names, the prompt, reading and writing status.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readTextIfExists, writeFileAtomic } from '../fsutil.js';

export const FILES = {
  status: '.worker-status',
  result: '.worker-result.md',
  prompt: '.worker-prompt.md',
  log: '.worker.log',
  metadata: '.worktree.json',
} as const;

/** info/exclude patterns: the protocol files and the temporary files they are written through. */
export const EXCLUDE_PATTERNS = [
  `/${FILES.status}*`,
  `/${FILES.result}*`,
  `/${FILES.prompt}*`,
  `/${FILES.log}*`,
  `/${FILES.metadata}*`,
  '/..worker*',
  '/..worktree.json*',
];

export type WorkerStatus = 'running' | 'done' | 'failed';

export interface StatusRead {
  /** undefined: no file, or an empty one (not yet written). */
  status?: WorkerStatus;
  /** Set when the file held another word: the status is then `failed`. */
  reason?: string;
}

export function protocolPaths(worktree: string) {
  return {
    status: join(worktree, FILES.status),
    result: join(worktree, FILES.result),
    prompt: join(worktree, FILES.prompt),
    log: join(worktree, FILES.log),
    metadata: join(worktree, FILES.metadata),
  };
}

/** Interprets the status file's text: trimmed; empty = not yet written; other words = failed. */
export function parseStatus(text: string | undefined): StatusRead {
  const word = (text ?? '').trim();
  if (word === '') return {};
  if (word === 'running' || word === 'done' || word === 'failed') return { status: word };
  const shown = word.length > 40 ? `${word.slice(0, 40)}…` : word;
  return { status: 'failed', reason: `unknown status "${shown}"` };
}

export async function readStatus(worktree: string): Promise<StatusRead> {
  return parseStatus(await readTextIfExists(join(worktree, FILES.status)));
}

export async function writeStatus(worktree: string, status: WorkerStatus): Promise<void> {
  await writeFileAtomic(join(worktree, FILES.status), `${status}\n`);
}

export async function readResult(worktree: string): Promise<string | undefined> {
  return readTextIfExists(join(worktree, FILES.result));
}

export async function writeResult(worktree: string, text: string): Promise<void> {
  await writeFileAtomic(join(worktree, FILES.result), text.endsWith('\n') ? text : `${text}\n`);
}

/** The completion protocol appended to every task (SPEC §1). */
export function completionProtocol(): string {
  return [
    '---',
    '',
    'You are working in a git worktree of your own. When you have finished:',
    `1. Write what you did to \`${FILES.result}\` in the root of this worktree.`,
    `2. Then write the single word \`done\` to \`${FILES.status}\` (for example: echo done > ${FILES.status}).`,
    '',
    'If you cannot finish the task:',
    `1. Write the error, and what you tried, to \`${FILES.result}\`.`,
    `2. Then write the single word \`failed\` to \`${FILES.status}\`.`,
    '',
    `Write \`${FILES.status}\` last: wo reads it to know that you have finished.`,
    '',
  ].join('\n');
}

/** The prompt an agent receives: the task, byte for byte, then the protocol. */
export function buildPrompt(task: string): string {
  const sep = task.endsWith('\n') ? '\n' : '\n\n';
  return `${task}${sep}${completionProtocol()}`;
}

/** The last lines of a command's output, in a fenced block for a result file. */
export function outputBlock(output: string, lines = 40): string {
  return `\`\`\`\n${output.trimEnd().split('\n').slice(-lines).join('\n')}\n\`\`\``;
}

/** Reads the exit code the wrapper recorded, if it did. */
export async function readExitCode(stateDir: string): Promise<number | undefined> {
  try {
    const n = Number((await readFile(join(stateDir, 'exit'), 'utf8')).trim());
    return Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Records a final status that wo decided itself, keeping whatever result the agent wrote. */
export async function recordFailure(worktree: string, reason: string, detail?: string): Promise<void> {
  const previous = (await readResult(worktree))?.trim();
  const parts = [`**${reason}**`];
  if (detail) parts.push(detail);
  if (previous) parts.push(previous);
  await writeResult(worktree, `${parts.join('\n\n')}\n`);
  await writeStatus(worktree, 'failed');
}
