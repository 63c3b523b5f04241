// argv -> command. The one place that turns errors into messages and exit codes (SPEC §6).
// Commands are imported lazily so that `wo --version` pays for none of them.
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { ExitCode, fileSystemProblem, UsageError, WoError } from './errors.js';
import { stripControl } from './escapes.js';
import { processOutput, type Context } from './context.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

const list = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`expected a whole number >= 1, got "${v}"`);
  return n;
};

/** `--pr` alone is true; `--pr each` keeps one pull request per worker when a plan integrates (SPEC §10). */
const prMode = (v: string): 'each' => {
  if (v !== 'each')
    throw new UsageError(
      `--pr takes no value or "each", not "${v}" (a plan goes before the flags: wo run ${v} --pr)`,
    );
  return v;
};

export function buildProgram(ctx: Context, setCode: (code: number) => void): Command {
  const program = new Command('wo');
  const act =
    <A extends unknown[]>(load: () => Promise<(ctx: Context, ...a: A) => Promise<number>>) =>
    async (...a: A) => {
      const fn = await load();
      setCode(await fn(ctx, ...a));
    };

  program
    .description('Run coding agents in parallel, one per git worktree and tmux session.')
    .version(version(), '-V, --version')
    .showSuggestionAfterError(true)
    .showHelpAfterError(true)
    .configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) })
    .exitOverride();

  program
    .command('run')
    .description('run a plan: create worktrees, start workers, wait, write the report')
    .argument('[plan]', 'the plan file', 'workers.yaml')
    .option('--only <features>', 'run only these workers (comma-separated)', list)
    .option('--failed', "re-run only the workers whose last outcome was not 'done'")
    .option('-j, --concurrency <n>', 'workers running at once', positiveInt)
    .option('--timeout <duration>', 'time limit per worker (90s, 10m, 1h30m)')
    .option('--dry-run', 'print what would be created and run; change nothing')
    .option('--report <dir>', 'write the report to this folder')
    .option('--json', 'print the final report as JSON on stdout')
    .option('--keep-sessions', 'leave finished sessions open for inspection')
    .option('--junit <file>', 'also write the report as JUnit XML to this file')
    .option(
      '--shard <i/n|auto>',
      "run the i-th of n parts of the plan (one job of a CI matrix); auto: from the CI's parallel-job variables",
    )
    .option('--timings <file>', 'worker durations that --shard balances by (default .wo/timings.json)')
    .option('--push', 'push the branch of each done worker with commits to the remote (never forced)')
    .option(
      '--pr [each]',
      'also open a draft pull request per pushed branch with gh (implies --push); with integrate: one for the integration branch, "each" keeps one per worker',
      prMode,
    )
    .option(
      '--rehearse [file]',
      'run every agent against a scripted model on 127.0.0.1: no key, $0 (docs/rehearsal.md)',
    )
    .action(act(async () => (await import('./commands/run.js')).runCommand));

  program
    .command('integrate')
    .description("merge the plan's latest done workers into one fresh branch and verify it; runs no worker")
    .argument('[plan]', 'the plan file', 'workers.yaml')
    .option('--only <features>', 'integrate only these workers (comma-separated)', list)
    .option('--push', 'push the integration branch to the remote (never forced)')
    .option(
      '--pr [each]',
      'also open one draft pull request for it with gh; "each": one per merged worker',
      prMode,
    )
    .option('--json', "print the integration (report.json's integration) as JSON on stdout")
    .option('--junit <file>', 'also write the integration as a JUnit testcase to this file')
    .action(act(async () => (await import('./commands/integrate.js')).integrateCommand));

  const report = program
    .command('report')
    .description('work with the reports of runs')
    .option('--open', "open the latest run's report.html in a browser ($BROWSER, open or xdg-open)")
    .action(act(async () => (await import('./commands/report.js')).reportOpenCommand));
  report
    .command('merge')
    .description("join the report folders of a run's shards into one report")
    .argument('<dirs...>', 'report folders (or folders holding them, one level down)')
    .option('--report <dir>', 'write the merged report to this folder')
    .option('--junit <file>', 'also write the merged report as JUnit XML to this file')
    .option('--timings <file>', 'the timings file to update (default .wo/timings.json)')
    .action(act(async () => (await import('./commands/report.js')).reportMergeCommand));
  for (const c of report.commands) c.exitOverride().configureOutput(program.configureOutput());

  program
    .command('init')
    .description('write a commented starter workers.yaml (and a CI workflow); never overwrites')
    .addOption(
      new Option('--ci <provider>', 'also write a CI pipeline (only that, next to an existing plan)').choices(
        ['github', 'gitlab', 'buildkite', 'kubernetes'],
      ),
    )
    .action(act(async () => (await import('./commands/init.js')).initCommand));

  program
    .command('validate')
    .description('check a plan; print ok or every problem')
    .argument('[plan]', 'the plan file', 'workers.yaml')
    .action(act(async () => (await import('./commands/validate.js')).validateCommand));

  program
    .command('spawn')
    .description('start one worker in its worktree')
    .argument('<feature>', 'the worker name')
    .argument('<task>', 'what the agent should do')
    .option('--agent <name>', 'agent preset or custom agent')
    .option('--base <ref>', "ref a new worktree's branch starts from")
    .option('--create', 'create the worktree when it is missing')
    .action(act(async () => (await import('./commands/spawn.js')).spawnCommand));

  program
    .command('status')
    .description('show workers: WORKER │ STATUS │ DURATION │ LAST OUTPUT')
    .argument('[feature]', 'one worker')
    .option('--json', 'print JSON')
    .action(act(async () => (await import('./commands/status.js')).statusCommand));

  program
    .command('collect')
    .description('print the results of done/failed workers')
    .argument('[feature]', 'one worker')
    .option('--json', 'print JSON')
    .action(act(async () => (await import('./commands/collect.js')).collectCommand));

  program
    .command('kill')
    .description("end a worker's session (results are kept)")
    .argument('<feature>', 'the worker name')
    .option('--force', 'kill even when the worker is running')
    .action(act(async () => (await import('./commands/kill.js')).killCommand));

  program
    .command('kill-all')
    .description('end every worker session (results are kept)')
    .option('--force', 'kill even when workers are running')
    .action(act(async () => (await import('./commands/kill-all.js')).killAllCommand));

  program
    .command('list')
    .description('list active worker sessions')
    .option('--json', 'print JSON')
    .action(act(async () => (await import('./commands/list.js')).listCommand));

  program
    .command('attach')
    .description("attach the terminal to a worker's session")
    .argument('<feature>', 'the worker name')
    .action(act(async () => (await import('./commands/attach.js')).attachCommand));

  program
    .command('logs')
    .description("print a worker's log")
    .argument('<feature>', 'the worker name')
    .option('-f, --follow', 'keep printing as the log grows')
    .option(
      '--raw',
      "print the log's bytes, escape sequences and all (a terminal otherwise gets them stripped)",
    )
    .action(act(async () => (await import('./commands/logs.js')).logsCommand));

  program
    .command('clean')
    .description("remove finished workers' worktrees and sessions")
    .argument('[feature]', 'one worker')
    .addOption(new Option('--force', 'remove even with uncommitted changes or unmerged commits'))
    .action(act(async () => (await import('./commands/clean.js')).cleanCommand));

  program
    .command('doctor')
    .description('check git, tmux, agent commands and the repository')
    .action(act(async () => (await import('./commands/doctor.js')).doctorCommand));

  for (const c of program.commands) c.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/** Runs wo with argv (without node and script) and returns the exit code; never exits itself. */
