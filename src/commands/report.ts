// `wo report merge DIR...`: join the report folders of a run's shards into one report (SPEC §8), write it
// like a run's (.wo/runs/{run_id}/ or --report DIR), update the timings file, print its path.
// `wo report --open`: open the latest run's report.html (SPEC §13).
import { spawn } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Context } from '../context.js';
import { EnvError, ExitCode, UsageError } from '../errors.js';
import { readTextIfExists } from '../fsutil.js';
import { openWorkspace } from '../workspace.js';

export interface ReportMergeOptions {
  report?: string;
  junit?: string;
  timings?: string;
}

export async function reportMergeCommand(
  ctx: Context,
  dirs: string[],
  opts: ReportMergeOptions,
): Promise<number> {
  const { findReportDirs, mergeReports, readReportDir } = await import('../report/merge.js');
  const report = await import('../report/index.js');
  const { writeRunOutputs } = await import('../report/outputs.js');
  const { timingsPath } = await import('../report/timings.js');
  const found = await findReportDirs(dirs.map((d) => resolve(ctx.cwd, d)));
  const shards = await Promise.all(found.map(readReportDir));
  const { report: merged, warnings } = mergeReports(shards, report.newRunId(new Date()));
  for (const w of warnings) ctx.io.err(`wo: ${w}\n`);
  // The shards' workers ran on other machines: their last output comes from each shard's folder
  // (only for workers of the merged report: the file came with the shard's artifact).
  const { readLastOutputFile } = await import('../report/last-output.js');
  const features = new Set(merged.workers.map((w) => w.feature));
  const lastOutput = new Map<string, string>();
  for (const s of shards)
    for (const [f, t] of await readLastOutputFile(s.dir)) if (features.has(f)) lastOutput.set(f, t);
  // Written into the repository around cwd, like a run's report; a plan's report.dir does not apply.
  const ws = await openWorkspace(ctx);
  const dir = opts.report ? resolve(ctx.cwd, opts.report) : undefined;
  const junit = opts.junit ? resolve(ctx.cwd, opts.junit) : undefined;
  const timings = timingsPath(ws.repoRoot, ctx.cwd, opts.timings);
  await refuseOverwrite(
    shards.map((s) => s.dir),
    report.reportDir(merged, { repoRoot: ws.repoRoot, dir }),
    [junit, timings],
  );
  const written = await report.writeReport(merged, { repoRoot: ws.repoRoot, dir, lastOutput });
  await writeRunOutputs({
    report: merged,
    markdownPath: written.markdown,
    junit,
    timings,
    lastOutput,
    env: ctx.env,
    annotate: false,
    write: (t) => ctx.io.out(t),
    warn: (t) => ctx.io.err(t),
  });
  ctx.io.err(
    `${report.summaryLine(merged)} (${shards.length} report${shards.length === 1 ? '' : 's'} merged)\n`,
  );
  ctx.io.out(`${relative(ctx.cwd, written.markdown) || written.markdown}\n`);
  const allDone = merged.workers.every((w) => w.outcome === 'done');
  return allDone && warnings.length === 0 ? ExitCode.ok : ExitCode.notAllDone;
}

/** The same file or folder, links followed; a path not there yet is taken as written. */
const real = (p: string): Promise<string> => realpath(p).catch(() => p);

/**
 * The merge never writes over one of its inputs (SPEC §9): its report folder is none of the shards'
 * folders, and --junit and --timings name none of the files it reads there.
 */
async function refuseOverwrite(
  inputs: readonly string[],
  outDir: string,
  files: readonly (string | undefined)[],
): Promise<void> {
  const ins = new Set(await Promise.all(inputs.map(real)));
  const out = await real(outDir);
  if (ins.has(out))
    throw new UsageError(
      `the merged report would be written over the shard report in ${outDir}: name another folder with --report, or leave it out (.wo/runs/RUN_ID)`,
    );
  for (const f of files) {
    if (f === undefined) continue;
    const read = ['report.json', 'last-output.json'];
    // Written by renaming over the path, so a link there is replaced, not followed: its folder counts.
    if (read.includes(basename(f)) && ins.has(await real(dirname(f))))
      throw new UsageError(`${f} is one of the shard reports being merged: write it somewhere else`);
  }
}

export interface ReportOpenOptions {
  open?: boolean;
}

/**
 * The program that opens a file for the user, as argv before the file: `$BROWSER` when set (one program
 * name or path, never run by a shell), else `open` on macOS, `explorer` on Windows, `xdg-open` elsewhere.
 */
export function opener(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string[] {
  const browser = env.BROWSER?.trim();
  if (browser) return [browser];
  if (platform === 'darwin') return ['open'];
  if (platform === 'win32') return ['explorer'];
  return ['xdg-open'];
}

/** Starts the opener on the file and leaves it running; resolves once it started, EnvError when it cannot. */
async function launch(argv: string[], file: string, env: NodeJS.ProcessEnv): Promise<void> {
  const [cmd, ...args] = argv;
  await new Promise<void>((ok, fail) => {
    const child = spawn(cmd!, [...args, file], { detached: true, stdio: 'ignore', env });
    child.once('error', (e: NodeJS.ErrnoException) =>
      fail(
        new EnvError(
          `could not start ${cmd} to open ${file} (${e.code ?? e.message}): open that file in a browser, or set BROWSER to the program that should open it${cmd === 'xdg-open' ? ' (or install xdg-utils)' : ''}`,
          { cause: e },
        ),
      ),
    );
    child.once('spawn', () => {
      child.unref();
      ok();
    });
  });
}

/** `wo report --open`: the latest report.html (from .wo/last-run.json) in the user's browser; prints its path. */
export async function reportOpenCommand(ctx: Context, opts: ReportOpenOptions): Promise<number> {
  if (!opts.open)
    throw new UsageError('wo report needs a subcommand or flag: wo report --open, or wo report merge DIR...');
  const ws = await openWorkspace(ctx);
  const { lastRunPath } = await import('../report/write.js');
  const { isObject } = await import('../report/types.js');
  const pointerFile = lastRunPath(ws.repoRoot);
  const text = await readTextIfExists(pointerFile);
  if (text === undefined) throw new UsageError('no run has written a report here yet: run wo run first');
  let pointer: unknown;
  try {
    pointer = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${pointerFile} is not valid JSON: run wo run again to rewrite it`, { cause: e });
  }
  if (!isObject(pointer) || typeof pointer.report_dir !== 'string')
    throw new UsageError(`${pointerFile} names no report folder: run wo run again to rewrite it`);
  const file = join(resolve(ws.repoRoot, pointer.report_dir), 'report.html');
  if ((await readTextIfExists(file)) === undefined)
    throw new UsageError(
      `${file} does not exist (a report written before wo wrote report.html?): run wo run, or wo report merge, again`,
    );
  ctx.io.out(`${relative(ctx.cwd, file) || file}\n`);
  await launch(opener(ctx.env), file, ctx.env);
  return ExitCode.ok;
}
