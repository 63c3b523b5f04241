// `wo run`: the batch. The run itself (select, preflight, lock, schedule, report, hand-off, outputs)
// is src/run/; this command picks the views that listen to it and prints what it tells.
import { stripControl } from '../escapes.js';
import { relative } from 'node:path';
import type { Context } from '../context.js';
import type { RunEvent, RunListener } from '../run/events.js';
import type { RunOptions } from '../run/types.js';

export async function runCommand(ctx: Context, planArg: string, opts: RunOptions): Promise<number> {
  const { runPlan } = await import('../run/run.js');
  const result = await runPlan(ctx, planArg, opts, [await printer(ctx, opts)]);
  if (result.dryRun !== undefined) ctx.io.out(result.dryRun);
  if (opts.json && result.report) ctx.io.out(`${JSON.stringify(result.report, null, 2)}\n`);
  return result.code;
}

/**
 * The listener that shows a run: notices on stderr; the progress view (live on a terminal, plain
 * lines otherwise) and, under GitHub Actions, a log group per worker, on the progress stream (stdout,
 * or stderr when stdout carries --json); the report's place last.
 */
async function printer(ctx: Context, opts: RunOptions): Promise<RunListener> {
  // One after another: these share modules (words, text, github), and jest's ESM loader fails a
  // module that two concurrent imports link at once ("request for … is not in cache").
  const { createProgress } = await import('../ui/index.js');
  const { drainNotice } = await import('../ui/text.js');
  const github = await import('../report/github.js');
  const { logGroups } = await import('../ui/log-groups.js');
  const { lastOutput } = await import('../run/outputs.js');
  const { lastOutputLine } = await import('../protocol/lastline.js');
  const progress = (text: string): void => (opts.json ? ctx.io.err(text) : ctx.io.out(text));
  let view: ReturnType<typeof createProgress> | undefined;
  let groups: ReturnType<typeof logGroups> | undefined;
  return (e: RunEvent) => {
    switch (e.type) {
      case 'stage':
        return;
      case 'notice':
        // A notice may quote gh or an agent (a hand-off's error): their escapes stay out (SPEC §9).
        return ctx.io.err(stripControl(e.text));
      case 'workers-starting': {
        view = createProgress({
          io: ctx.io,
          env: ctx.env,
          toStderr: Boolean(opts.json),
          rehearsal: e.rehearsal,
          lastLine: (f) => lastOutputLine(e.worktrees[f]!),
        });
        // Under GitHub Actions each worker's story is one log group, printed when it finishes.
        if (github.isGitHubActions(ctx.env))
          groups = logGroups({ write: progress, lastOutput: (f) => lastOutput(e.worktrees[f]!) });
        return view.start(e.features);
      }
      case 'drain': {
        // The live view draws it, or a redraw would erase it; other views leave it to stderr.
        const text = drainNotice(e.live, e.pausedUntil, e.at);
        return view?.notice?.(text) ? undefined : ctx.io.err(text);
      }
      case 'workers-ended':
        // The groups, then the summary line: the report's word comes after both.
        return (async () => {
          await groups?.flush();
          await view?.stop();
        })();
      case 'judged':
        // The views count a best-of worker once, by this outcome (SPEC §11).
        return view?.judged?.(e.feature, e.outcome);
      case 'conflict-predicted':
        // The radar's line, at once (SPEC §10): in the live view's header, or a line of its own.
        return view?.radar?.({ feature: e.feature, with: e.with, files: e.files }, e.at);
      case 'integrated':
        return ctx.io.err(`wo: ${e.text}\n`);
      case 'workflow-commands':
        return progress(e.text);
      case 'report-written':
        return ctx.io.err(`Report: ${relative(ctx.cwd, e.markdown) || e.markdown}\n`);
      default:
        view?.onEvent(e);
        groups?.onEvent(e);
    }
  };
}