export async function main(argv: string[], ctx: Context): Promise<number> {
  let code: number = ExitCode.ok;
  const program = buildProgram(ctx, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    // The one exit point: every error becomes a message and an exit code here.
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0)
        return ExitCode.ok;
      // commander already printed the message and the usage; usage errors are exit 2 (SPEC §6).
      return ExitCode.usage;
    }
    if (e instanceof WoError) {
      // A message may quote a program (gh's, git's, an agent's stderr): its escapes stay out (SPEC §9).
      ctx.io.err(`wo: ${stripControl(e.message)}\n`);
      return e.exitCode;
    }
    const problem = fileSystemProblem(e);
    if (problem !== undefined) {
      ctx.io.err(`wo: ${problem}\n`);
      return ExitCode.environment;
    }
    ctx.io.err(unexpectedError(e, ctx.env));
    return 1;
  }
}

/** An error no command expected: its message, the stack with WO_DEBUG set, and how to report it. */
export function unexpectedError(e: unknown, env: NodeJS.ProcessEnv): string {
  const message = e instanceof Error ? e.message : String(e);
  const stack = env.WO_DEBUG && e instanceof Error && e.stack ? `${e.stack}\n` : '';
  const how = env.WO_DEBUG
    ? 'with the command you ran and this message'
    : 'with the command you ran and this message (run it again with WO_DEBUG=1 to add the stack)';
  return `wo: unexpected error: ${message}\n${stack}This is a bug in wo: please report it ${how}.\n`;
}

export async function cliEntry(): Promise<void> {
  // Output piped into `head` closes the pipe early: that is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  const controller = new AbortController();
  const drain = new AbortController();
  const ctx: Context = {
    cwd: process.cwd(),
    env: process.env,
    io: processOutput,
    signal: controller.signal,
    drain: drain.signal,
  };
  const onSignal = (sig: NodeJS.Signals) => {
    // A command with nothing to clean up, or a signal after the run was told to end, exits at once.
    if (!ctx.trapInterrupts || controller.signal.aborted) process.exit(ExitCode.interrupted);
    // SPEC §4: a first Ctrl-C stops starting workers and lets running ones finish (an accidental
    // Ctrl-C must not end an hour of agent work); a second, or SIGTERM, ends them.
    if (sig === 'SIGINT' && !drain.signal.aborted) {
      drain.abort(sig);
      return;
    }
    controller.abort(sig);
    // However the ending goes, wo ends (SPEC §9): sessions get their grace, the report its moment.
    setTimeout(() => process.exit(ExitCode.interrupted), 30_000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await main(process.argv.slice(2), ctx);
  process.exitCode = code;
  // Let stdout drain before leaving; no open handles should remain after main().
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}
