// Results kept after `wo clean` removes a worktree: `.wo/results/{feature}.md`, so no result is lost.
import { rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ifExists, readTextIfExists, writeFileAtomic } from '../fsutil.js';

export function savedResultPath(repoRoot: string, feature: string): string {
  return join(repoRoot, '.wo', 'results', `${feature}.md`);
}

export interface SavedResult {
  status?: string;
  branch?: string;
  cleanedAt?: string;
  text: string;
  path: string;
}

const HEADER = /^<!-- wo clean: (.*) -->\n/;

/**
 * Saves a worker's result before its worktree goes. An earlier saved result of the same name is kept
 * beside it as `{feature}.{time}.md`.
 */
export async function saveResult(
  repoRoot: string,
  feature: string,
  info: { status: string; branch?: string; now?: Date },
  text: string,
): Promise<string> {
  const path = savedResultPath(repoRoot, feature);
  const previous = await ifExists(stat(path));
  if (previous) {
    const stamp = previous.mtime.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    await rename(path, join(repoRoot, '.wo', 'results', `${feature}.${stamp}.md`));
  }
  const now = (info.now ?? new Date()).toISOString();
  const fields = [`feature=${feature}`, `status=${info.status}`];
  if (info.branch) fields.push(`branch=${info.branch}`);
  fields.push(`cleaned_at=${now}`);
  await writeFileAtomic(
    path,
    `<!-- wo clean: ${fields.join(' ')} -->\n${text.endsWith('\n') ? text : `${text}\n`}`,
  );
  return path;
}

export async function readSavedResult(repoRoot: string, feature: string): Promise<SavedResult | undefined> {
  const path = savedResultPath(repoRoot, feature);
  const raw = await readTextIfExists(path);
  if (raw === undefined) return undefined;
  const m = HEADER.exec(raw);
  const fields = new Map(
    (m?.[1] ?? '')
      .split(' ')
      .map((kv) => kv.split('=') as [string, string | undefined])
      .filter(([, v]) => v !== undefined) as Array<[string, string]>,
  );
  return {
    status: fields.get('status'),
    branch: fields.get('branch'),
    cleanedAt: fields.get('cleaned_at'),
    text: m ? raw.slice(m[0].length) : raw,
    path,
  };
}
