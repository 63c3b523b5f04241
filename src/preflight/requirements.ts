// What wo needs from the machine: git and tmux new enough, and agent commands on PATH.
import { access, constants } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { EnvError } from '../errors.js';
import { MIN_GIT, type Git } from '../git/git.js';
import { MIN_TMUX, type Tmux } from '../tmux/tmux.js';

export interface ToolCheck {
  ok: boolean;
  /** e.g. `git version 2.39.5`, when the tool answered. */
  version?: string;
  /** What is wrong and how to fix it, when not ok. */
  problem?: string;
}

const atLeast = (v: { major: number; minor: number }, min: { major: number; minor: number }) =>
  v.major > min.major || (v.major === min.major && v.minor >= min.minor);

type Version = { major: number; minor: number; text: string };

/** Whether a tool answers with a version of at least `min`; the problem says how to fix it. */
async function checkVersion(
  name: string,
  min: { major: number; minor: number },
  version: () => Promise<Version>,
): Promise<ToolCheck> {
  try {
    const v = await version();
    if (atLeast(v, min)) return { ok: true, version: v.text };
    return {
      ok: false,
      version: v.text,
      problem: `${v.text} is too old: wo needs ${name} ${min.major}.${min.minor} or newer. Upgrade ${name}.`,
    };
  } catch (e) {
    // A program that is missing or answers oddly is this check's answer, not a crash.
    return { ok: false, problem: (e as Error).message };
  }
}

export const checkGit = (git: Git) => checkVersion('git', MIN_GIT, () => git.version());
export const checkTmux = (tmux: Tmux) => checkVersion('tmux', MIN_TMUX, () => tmux.version());

/** Throws EnvError (exit 3) when git is missing or too old. */
export async function assertGit(git: Git): Promise<void> {
  const c = await checkGit(git);
  if (!c.ok) throw new EnvError(c.problem ?? 'git is not usable');
}

/** Throws EnvError (exit 3) when tmux is missing or too old. */
export async function assertTmux(tmux: Tmux): Promise<void> {
  const c = await checkTmux(tmux);
  if (!c.ok) throw new EnvError(c.problem ?? 'tmux is not usable');
}

/** Where `command` would be found on `PATH` (or itself, when it is a path), or undefined. */
export async function which(
  command: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<string | undefined> {
  const candidates = command.includes('/')
    ? [isAbsolute(command) ? command : resolve(cwd, command)]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, command));
  for (const path of candidates) {
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}
