// Writes report.md, report.json, report.html (with last-output.json) and .wo/last-run.json atomically, and reads the last report back for `--failed`.
import { isAbsolute, join, resolve } from 'node:path';
import { readTextIfExists, writeFileAtomic } from '../fsutil.js';
import { UsageError } from '../errors.js';
import { readBoundedText, REPORT_MAX_BYTES } from './bounded.js';
import { renderJson } from './json.js';
import { writeOutputFile } from './output-file.js';
import { renderMarkdown } from './markdown.js';
import { hasReportWorkers, isObject, type LastRun, type RunReport } from './types.js';

export interface WriteReportOptions {
  repoRoot: string;
  /**
   * The report folder. Relative paths are taken from the repository root; `{run_id}` is
   * replaced by the run id. Default `.wo/runs/{run_id}`.
   */
  dir?: string;
  /**
   * Each worker's last output, raw (colours kept), by feature, for report.html. Default: read from the
   * logs in the workers' worktrees (what a run wants; `wo report merge` passes the shards' instead).
   */
  lastOutput?: ReadonlyMap<string, string>;
}

export interface WrittenReport {
  dir: string;
  markdown: string;
  json: string;
  html: string;
  lastRun: string;
}

export const woDir = (repoRoot: string): string => join(repoRoot, '.wo');
export const lastRunPath = (repoRoot: string): string => join(woDir(repoRoot), 'last-run.json');

export function reportDir(report: Pick<RunReport, 'run_id'>, opts: WriteReportOptions): string {
  const dir = (opts.dir ?? join('.wo', 'runs', '{run_id}')).replaceAll('{run_id}', report.run_id);
  return isAbsolute(dir) ? dir : resolve(opts.repoRoot, dir);
}

/**
 * Writes both report files, then points .wo/last-run.json at them: the pointer is written
 * last so that it never names a report that is not complete on disk.
 */
export async function writeReport(report: RunReport, opts: WriteReportOptions): Promise<WrittenReport> {
  const dir = reportDir(report, opts);
  const markdown = join(dir, 'report.md');
  const json = join(dir, 'report.json');
  const lastRun = lastRunPath(opts.repoRoot);
  // Why a .gitignore of its own: .wo/ must stay out of git (SPEC §5) even in a repository
  // where nobody ran the commands that add it to info/exclude.
  const ignore = join(woDir(opts.repoRoot), '.gitignore');
  if ((await readTextIfExists(ignore)) === undefined) await writeFileAtomic(ignore, '*\n');
  await writeOutputFile(markdown, renderMarkdown(report));
  await writeOutputFile(json, renderJson(report));
  // Loaded here, not at the top: markdown-it is only needed once a run is over.
  const { renderHtml } = await import('./html.js');
  const outputs = await import('./last-output.js');
  const html = join(dir, 'report.html');
  let page: string;
  try {
    const lastOutput = opts.lastOutput ?? (await outputs.readLastOutputs(report));
    await writeOutputFile(join(dir, outputs.LAST_OUTPUT_FILE), outputs.renderLastOutputs(lastOutput));
    page = renderHtml(report, { lastOutput });
  } catch (e) {
    // The page is an extra view of report.md and report.json, which are written: a page that cannot be
    // made says why instead of costing the run its report and the pointer to it.
    page = htmlProblem(e);
  }
  await writeOutputFile(html, page);
  const pointer: LastRun = {
    run_id: report.run_id,
    report_dir: dir,
    report_json: json,
    finished_at: report.finished_at,
  };
  await writeFileAtomic(lastRun, `${JSON.stringify(pointer, null, 2)}\n`);
  return { dir, markdown, json, html, lastRun };
}

/** A report.html that says it could not be made, and where the report is. */
function htmlProblem(e: unknown): string {
  const why = (e instanceof Error ? e.message : String(e)).replace(
    /[&<>"']/g,
    (c) => `&#${c.charCodeAt(0)};`,
  );
  return `<!doctype html>\n<meta charset="utf-8"><title>wo report</title>\n<p>wo could not make this page (${why}): the report is in report.md and report.json beside it. This is a bug in wo: please report it.</p>\n`;
}

function parse(text: string, what: string, fix: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`${what} is not valid JSON (${(e as Error).message}); ${fix}`, { cause: e });
  }
}

/**
 * The latest run's report, or undefined when no run has written one yet. A pointer or
 * report that cannot be read is an error that names the file and how to get past it,
 * rather than a silent "nothing failed last time".
 */
export async function readLastReport(repoRoot: string): Promise<RunReport | undefined> {
  const pointerFile = lastRunPath(repoRoot);
  const fix = `delete ${pointerFile} and run 'wo run' without --failed`;
  const text = await readTextIfExists(pointerFile);
  if (text === undefined) return undefined;
  const pointer = parse(text, pointerFile, fix);
  if (!isObject(pointer) || typeof pointer.report_json !== 'string' || !pointer.report_json) {
    throw new UsageError(`${pointerFile} is corrupt: it has no "report_json" path; ${fix}`);
  }
  const reportFile = resolve(repoRoot, pointer.report_json);
  const reportText = await readBoundedText(reportFile, REPORT_MAX_BYTES, fix);
  if (reportText === undefined) {
    throw new UsageError(`${pointerFile} points to ${reportFile}, which does not exist; ${fix}`);
  }
  const report = parse(reportText, reportFile, fix);
  if (!hasReportWorkers(report)) {
    throw new UsageError(`${reportFile} is not a wo report (no "workers" with feature and outcome); ${fix}`);
  }
  return report as unknown as RunReport;
}
