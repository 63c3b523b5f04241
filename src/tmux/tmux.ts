// tmux behind a small interface: every call goes to one server (-L socket when set) through a Runner.
import { commandFailed, type Runner, type RunResult } from '../process/run.js';
import { CommandError, EnvError, UsageError } from '../errors.js';
import { endGroups, endProcesses, workerProcesses } from '../process/tree.js';

export interface SessionInfo {
  name: string;
  /** Unix seconds. */
  created: number;
  panePid?: number;
  paneDead: boolean;
  attached: boolean;
  /** The worktree the session serves (the `@wo_worktree` option wo sets); undefined: not wo's. */
  owner?: string;
}

export interface NewSessionOptions {
  name: string;
  cwd: string;
  /** argv of the session's initial program (two or more elements: tmux then runs it without a shell). */
  command: string[];
  width?: number;
  height?: number;
  /** File the pane's output is appended to (pipe-pane), from the first byte on. */
  logFile?: string;
  /** Keep the pane open after its program exits. */
  remainOnExit?: boolean;
  /**
   * The worktree this session serves, recorded as the session option `@wo_worktree` (SPEC §1);
   * default `cwd`, where a worker's session starts.
   */
  owner?: string;
}

/** The session option naming the worktree a session serves (SPEC §1 session ownership). */
export const OWNER_OPTION = '@wo_worktree';

/**
 * Session names tmux accepts as they are and never reads as formats: tmux expands `#(…)` and
 * `#{…}` in `new-session -s`, and changes `.` and `:`.
 */
const SESSION_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * A value tmux expands as a format (`new-session -c`), made literal: `##` is one `#`, so no
 * `#(…)` in a path is ever run by tmux (SPEC §9).
 */
export function literalFormat(value: string): string {
  return value.replaceAll('#', '##');
}

/** The client lost a server that was exiting as it connected. */
const SERVER_GONE = /server exited unexpectedly|lost server/i;

export const MIN_TMUX = { major: 3, minor: 1 };

// "server exited unexpectedly": the last session ended while this command was connecting.
const NO_SERVER =
  /no server running|error connecting to|No such file or directory|can't find session|session not found|server exited unexpectedly/i;

export class Tmux {
  /** Which sessions are this repository's (SPEC §1), by the worktree each records; unset: all. */
  private owns?: (owner: string | undefined) => boolean;

  constructor(
    private readonly runner: Runner,
    readonly socket?: string,
    private readonly bin = 'tmux',
  ) {}

  /**
   * The same server, seen by one repository: listSessions shows, and killSession ends, only the
   * sessions whose recorded worktree `owns` accepts. Another repository's `wt-login`, or a session
   * wo did not start, is never adopted, waited on, listed or killed (SPEC §1).
   */
  scoped(owns: (owner: string | undefined) => boolean): Tmux {
    const t = new Tmux(this.runner, this.socket, this.bin);
    t.owns = owns;
    return t;
  }

  /** Whether a session is this repository's (always true for an unscoped Tmux). */
  isOwn(s: Pick<SessionInfo, 'owner'>): boolean {
    return this.owns ? this.owns(s.owner) : true;
  }

  /** The argv prefix selecting the server. */
  private args(rest: string[]): string[] {
    return this.socket ? ['-L', this.socket, ...rest] : rest;
  }

  /** The error for a tmux call that failed, naming the whole command line (socket included). */
  private failed(rest: string[], r: RunResult) {
    return commandFailed(this.bin, this.args(rest), r);
  }

  async run(rest: string[], opts: { cwd?: string; reject?: boolean } = {}) {
    return this.runner.run(this.bin, this.args(rest), { cwd: opts.cwd, reject: opts.reject });
  }

