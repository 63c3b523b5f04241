// The TTY view: a listr2 task list, one task per worker, its title showing state, elapsed time and last output.
import type { ListrTaskWrapper } from 'listr2';
import type { WorkerEvent, WorkerRecord } from '../scheduler/types.js';
import { summaryText } from '../report/summary.js';
import {
  ProgressModel,
  headerText,
  nextSteps,
  notDone,
  planOutcome,
  planWorkers,
  title,
  plainStyle,
  type TitleStyle,
  type WorkerRow,
} from './model.js';
import { rehearsalMark } from './words.js';
import { renderStream, type RenderTarget } from './stream.js';
import { oneLine, radarText } from './text.js';
import type { LastLine, ProgressView } from './types.js';

export interface LiveViewOptions {
  target: RenderTarget;
  color: boolean;
  lastLine?: LastLine;
  now?: () => number;
  /** How often titles and last output lines are refreshed while a worker is live (default 1000 ms). */
  refreshMs?: number;
  /** A rehearsal (SPEC §12): the header says so, so that nobody takes it for the real run. */
  rehearsal?: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyTask = ListrTaskWrapper<any, any, any>;

interface Slot {
  state: WorkerRow;
  task?: AnyTask;
  finished: Promise<WorkerRecord | undefined>;
  resolve(record: WorkerRecord | undefined): void;
  fetching: boolean;
}

const colorStyle: TitleStyle = { dim: (t) => (t ? `\x1b[2m${t}\x1b[22m` : t) };

export function createLiveView(opts: LiveViewOptions): ProgressView {
  const now = opts.now ?? Date.now;
  const refreshMs = opts.refreshMs ?? 1000;
  const style = opts.color ? colorStyle : plainStyle;
  const stream = renderStream(opts.target, { stripColor: !opts.color });
  const model = new ProgressModel();
  const slots = new Map<string, Slot>();
  let startedAt = now();
  let running: Promise<void> | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;
  let stopped = false;

  const slot = (feature: string): Slot => {
    let s = slots.get(feature);
    if (!s) {
      let resolve!: (r: WorkerRecord | undefined) => void;
      const finished = new Promise<WorkerRecord | undefined>((r) => (resolve = r));
      s = { state: model.add(feature), finished, resolve, fetching: false };
      slots.set(feature, s);
    }
    return s;
  };

  // A best-of worker ends when its tries were judged, which comes after its rows ended (SPEC §11):
  // the first row waits for that too, or until the view stops.
  let judgedAll!: () => void;
  const judging = new Promise<void>((r) => (judgedAll = r));
  const unjudged = (): boolean =>
    planWorkers(model.workers.values()).some((g) => g.tries && planOutcome(g) === undefined);

  const width = (): number => opts.target.columns || 80;
  // The first row: counts by state and the time since the run began.
  let header: AnyTask | undefined;
  // The radar's predicted conflicts (SPEC §10), kept under the header while the run goes on.
  const warnings: string[] = [];
  // A notice drawn under the first row, so that no redraw erases it (a Ctrl-C's "press again").
  let note: string | undefined;
  const showHeader = (): void => {
    if (!header) return;
    header.title = [
      rehearsalMark(opts.rehearsal) + headerText(model.workers.values(), now() - startedAt),
      ...warnings,
    ].join('\n');
    if (note !== undefined && header.output !== note) header.output = note;
  };
  const show = (s: Slot): void => {
    if (s.task) s.task.title = title(s.state, now(), style, width());
    showHeader();
  };

  /**
   * Why one shared interval that only runs while a worker is live: the elapsed times need a
   * tick, but an idle or finished run should cost no CPU. Each tick asks for a running
   * worker's last line unless the previous request is still pending, so `lastLine` runs at
   * most once a second per worker. The interval is unref'd: it never keeps wo alive.
   */
  const tick = (): void => {
    const live = model.live();
    if (live.length === 0) {
      if (ticker) clearInterval(ticker);
      ticker = undefined;
      return;
    }
    for (const w of live) {
      const s = slot(w.feature);
      if (w.phase === 'running' && opts.lastLine && !s.fetching) {
        s.fetching = true;
        opts
          .lastLine(w.feature)
          .then((line) => {
            if (line !== undefined && s.state.phase === 'running') s.state.lastLine = oneLine(line, 500);
          })
          // A last line that cannot be read is only not shown; the next tick asks again.
          .catch(() => undefined)
          .finally(() => {
            s.fetching = false;
            if (s.state.phase === 'running') show(s);
          });
      }
      show(s);
    }
  };
  const ensureTicker = (): void => {
    if (ticker || stopped) return;
    ticker = setInterval(tick, refreshMs);
    ticker.unref();
  };

  const run = async (features: string[]): Promise<void> => {
    // Loaded here, not at the top: listr2 costs start-up time that only the live view needs.
    const { Listr, DefaultRenderer, ListrLogger, ProcessOutput } = await import('listr2');
    // Why a subclass: listr2 falls back to its line renderer whenever process.stdout is not a
    // TTY, even when we render to a terminal on stderr (`--json`) or to a test double. wo has
    // already decided that this stream is a terminal, so the renderer claims it can draw there.
    class TerminalRenderer extends DefaultRenderer {
      static override nonTTY = true;
    }
    const logger = new ListrLogger({ useIcons: true, processOutput: new ProcessOutput(stream, stream) });
    const all = () => Promise.all([...slots.values()].map((s) => s.finished));
    const headerTask = {
      title: rehearsalMark(opts.rehearsal) + headerText(model.workers.values(), 0),
      task: async (_ctx: unknown, task: AnyTask) => {
        header = task;
        showHeader();
        await all();
        if (unjudged()) await judging;
        showHeader();
        // A run with a worker not done does not end under a green tick.
        if (notDone(model.workers.values()).length > 0)
          throw new Error(headerText(model.workers.values(), now() - startedAt));
      },
      rendererOptions: { persistentOutput: true },
    };
    const list = new Listr(
      [
        headerTask,
        ...features.map((f) => ({
          title: f,
          task: async (_ctx: unknown, task: AnyTask) => {
            const s = slot(f);
            s.task = task;
            show(s);
            const record = await s.finished;
            if (!record) return task.skip(`${f} not finished`);
            show(s);
            if (record.outcome === 'skipped') return task.skip(title(s.state, now(), plainStyle, width()));
            if (record.outcome !== 'done') throw new Error(title(s.state, now(), plainStyle, width()));
          },
        })),
      ],
      {
        // The scheduler bounds concurrency; listr must run every task at once and keep going
        // when one fails.
        concurrent: true,
        exitOnError: false,
        // wo handles SIGINT itself (ends sessions, writes the report); listr's handler exits.
        registerSignalListeners: false,
        fallbackRendererCondition: false,
        silentRendererCondition: false,
        renderer: TerminalRenderer,
        rendererOptions: {
          // Redraw on title changes only (at most once a second per live worker) instead of
          // a 100 ms spinner, which keeps an idle run's CPU near zero.
          lazy: true,
          formatOutput: 'truncate',
          logger,
        },
      },
    );
    // The view only draws: the run's own outcome and errors come from the scheduler.
    await list.run().catch(() => undefined);
  };

  return {
    start(features) {
      startedAt = now();
      for (const f of features) slot(f);
      running = run(features);
    },
    judged(feature, outcome) {
      if (stopped) return;
      model.judged(feature, outcome);
      if (!unjudged()) judgedAll();
      showHeader();
    },
    onEvent(e: WorkerEvent) {
      if (stopped) return;
      const s = slot(e.feature);
      const was = s.state.live?.state;
      model.apply(e);
      if (e.type === 'finished') s.resolve(e.record);
      else if (e.type === 'preparing' || e.type === 'started') ensureTicker();
      show(s);
      // The terminal bell: a worker waits for a person (its row says what it asks). Straight to the
      // terminal: listr2 holds what is written to its stream while it draws, and drops the BEL.
      if (e.type === 'live' && e.state === 'waiting' && was !== 'waiting') opts.target.write('\x07');
    },
    notice(text) {
      if (stopped) return false;
      note = wrap(text.trim(), width() - 4);
      showHeader();
      return true;
    },
    radar(c) {
      const line = radarText(c);
      // After the list is gone, a line of its own: a prediction is never dropped.
      if (stopped) return void stream.write(`${oneLine(line, width())}\n`);
      warnings.push(oneLine(line, width()));
      showHeader();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (ticker) clearInterval(ticker);
      ticker = undefined;
      for (const s of slots.values()) s.resolve(s.state.record);
      judgedAll();
      await running;
      const end = now();
      stream.write(`${summaryText(model.counts(), end - startedAt)}\n`);
      const next = nextSteps(model.workers.values());
      if (next) stream.write(`${next}\n`);
    },
  };
}

/** Words wrapped into lines of at most `width` characters (listr2 cuts an output line at the edge). */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      if (line && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    lines.push(line);
  }
  return lines.join('\n');
}
