// Finds and checks wo's configuration (cosmiconfig, module "wo"): from a folder up to the repository root,
// then the user's ~/.config/wo/. YAML and JSON files are parsed with `yaml` so that problems have positions.
import { accessSync, constants, lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { fileKind } from '../fsutil.js';
import { basename, join } from 'node:path';
import type { Loader } from 'cosmiconfig';
import type { PlanIssue } from '../errors.js';
import {
  displayPath,
  InvalidPlanError,
  mergeIssues,
  placeIssues,
  sortIssues,
  type DocPath,
  type Locator,
} from './issues.js';
import { show } from './ajv-messages.js';
import { configRules } from './rules.js';
import { validateShape } from './schema.js';
import type { ConfigFile } from './schema-types.js';
import type { YamlError } from './yaml-source.js';
import { PRESET_NAMES } from './presets.js';
import { findRepoRoot, foldersUpward } from './repo-root.js';

/** Searched in each folder, in this order (SPEC §3). */
export const CONFIG_SEARCH_PLACES = [
  'package.json',
  '.worc',
  '.worc.json',
  '.worc.yaml',
  '.worc.yml',
  '.worc.js',
  '.worc.mjs',
  '.worc.cjs',
  'wo.config.js',
  'wo.config.mjs',
  'wo.config.cjs',
  'wo.config.ts',
];

/** Searched in the user's folder ($XDG_CONFIG_HOME/wo or ~/.config/wo) when no folder had a config. */
export const USER_CONFIG_PLACES = [
  'config',
  'config.json',
  'config.yaml',
  'config.yml',
  'config.js',
  'config.mjs',
  'config.cjs',
  'config.ts',
];

export interface ConfigOptions {
  /** File names in messages are relative to this folder. */
  cwd: string;
  /** Gives the user's folder (XDG_CONFIG_HOME, else HOME/.config); with neither, it is not searched. */
  env: NodeJS.ProcessEnv;
  /** The last folder searched upward (the repository root); undefined: up to the filesystem root. */
  stopAt?: string;
  /** The repository folder's name, to check branch templates. */
  repo: string;
  /** Agents the plan defines, which the config's defaults.agent may name; 'unknown' skips that check. */
  planAgents?: readonly string[] | 'unknown';
}

export interface ConfigResult {
  /** Absolute path of the configuration used; undefined when there is none. */
  file?: string;
  /** The configuration; {} when there is none or it could not be read. */
  config: ConfigFile;
  /** False when a config file was found but could not be parsed or loaded (its agents are unknown). */
  readable: boolean;
  /** Every problem in it, positioned where possible; empty when it is valid. */
  issues: PlanIssue[];
}

/** Thrown by the YAML/JSON loader so that syntax errors keep their positions. */
class ConfigSyntaxError extends Error {
  constructor(readonly errors: YamlError[]) {
    super(errors[0]?.message ?? 'syntax error');
  }
}

/** The user's configuration folder, or undefined when the environment names no home. */
export function userConfigDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'wo');
  return env.HOME ? join(env.HOME, '.config', 'wo') : undefined;
}

/** A configuration file wo cannot read: never skipped (its settings would be lost), never a stack trace. */
interface CandidateProblem {
  file: string;
  message: string;
  line?: number;
  column?: number;
}

/** Where JSON.parse stopped (`… at position N`), as line and column; undefined when it does not say. */
function jsonErrorAt(text: string, e: unknown): { line: number; column: number } | undefined {
  const m = /at position (\d+)/.exec(String((e as Error).message));
  if (!m) return undefined;
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  return { line, column: before.length - before.lastIndexOf('\n') };
}

/** What is wrong with reading a candidate file, or undefined; `exists` false when there is none. */
function candidate(
  file: string,
  place: string,
): { exists: boolean; problem?: string; at?: { line: number; column: number }; wo?: boolean } {
  let st;
  try {
    st = statSync(file);
  } catch {
    // A symbolic link to nothing is a configuration that cannot be read, not a missing one.
    const link = lstatSync(file, { throwIfNoEntry: false });
    if (!link?.isSymbolicLink()) return { exists: false };
    return {
      exists: true,
      problem: `is a symbolic link to ${readlinkSync(file)}, which cannot be read: fix the link or remove it`,
    };
  }
  if (!st.isFile())
    return {
      exists: true,
      problem: `is ${fileKind(st)}, not a regular file: wo reads its configuration from files only (remove it, or replace it with a file)`,
    };
  try {
    accessSync(file, constants.R_OK);
  } catch {
    // Unreadable: told as a problem with its fix.
    return {
      exists: true,
      problem: `cannot be read (permission denied): make it readable (chmod u+r ${place}) or remove it`,
    };
  }
  if (place !== 'package.json') return { exists: true };
  let pkg: unknown;
  const text = readFileSync(file, 'utf8');
  try {
    pkg = JSON.parse(text);
  } catch (e) {
    // Broken JSON: told as a problem, with where.
    const why = String((e as Error).message).replace(/ in JSON at position \d+.*$/s, '');
    return {
      exists: true,
      problem: `not valid JSON: ${why} (fix it: wo reads its "wo" key)`,
      at: jsonErrorAt(text, e),
    };
  }
  return { exists: true, wo: pkg !== null && typeof pkg === 'object' && 'wo' in pkg };
}

/**
 * Whether any folder searched holds a file cosmiconfig could take for the configuration, or the first
 * such file that cannot be read. Most repositories have none: then cosmiconfig (~30 ms to load) is
 * not loaded at all.
 */