  /** tmux's version, or an EnvError saying what to install. */
  async version(): Promise<{ major: number; minor: number; text: string }> {
    let out: string;
    try {
      out = (await this.runner.run(this.bin, ['-V'])).stdout.trim();
    } catch (e) {
      if (!(e instanceof CommandError && e.notFound))
        throw new EnvError(`tmux does not work: ${(e as Error).message}`, { cause: e });
      throw new EnvError(
        `tmux is not installed or not on PATH. Install tmux ${MIN_TMUX.major}.${MIN_TMUX.minor} or newer (apt-get install tmux, brew install tmux).`,
        { cause: e },
      );
    }
    const m = /(\d+)\.(\d+)/.exec(out);
    if (!m) return { major: 99, minor: 0, text: out }; // e.g. "tmux next-3.5": assume new
    return { major: Number(m[1]), minor: Number(m[2]), text: out };
  }

  /** Exact target for a session: `=name` so that `wt-a` never matches `wt-ab`. */
  static target(name: string): string {
    return `=${name}`;
  }

  /**
   * Creates a detached session whose initial program is `command` (never typed in), in one tmux
   * call with its options and log pipe.
   */
  /** Creates the session; returns the pid of its program, as tmux printed it (undefined: not said). */
  async newSession(o: NewSessionOptions): Promise<number | undefined> {
    const argv = Tmux.newSessionArgv(o);
    const r = await this.runPastExitingServer(argv, o.cwd);
    if (r.exitCode !== 0) throw this.failed(argv, r);
    const pid = Number(r.stdout.trim().split('\n')[0]);
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  }

  /** The tmux argv creating one session, with its options and log pipe, as one command sequence. */
  static newSessionArgv(o: NewSessionOptions): string[] {
    if (!SESSION_NAME.test(o.name)) {
      throw new UsageError(
        `tmux session name "${o.name}" may hold only letters, digits, "_" and "-": fix tmux.prefix in the configuration.`,
      );
    }
    const t = Tmux.target(o.name);
    const argv = [
      'new-session',
      '-d',
      // Its program's pid, printed by the same call: what a worker's exit record is checked against.
      '-P',
      '-F',
      '#{pane_pid}',
      '-s',
      o.name,
      '-x',
      String(o.width ?? 200),
      '-y',
      String(o.height ?? 50),
      '-c',
      literalFormat(o.cwd),
      '--',
      ...o.command,
    ];
    // Option values are not expanded (no -F), so the path is recorded as it is.
    argv.push(';', 'set-option', '-t', `${t}:`, OWNER_OPTION, o.owner ?? o.cwd);
    // Chained in one tmux call (`;` as its own argument) so nothing runs between creation and these,
    // and the pane's first output is already piped.
    if (o.remainOnExit) argv.push(';', 'set-option', '-p', '-t', `${t}:`, 'remain-on-exit', 'on');
    if (o.logFile) {
      // pipe-pane's command is run by sh from the server (its cwd, its environment), so the path
      // travels as a pane option and tmux itself quotes it for sh (#{q:}): no shell reads it raw.
      argv.push(';', 'set-option', '-p', '-t', `${t}:`, '@wo_log', o.logFile);
      argv.push(';', 'pipe-pane', '-t', `${t}:`, '-o', 'exec cat >> #{q:@wo_log}');
    }
    return argv;
  }

  /**
   * A server whose last session just ended exits while a new client connects ("server exited
   * unexpectedly"): nothing was created, so asking again starts a fresh server.
   */
  private async runPastExitingServer(argv: string[], cwd: string) {
    for (let attempt = 1; ; attempt++) {
      const r = await this.run(argv, { cwd, reject: false });
      if (r.exitCode === 0 || attempt >= 5 || !SERVER_GONE.test(r.stderr)) return r;
      await new Promise((res) => setTimeout(res, 10 * attempt));
    }
  }

  async hasSession(name: string): Promise<boolean> {
    const r = await this.run(['has-session', '-t', Tmux.target(name)], { reject: false });
    return r.exitCode === 0;
  }

  /** This repository's sessions (see scoped); [] when no server is running. */
  async listSessions(): Promise<SessionInfo[]> {
    return (await this.allSessions()).filter((s) => this.isOwn(s));
  }

