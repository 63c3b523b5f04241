// The file protocol between wo and an agent (SPEC §1): names, the prompt, reading and writing status.
import { join } from 'node:path';
import { screenText } from '../escapes.js';
import { readUntrustedText, writeFileAtomic } from '../fsutil.js';
import { parseStatus, type ExitRecord, type StatusRead, type WorkerStatus } from '../life/outcome.js';

export const FILES = {
  status: '.worker-status',
  result: '.worker-result.md',
  prompt: '.worker-prompt.md',
  log: '.worker.log',
  metadata: '.worktree.json',
} as const;

/**
 * The most of each file a worker can write that wo reads (SPEC §9: bounded reads): a status word, a
 * result, a JSON record. A larger file is read up to this much; its log is read from its end.
 */
export const READ_MAX = {
  status: 4096,
  result: 1 << 20,
  metadata: 1 << 20,
  /** wo's own small records in the worker's state folder (exit record, run state, adapter name). */
  record: 65536,
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

export function protocolPaths(worktree: string) {
  return {
    status: join(worktree, FILES.status),
    result: join(worktree, FILES.result),
    prompt: join(worktree, FILES.prompt),
    log: join(worktree, FILES.log),
    metadata: join(worktree, FILES.metadata),
  };
}

export async function readStatus(worktree: string): Promise<StatusRead> {
  return parseStatus(await readUntrustedText(join(worktree, FILES.status), READ_MAX.status));
}

export async function writeStatus(worktree: string, status: WorkerStatus): Promise<void> {
  await writeFileAtomic(join(worktree, FILES.status), `${status}\n`);
}

export async function readResult(worktree: string): Promise<string | undefined> {
  return readUntrustedText(join(worktree, FILES.result), READ_MAX.result);
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

/** The last lines of a command's output as the terminal showed them (no colour codes), in a fenced block for a result file. */
export function outputBlock(output: string, lines = 40): string {
  return `\`\`\`\n${screenText(output).trimEnd().split('\n').slice(-lines).join('\n')}\n\`\`\``;
}

/** The file in wo's state folder where the session wrapper records how the agent's process exited. */
export const exitFile = (stateDir: string): string => join(stateDir, 'exit');

/**
 * Reads the wrapper's exit record: the exit code on the first line, then `not found: PROGRAM` when
 * the agent's program was not on PATH, and `wrapper: PID`, the wrapper's own pid (it exits by itself
 * right after). Empty or half-written: not recorded yet.
 */
export function parseExit(text: string | undefined): ExitRecord | undefined {
  if (!text?.includes('\n')) return undefined; // the wrapper ends its record with a newline
  const [first = '', ...rest] = text.split('\n');
  if (!/^\d+$/.test(first.trim())) return undefined;
  const missing = rest.map((l) => /^not found: (.*)$/.exec(l)).find(Boolean);
  const wrapper = rest.map((l) => /^wrapper: (\d+)$/.exec(l)).find(Boolean);
  return {
    code: Number(first.trim()),
    ...(missing && { programMissing: missing[1] }),
    ...(wrapper && { wrapperPid: Number(wrapper[1]) }),
  };
}
