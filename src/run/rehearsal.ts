// The rehearsal stages (SPEC §12, `wo run --rehearse [FILE]`). `rehearsal`, before preflight: reads
// the rehearsal script, starts the scripted model server and the agents' private homes for the
// life of the run (a cleanup stops and removes them), and marks every worker's environment with
// WO_REHEARSAL=1 (SPEC §7). `rehearsal-report`, after the report is built: says "rehearsal" in it,
// with the tokens the server counted and cost 0, and which workers a step stood in for.
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { ranThisRun, runUsage } from '../report/build.js';
import { worktreesRoot } from '../worktree/layout.js';
import type { Stage } from './types.js';

export const rehearsal: Stage = {
  name: 'rehearsal',
  async run(r) {
    const { ctx, opts, plan, ws } = r;
    if (!opts.rehearse) return;
    const [{ startRehearsal }, { parseRehearsalScript, choiceWords }] = await Promise.all([
      import('../rehearsal/rehearsal.js'),
      import('../rehearsal/script.js'),
    ]);
    let script;
    if (typeof opts.rehearse === 'string') {
      const file = resolve(ctx.cwd, opts.rehearse);
      const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
        throw new UsageError(
          `cannot read the rehearsal script ${opts.rehearse} (${e.code ?? e.message}): give a YAML file of feature: ok | fail | ask | limit 20s | silent, or --rehearse alone (docs/rehearsal.md)`,
        );
      });
      script = parseRehearsalScript(text, opts.rehearse, new Set(plan.workers.map((w) => w.feature)));
    }
    r.rehearsal = await startRehearsal({
      repoRoot: ws.repoRoot,
      worktreesDir: worktreesRoot(ws.layout),
      // The selection holds a best-of worker's tries (SPEC §11), each with its own worktree.
      worktrees: Object.fromEntries(
        [...plan.workers, ...r.selected].map((w) => [w.feature, ws.locate(w.feature).worktree]),
      ),
      ...(script && { script }),
    });
    const started = r.rehearsal;
    // WO_REHEARSAL_LOG=FILE keeps every request's path and headers, to show what reached the model.
    const log = ctx.env.WO_REHEARSAL_LOG;
    r.cleanups.push(async () => {
      if (log) await writeFile(resolve(ctx.cwd, log), `${JSON.stringify(started.server.seen, null, 2)}\n`);
      await started.close();
    });
    for (const w of r.selected) w.env = { ...w.env, WO_REHEARSAL: '1' };

    const stood = r.selected.filter((w) => started.kindOf(w.agent, plan.agents[w.agent]!) === 'stand-in');
    const scripted = [...(script?.choices ?? [])].filter(([, c]) => c.choice.kind !== 'ok');
    r.notice(
      [
        `wo: rehearsal: every agent talks to a scripted model on ${started.server.url} instead of its provider (no key, no network, nothing billed); --push and --pr only say what they would do.`,
        ...(scripted.length
          ? [`wo: rehearsal script: ${scripted.map(([f, c]) => `${f} ${choiceWords(c.choice)}`).join(', ')}.`]
          : []),
        ...(stood.length
          ? [
              `wo: rehearsal: ${stood.map((w) => `${w.feature} (${w.agent})`).join(', ')}: this agent does not rehearse; a step stands in for it and writes done.`,
            ]
          : []),
        '',
      ].join('\n'),
    );
  },
};

export const rehearsalReport: Stage = {
  name: 'rehearsal-report',
  run(r) {
    const { rehearsal: on, report, plan } = r;
    if (!on) return Promise.resolve();
    report.rehearsal = true;
    const agents = new Map(plan.workers.map((w) => [w.feature, w.agent]));
    for (const w of ranThisRun(report)) {
      const agent = agents.get(w.feature) ?? w.agent ?? '';
      const def = plan.agents[agent];
      if (!def) continue;
      w.rehearsal = on.kindOf(agent, def);
      if (w.rehearsal !== 'agent' || w.attempts === 0) continue;
      // What the scripted model counted, over every attempt; nothing was billed.
      const counted = on.server.tokensOf(w.feature) ?? {
        input_tokens: 0,
        output_tokens: 0,
        cache_read_tokens: 0,
      };
      w.usage = { ...counted, cost_usd: 0 };
    }
    report.usage = runUsage(report.workers);
    return Promise.resolve();
  },
};