function anyConfigCandidate(dirs: string[], userDir: string | undefined): boolean | CandidateProblem {
  const places = [
    ...dirs.flatMap((dir) => CONFIG_SEARCH_PLACES.map((place) => ({ dir, place }))),
    ...(userDir !== undefined ? USER_CONFIG_PLACES.map((place) => ({ dir: userDir, place })) : []),
  ];
  for (const { dir, place } of places) {
    const file = join(dir, place);
    const c = candidate(file, place);
    if (!c.exists) continue;
    if (c.problem !== undefined) return { file, message: c.problem, ...c.at };
    if (place !== 'package.json' || c.wo) return true;
  }
  return false;
}

/** Finds the configuration that applies to `from` (a folder) and checks it; never throws for a bad file. */
export async function loadConfig(from: string, opts: ConfigOptions): Promise<ConfigResult> {
  const dirs = foldersUpward(from, opts.stopAt);
  const any = anyConfigCandidate(dirs, userConfigDir(opts.env));
  if (any === false) return { config: {}, readable: true, issues: [] };
  if (any !== true)
    return {
      file: any.file,
      config: {},
      readable: false,
      issues: [
        {
          file: displayPath(any.file, opts.cwd),
          ...(any.line !== undefined && { line: any.line, column: any.column }),
          path: '',
          message: any.message,
        },
      ],
    };
  const [{ cosmiconfig }, { parseYaml }] = await Promise.all([
    import('cosmiconfig'),
    import('./yaml-source.js'),
  ]);
  const locators = new Map<string, Locator>();
  const yamlLoader: Loader = (filepath, content) => {
    const parsed = parseYaml(content);
    if (!parsed.ok) throw new ConfigSyntaxError(parsed.errors);
    locators.set(filepath, parsed.locate);
    return parsed.empty ? undefined : parsed.value;
  };
  const options = {
    searchStrategy: 'none' as const,
    cache: false,
    loaders: { '.json': yamlLoader, '.yaml': yamlLoader, '.yml': yamlLoader, noExt: yamlLoader },
  };
  const explorer = cosmiconfig('wo', { ...options, searchPlaces: CONFIG_SEARCH_PLACES });
  const userExplorer = cosmiconfig('wo', { ...options, searchPlaces: USER_CONFIG_PLACES });
  const userDir = userConfigDir(opts.env);
  const searches = [
    ...dirs.map((dir) => () => explorer.search(dir)),
    ...(userDir !== undefined ? [() => userExplorer.search(userDir)] : []),
  ];

  let found: { filepath: string; config: unknown } | undefined;
  try {
    for (const search of searches) {
      const result = await search();
      if (result && !result.isEmpty) {
        found = result;
        break;
      }
    }
  } catch (e) {
    // A configuration file that cannot be read is returned as a problem; unreadable() rethrows the rest.
    return { config: {}, readable: false, ...unreadable(e, opts.cwd) };
  }
  if (!found) return { config: {}, readable: true, issues: [] };

  const file = found.filepath;
  const value = found.config;
  const prefix: DocPath = basename(file) === 'package.json' ? ['wo'] : [];
  const shown = displayPath(file, opts.cwd);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const got = typeof value === 'function' ? 'a function' : show(value);
    const message = `the configuration must be a mapping of settings (concurrency, defaults, worktrees, agents, tmux, report), got ${got}`;
    return {
      file,
      config: {},
      readable: true,
      issues: placeIssues([{ path: [], message }], shown, locators.get(file), prefix),
    };
  }
  const declared = (value as { agents?: unknown }).agents;
  const configAgents =
    declared && typeof declared === 'object' && !Array.isArray(declared) ? Object.keys(declared) : [];
  const planAgents = opts.planAgents ?? [];
  const agents =
    planAgents === 'unknown' ? undefined : [...new Set([...PRESET_NAMES, ...configAgents, ...planAgents])];
  const raw = mergeIssues(
    validateShape('config', value),
    configRules(value, {
      repo: opts.repo,
      ...(agents && { agents }),
      ...(opts.stopAt && { repoRoot: opts.stopAt }),
    }),
  );
  return {
    file,
    config: value,
    readable: true,
    issues: placeIssues(raw, shown, locators.get(file), prefix),
  };
}

/** A config file that cosmiconfig could not load: its syntax errors, or the loader's message. */
function unreadable(e: unknown, cwd: string): { file?: string; issues: PlanIssue[] } {
  const filepath = (e as { filepath?: unknown } | null)?.filepath;
  if (typeof filepath !== 'string') throw e; // not about a config file: a real failure
  const file = displayPath(filepath, cwd);
  if (e instanceof ConfigSyntaxError)
    return {
      file: filepath,
      issues: e.errors.map((s) => ({ file, line: s.line, column: s.column, path: '', message: s.message })),
    };
  // Loaders prefix "… Error in FILE:" on a line of its own; the cause is the first other line.
  const cause = String((e as Error).message ?? e)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.endsWith(`${filepath}:`))[0];
  const hint = /Cannot find (package|module) 'typescript'/.test(cause ?? '')
    ? ' (a .ts configuration needs the typescript package installed; or write it as .mjs)'
    : '';
  return {
    file: filepath,
    issues: [{ file, path: '', message: `cannot load this configuration: ${cause}${hint}` }],
  };
}

/**
 * The configuration for commands that run without a plan (spawn, status, …): searched from `from` up to
 * the repository root, then the user's folder. Throws InvalidPlanError (exit 2) naming every problem.
 */
export async function loadConfigOrThrow(
  from: string,
  opts: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ file?: string; config: ConfigFile }> {
  const root = findRepoRoot(from);
  const result = await loadConfig(from, {
    ...opts,
    repo: basename(root ?? from),
    ...(root !== undefined && { stopAt: root }),
  });
  if (result.issues.length > 0) throw new InvalidPlanError(sortIssues(result.issues));
  return { ...(result.file !== undefined && { file: result.file }), config: result.config };
}
