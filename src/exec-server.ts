// A runner for git and tmux that forks a small shell instead of the Node.js process. Forking the
// runner (tens of megabytes of memory to map) cost about as much CPU as the git or tmux call itself;
// a `wo run` makes two such calls per worker. See scripts/wo-exec.sh for the protocol. Calls the
// shell cannot take (stdin input, a timeout, another environment, an argument with a line break)
// go to the fallback runner.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandError } from './errors.js';
import type { Runner, RunOptions, RunResult } from './exec.js';

const SCRIPT = fileURLToPath(new URL('../scripts/wo-exec.sh', import.meta.url));

interface Ref {
  ref(): void;
  unref(): void;
}

interface Pending {
  file: string;
  args: readonly string[];
  reject: boolean;
  done: (r: RunResult | Error) => void;
}

export class ForkServer implements Runner {
  private child?: ChildProcess;
  private dir?: string;
  private next = 0;
  private buffered = '';
  private readonly pending = new Map<number, Pending>();
  private failed?: Error;

  constructor(private readonly fallback: Runner) {}

  run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const plain =
      options.input === undefined &&
      options.timeoutMs === undefined &&
      options.env === undefined &&
      options.extendEnv === undefined &&
      ![file, ...args, options.cwd ?? ''].some((a) => /[\n\r]/.test(a));
    if (!plain || this.failed) return this.fallback.run(file, args, options);
    const child = this.ensure();
    if (!child || child.stdin!.writableEnded) return this.fallback.run(file, args, options);
    const id = this.next++;
    if (this.pending.size === 0) this.hold(true);
    return new Promise<RunResult>((resolve, reject) => {
      this.pending.set(id, {
        file,
        args,
        reject: options.reject !== false,
        done: (r) => (r instanceof Error ? reject(r) : resolve(r)),
      });
      const lines = [`c${options.cwd ?? '.'}`, `a${file}`, ...args.map((a) => `a${a}`), `r${id}`];
      child.stdin!.write(`${lines.join('\n')}\n`);
    });
  }

  /** Ends the shell once the calls in flight have answered. */
  close(): void {
    this.child?.stdin?.end();
    if (this.pending.size === 0) this.cleanup();
  }

  private ensure(): ChildProcess | undefined {
    if (this.child) return this.child;
    try {
      this.dir = mkdtempSync(join(tmpdir(), 'wo-exec-'));
      process.once('exit', this.onExit);
      // Its own process group: a Ctrl-C at the terminal goes to wo, which still needs git and tmux
      // to end the sessions and write the report.
      const child = spawn('/bin/sh', [SCRIPT, this.dir], {
        stdio: ['pipe', 'pipe', 'ignore'],
        detached: true,
      });
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (d: string) => this.onData(d));
      child.on('error', (e) => this.fail(e));
      child.on('close', () => this.fail(new Error('the exec shell ended')));
      child.stdin!.on('error', (e) => this.fail(e));
      // Idle, the shell does not keep wo alive; a call in flight does (see hold).
      child.unref();
      (child.stdin as unknown as Ref).unref();
      (child.stdout as unknown as Ref).unref();
      this.child = child;
      return child;
    } catch (e) {
      this.failed = e as Error;
      return undefined;
    }
  }

  private onData(d: string): void {
    this.buffered += d;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      const [idText, codeText] = line.split(' ');
      const id = Number(idText);
      const p = this.pending.get(id);
      if (!p) continue;
      this.pending.delete(id);
      p.done(this.result(id, p, Number(codeText)));
    }
    if (this.pending.size === 0) {
      this.hold(false);
      if (this.child?.stdin?.writableEnded) this.cleanup();
    }
  }

  /** While a call is in flight, its answer must keep the event loop alive. */
  private hold(on: boolean): void {
    const out = this.child?.stdout as unknown as Ref | undefined;
    if (on) out?.ref();
    else out?.unref();
  }

  private result(id: number, p: Pending, exitCode: number): RunResult | Error {
    const read = (ext: string) => {
      const path = join(this.dir!, `${id}.${ext}`);
      try {
        const text = readFileSync(path, 'utf8');
        unlinkSync(path);
        return text;
      } catch {
        return '';
      }
    };
    const r: RunResult = { stdout: read('o'), stderr: read('e'), exitCode };
    const cmd = [p.file, ...p.args].join(' ');
    // sh says "not found" with 127 where spawn reports ENOENT: the same error either way.
    if (exitCode === 127 && /not found/.test(r.stderr))
      return new CommandError(cmd, undefined, `${p.file}: command not found`);
    if (exitCode !== 0 && p.reject) return new CommandError(cmd, exitCode, r.stderr);
    return r;
  }

  /** The shell is gone: calls in flight fail, later ones go to the fallback. */
  private fail(e: Error): void {
    this.failed ??= e;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.done(new CommandError([p.file, ...p.args].join(' '), undefined, `could not run: ${e.message}`));
    }
    this.hold(false);
    this.cleanup();
  }

  private readonly onExit = () => this.cleanup();

  private cleanup(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    process.removeListener('exit', this.onExit);
  }
}