  /** Every session on the server, whoever's; [] when no server is running. */
  async allSessions(): Promise<SessionInfo[]> {
    // The owner comes last: a path is the only field that may hold a tab.
    const fmt = `#{session_name}\t#{session_created}\t#{pane_pid}\t#{pane_dead}\t#{session_attached}\t#{${OWNER_OPTION}}`;
    const r = await this.run(['list-panes', '-a', '-F', fmt], { reject: false });
    if (r.exitCode !== 0) {
      // "no current target": a server whose last session just ended, still answering.
      if (NO_SERVER.test(r.stderr) || /no current target/i.test(r.stderr) || r.stderr.trim() === '')
        return [];
      throw this.failed(['list-panes', '-a', '-F', fmt], r);
    }
    const seen = new Map<string, SessionInfo>();
    for (const line of r.stdout.split('\n')) {
      if (!line) continue;
      const [name = '', created, pid, dead, attached, ...owner] = line.split('\t');
      if (seen.has(name)) continue; // one entry per session (its first pane)
      seen.set(name, {
        name,
        created: Number(created),
        panePid: pid ? Number(pid) : undefined,
        paneDead: dead === '1',
        attached: attached !== undefined && attached !== '0',
        ...(owner.length > 0 && owner.join('\t') !== '' && { owner: owner.join('\t') }),
      });
    }
    return [...seen.values()];
  }

  /**
   * Kills a session and every process its worker started (SPEC §9): those are found before the
   * session goes (a program that ignores the hang-up tmux sends leaves the pane's tree when the pane
   * closes), then asked to end and, after a moment, killed. False when the session did not exist.
   */
  async killSession(name: string): Promise<boolean> {
    const fmt = `#{pane_pid}\t#{${OWNER_OPTION}}`;
    const panes = await this.run(['list-panes', '-s', '-t', Tmux.target(name), '-F', fmt], { reject: false });
    const roots: number[] = [];
    let owner: string | undefined;
    for (const line of panes.exitCode === 0 ? panes.stdout.split('\n') : []) {
      const [pid, ...rest] = line.split('\t');
      if (Number(pid) > 1) roots.push(Number(pid));
      if (rest.join('\t')) owner = rest.join('\t');
    }
    // Another repository's session (or one wo did not start) is never ended by this one.
    if (panes.exitCode === 0 && !this.isOwn({ owner })) return false;
    const procs = roots.length ? await workerProcesses(roots, owner) : [];
    const r = await this.run(['kill-session', '-t', Tmux.target(name)], { reject: false });
    // Where /proc cannot be read, the panes' process groups, which tmux made for their programs.
    if (procs === undefined) await endGroups(roots);
    else if (procs.length) await endProcesses(procs);
    if (r.exitCode === 0) return true;
    if (NO_SERVER.test(r.stderr)) return false;
    throw this.failed(['kill-session', '-t', Tmux.target(name)], r);
  }

  /** Sends keys (e.g. `C-c`) to the session's active pane. */
  async sendKeys(name: string, ...keys: string[]): Promise<boolean> {
    const r = await this.run(['send-keys', '-t', `${Tmux.target(name)}:`, ...keys], { reject: false });
    return r.exitCode === 0;
  }

  /** The argv that attaches (or, inside tmux, switches) the terminal to a session. */
  attachArgv(name: string, insideTmux: boolean): string[] {
    return [
      this.bin,
      ...this.args([insideTmux ? 'switch-client' : 'attach-session', '-t', Tmux.target(name)]),
    ];
  }

  /**
   * What the session's pane shows now, as plain text (no escape sequences): what a person who
   * attached would see. Undefined when the session is gone.
   */
  async capturePane(name: string): Promise<string | undefined> {
    const r = await this.run(['capture-pane', '-p', '-J', '-t', `${Tmux.target(name)}:`], { reject: false });
    return r.exitCode === 0 ? r.stdout : undefined;
  }
}
