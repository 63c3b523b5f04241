// report.html (SPEC §13): one self-contained page for a finished run or a merged report. Pure: a report
// (and the workers' last output) in, a string out. The page loads nothing (its Content-Security-Policy
// says `default-src 'none'`), runs no script at all (the filters are radio inputs and CSS), and every
// piece of text a worker or agent wrote is escaped before it is placed; agent markdown goes through
// markdown-it with raw HTML off, images off and only http(s)/mailto/#fragment links.
import MarkdownIt from 'markdown-it';
import { formatDuration } from '../plan/duration.js';
import { stripControl } from '../escapes.js';
import { ansiToHtml, escapeHtml as esc } from './ansi.js';
import { commitsCell, costCell } from './markdown.js';
import { summaryHead } from './summary.js';
import { OUTCOMES, type Outcome, type ReportWorker, type RunReport } from './types.js';

export interface HtmlOptions {
  /** Each worker's last output as its terminal wrote it (colours kept), by feature. */
  lastOutput?: ReadonlyMap<string, string>;
}

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
// An image would be a request to wherever the agent pointed it: the page makes none.
md.disable('image');
md.validateLink = (url: string) => /^(https?:|mailto:|#)/i.test(url.trim());
const defaultLinkOpen =
  md.renderer.rules.link_open ??
  ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('rel', 'noopener noreferrer nofollow');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** Agent-written markdown as HTML: escaped by markdown-it (html off), control characters removed first. */
export function renderAgentMarkdown(text: string): string {
  return md.render(stripControl(text));
}

/** What agent or program text becomes when shown as plain text: escapes gone, then escaped for HTML. */
const plain = (text: unknown): string => esc(stripControl(String(text)));

const NOT_DONE: readonly Outcome[] = ['failed', 'timeout', 'crashed', 'interrupted'];

/** An outcome for a class name: a merged report.json is read, not trusted, so an unknown word is not placed. */
const oc = (o: unknown): Outcome => (OUTCOMES.includes(o as Outcome) ? (o as Outcome) : 'failed');
/** A number (or anything) read from report.json, as text. */
const n = (v: unknown): string =>
  esc(typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? String(v) : '–');

const ms = (v: number | null | undefined): string =>
  v === null || v === undefined ? '–' : formatDuration(v);
const num = (v: number | null | undefined): string =>
  v === null || v === undefined ? '–' : v.toLocaleString('en-US');
const time = (iso: unknown): string =>
  typeof iso === 'string' && iso ? esc(iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')) : '–';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value of an unknown later key, as text: strings escaped, anything else as compact JSON, escaped. */
const anyValue = (v: unknown): string =>
  v === null || v === undefined ? '–' : plain(typeof v === 'string' ? v : JSON.stringify(v));

const STYLE = `
:root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--mut:#59636e;--line:#d1d9e0;--card:#f6f8fa;
--done:#1a7f37;--failed:#cf222e;--timeout:#bc4c00;--crashed:#8250df;--interrupted:#9a6700;--skipped:#6e7781;
--wait:#d4a72c;--limit:#0969da}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--mut:#9198a1;--line:#3d444d;--card:#151b23}}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
header,main,section.sec,.tl{max-width:1200px;margin:0 auto;padding:12px 20px}
h1{font-size:20px;margin:8px 0}h2{font-size:16px;margin:18px 0 8px}.tl summary{cursor:pointer}.tl summary h2{display:inline-block}
.meta{color:var(--mut)}.mono,code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.chips{display:flex;flex-wrap:wrap;gap:8px;margin:10px 0}
.chip{border:1px solid var(--line);border-radius:999px;padding:2px 10px;background:var(--card)}
.chip b{font-size:15px}
.badge{display:inline-block;border-radius:4px;padding:0 6px;color:#fff;font-size:12px;font-weight:600}
.o-done .badge,.badge.o-done{background:var(--done)}.o-failed .badge,.badge.o-failed{background:var(--failed)}
.o-timeout .badge,.badge.o-timeout{background:var(--timeout)}.o-crashed .badge,.badge.o-crashed{background:var(--crashed)}
.o-interrupted .badge,.badge.o-interrupted{background:var(--interrupted)}.o-skipped .badge,.badge.o-skipped{background:var(--skipped)}
svg .a.o-done{fill:var(--done)}svg .a.o-failed{fill:var(--failed)}svg .a.o-timeout{fill:var(--timeout)}
svg .a.o-crashed{fill:var(--crashed)}svg .a.o-interrupted{fill:var(--interrupted)}svg .a.o-skipped{fill:var(--skipped)}
svg text{fill:var(--fg);font:11px system-ui,sans-serif}svg .axis{stroke:var(--line)}svg .gap{stroke:var(--mut);stroke-dasharray:3 3}
svg .gap.limit{stroke:var(--limit)}svg .wait{fill:var(--wait)}svg .verify{fill:var(--limit)}svg .tick{fill:var(--mut)}
.filters{position:sticky;top:0;background:var(--bg);border-bottom:1px solid var(--line);padding:8px 0;z-index:1}
.filters label{cursor:pointer;border:1px solid var(--line);border-radius:6px;padding:2px 8px;margin-right:4px;display:inline-block}
input.f{position:absolute;opacity:0;pointer-events:none}
.row{display:grid;grid-template-columns:minmax(140px,2fr) 100px 70px 72px 160px 64px minmax(160px,4fr);gap:8px;align-items:baseline}
.head{font-weight:600;color:var(--mut);padding:6px 8px;border-bottom:1px solid var(--line)}
details.w{border-bottom:1px solid var(--line)}details.w>summary{padding:6px 8px;cursor:pointer;list-style:none}
details.w>summary::-webkit-details-marker{display:none}details.w[open]>summary{background:var(--card)}
.body{padding:4px 16px 16px}.reason{white-space:pre-wrap}
.cut{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}dl.kv dt{color:var(--mut)}dl.kv dd{margin:0}
table.t{border-collapse:collapse;margin:8px 0}table.t td,table.t th{border:1px solid var(--line);padding:2px 8px;text-align:left}
pre{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:8px;overflow:auto;max-height:480px;white-space:pre}
.result{border-left:3px solid var(--line);padding-left:12px;overflow-wrap:anywhere}.result pre{white-space:pre-wrap}
.result table{border-collapse:collapse}.result td,.result th{border:1px solid var(--line);padding:2px 8px}
.term{background:#0d1117;color:#e6edf3}
.f0{color:#484f58}.f1{color:#ff7b72}.f2{color:#3fb950}.f3{color:#d29922}.f4{color:#58a6ff}.f5{color:#bc8cff}.f6{color:#39c5cf}.f7{color:#b1bac4}
.f8{color:#6e7681}.f9{color:#ffa198}.f10{color:#56d364}.f11{color:#e3b341}.f12{color:#79c0ff}.f13{color:#d2a8ff}.f14{color:#56d4dd}.f15{color:#fff}
.b0{background:#484f58}.b1{background:#ff7b72}.b2{background:#3fb950}.b3{background:#d29922}.b4{background:#58a6ff}.b5{background:#bc8cff}.b6{background:#39c5cf}.b7{background:#b1bac4}
.b8{background:#6e7681}.b9{background:#ffa198}.b10{background:#56d364}.b11{background:#e3b341}.b12{background:#79c0ff}.b13{background:#d2a8ff}.b14{background:#56d4dd}.b15{background:#fff}
.rvf{color:#0d1117}.rvb{background:#e6edf3}.sb{font-weight:700}.sd{opacity:.7}.si{font-style:italic}.su{text-decoration:underline}.ss{text-decoration:line-through}
.none{color:var(--mut);font-style:italic}
`;

/** CSS that hides the rows of other outcomes when a filter is chosen (no script: radio inputs). */
function filterCss(): string {
  const rules = OUTCOMES.map(
    (o) => `#f-${o}:checked~main details.w:not(.o-${o}){display:none}#f-${o}:checked~main label[for=f-${o}]`,
  );
  return [
    ...rules.map((r) => `${r}{background:var(--card);border-color:var(--fg)}`),
    `#f-notdone:checked~main details.w:is(.o-done,.o-skipped){display:none}`,
    `#f-notdone:checked~main label[for=f-notdone],#f-all:checked~main label[for=f-all]{background:var(--card);border-color:var(--fg)}`,
  ].join('\n');
}

function header(r: RunReport & Record<string, unknown>): string {
  const chips = OUTCOMES.filter((o) => r.summary[o] > 0).map(
    (o) => `<span class="chip o-${o}"><span class="badge">${o}</span> <b>${r.summary[o]}</b></span>`,
  );
  const u = r.usage;
  const costNote =
    u && u.cost_usd !== null
      ? r.workers.some((w) => w.from_run === null && w.attempts > 0 && w.usage?.cost_usd == null)
        ? ' (some agents reported no cost: not included)'
        : ''
      : '';
  const cost = u
    ? u.cost_usd === null
      ? 'not reported'
      : costCell({ usage: u }) + costNote
    : 'not reported';
  const tokens = u
    ? [
        u.input_tokens !== null && `${num(u.input_tokens)} in`,
        u.output_tokens !== null && `${num(u.output_tokens)} out`,
        u.cache_read_tokens !== null && `${num(u.cache_read_tokens)} cache read`,
      ].filter(Boolean)
    : [];
  const carried = r.workers.filter((w) => w.from_run !== null).length;
  return `<header>
<h1>wo report${r.rehearsal === true ? ' <span class="badge o-interrupted">rehearsal</span>' : ''}</h1>
<div class="meta">run <span class="mono">${plain(r.run_id)}</span> · plan <span class="mono">${plain(r.plan)}</span>${
    r.shard ? ` · shard ${n(r.shard.index)}/${n(r.shard.total)}` : ''
  } · ${time(r.started_at)} → ${time(r.finished_at)} · ${ms(r.duration_ms)}</div>
<div class="chips"><span class="chip"><b>${plain(summaryHead(r.summary))}</b></span>${chips.join('')}</div>
<div>Cost <b>${esc(cost)}</b>${tokens.length ? ` · tokens ${tokens.join(', ')}` : ''}${
    carried
      ? ` · ${carried} worker${carried === 1 ? '' : 's'} carried over from earlier runs (not counted)`
      : ''
  }</div>
</header>`;
}

interface Span {
  start: number;
  end: number;
}
const spanOf = (v: unknown): Span | undefined => {
  if (!isRecord(v)) return undefined;
  const start = typeof v.started_at === 'string' ? Date.parse(v.started_at) : NaN;
  const end = typeof v.finished_at === 'string' ? Date.parse(v.finished_at) : NaN;
  return Number.isFinite(start) && Number.isFinite(end) && end >= start ? { start, end } : undefined;
};

const TIMELINE_OPEN = 60;

/** The SVG timeline: one row per worker (and per try when tries carry times), its attempts as bars. */
function timeline(r: RunReport & Record<string, unknown>, ids: Map<ReportWorker, string>): string {
  const ran = r.workers.filter((w) => w.from_run === null);
  const t0 = Date.parse(r.started_at);
  let t1 = Date.parse(r.finished_at);
  for (const w of ran) for (const a of w.attempt_details ?? []) t1 = Math.max(t1, Date.parse(a.finished_at));
  if (!Number.isFinite(t0) || !Number.isFinite(t1) || ran.length === 0) return '';
  const span = Math.max(1, t1 - t0);
  const W = 1000;
  const L = 200; // the labels' column
  const ROW = 18;
  const x = (t: number) => L + ((Math.max(t0, Math.min(t1, t)) - t0) / span) * (W - L - 10);
  const rows: string[] = [];
  let y = 24;
  const label = (text: string, href: string, title: string) =>
    `<a href="#${href}"><text x="4" y="${y + 12}">${plain(text.length > 30 ? `${text.slice(0, 29)}…` : text)}<title>${title}</title></text></a>`;
  for (const w of ran) {
    const id = ids.get(w)!;
    const parts: string[] = [label(w.feature, id, `${plain(w.feature)}: ${oc(w.outcome)}`)];
    const attempts = (w.attempt_details ?? [])
      .map((a) => ({ a, s: spanOf(a) }))
      .filter((p): p is { a: (typeof p)['a']; s: Span } => p.s !== undefined);
    let prev: Span | undefined;
    for (const { a, s } of attempts) {
      if (prev && s.start > prev.end) {
        const limit = (w.rate_limited_ms ?? 0) > 0;
        parts.push(
          `<line class="gap${limit ? ' limit' : ''}" x1="${x(prev.end).toFixed(1)}" x2="${x(s.start).toFixed(1)}" y1="${y + 8}" y2="${y + 8}"><title>${
            limit ? `waiting for the rate limit (${ms(w.rate_limited_ms)} in all)` : 'between attempts'
          }</title></line>`,
        );
      }
      const bx = x(s.start);
      const bw = Math.max(2, x(s.end) - bx);
      parts.push(
        `<a href="#${id}"><rect class="a o-${oc(a.outcome)}" x="${bx.toFixed(1)}" y="${y + 2}" width="${bw.toFixed(1)}" height="12" rx="2"><title>${plain(
          `${w.feature} attempt ${String(a.attempt)}: ${oc(a.outcome)}${a.reason ? ` — ${a.reason}` : ''} (${ms(s.end - s.start)})`,
        )}</title></rect></a>`,
      );
      prev = s;
    }
    // A wait for a person has a total, not a place in time: a thin bar of that length from the start.
    const start = attempts[0]?.s.start;
    if (start !== undefined && (w.waiting_ms ?? 0) > 0) {
      const wx = x(start);
      parts.push(
        `<rect class="wait" x="${wx.toFixed(1)}" y="${y + 14}" width="${Math.max(2, x(start + w.waiting_ms!) - wx).toFixed(1)}" height="3"><title>waited for a person: ${ms(w.waiting_ms)} in all</title></rect>`,
      );
    }
    const verify = (w as unknown as Record<string, unknown>).verify;
    const vs = spanOf(verify);
    if (vs)
      parts.push(
        `<rect class="verify" x="${x(vs.start).toFixed(1)}" y="${y + 14}" width="${Math.max(2, x(vs.end) - x(vs.start)).toFixed(1)}" height="3"><title>verify (${ms(vs.end - vs.start)})</title></rect>`,
      );
    rows.push(`<g class="o-${oc(w.outcome)}">${parts.join('')}</g>`);
    y += ROW;
    const tries = (w as unknown as Record<string, unknown>).tries;
    if (Array.isArray(tries))
      for (const t of tries) {
        const ts = spanOf(t);
        if (!ts || !isRecord(t)) continue;
        const outcome = OUTCOMES.includes(t.outcome as Outcome) ? (t.outcome as Outcome) : 'failed';
        rows.push(
          `<g>${label(`  try ${String(t.try)}`, id, `${plain(w.feature)} try ${anyValue(t.try)}`)}<rect class="a o-${outcome}" x="${x(ts.start).toFixed(1)}" y="${y + 4}" width="${Math.max(2, x(ts.end) - x(ts.start)).toFixed(1)}" height="8" rx="2"><title>try ${anyValue(t.try)}: ${outcome}</title></rect></g>`,
        );
        y += ROW;
      }
  }
  const integ = spanOf(r.integration);
  if (integ) {
    rows.push(
      `<g>${label('integration', 'integration', 'integration')}<rect class="a o-done" x="${x(integ.start).toFixed(1)}" y="${y + 2}" width="${Math.max(2, x(integ.end) - x(integ.start)).toFixed(1)}" height="12" rx="2"><title>integration</title></rect></g>`,
    );
    y += ROW;
  }
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const tx = L + f * (W - L - 10);
    return `<line class="axis" x1="${tx.toFixed(1)}" x2="${tx.toFixed(1)}" y1="16" y2="${y}"/><text class="tick" x="${tx.toFixed(1)}" y="12" text-anchor="${f === 1 ? 'end' : f === 0 ? 'start' : 'middle'}">${ms(f * span)}</text>`;
  });
  // A long timeline would push the table far down: past TIMELINE_OPEN rows it starts closed.
  const open = rows.length <= TIMELINE_OPEN ? ' open' : '';
  return `<section class="tl"><details${open}><summary><h2>Timeline</h2></summary>
<svg role="img" aria-label="timeline of the workers' attempts" viewBox="0 0 ${W} ${y + 4}" width="100%" xmlns="http://www.w3.org/2000/svg">
${ticks.join('')}
${rows.join('\n')}
</svg>
<div class="meta">Bars: attempts, coloured by outcome. Dashed: between attempts (blue: waiting for a rate limit). Thin yellow: time waiting for a person (its total). Thin blue: verify.</div>
</details></section>`;
}

function kv(pairs: Array<[string, string | undefined]>): string {
  const shown = pairs.filter((p): p is [string, string] => p[1] !== undefined);
  return shown.length
    ? `<dl class="kv">${shown.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`
    : '';
}

function usageText(u: ReportWorker['usage']): string | undefined {
  if (!u) return undefined;
  const parts = [
    u.cost_usd !== null && costCell({ usage: u }),
    u.input_tokens !== null && `${num(u.input_tokens)} tokens in`,
    u.output_tokens !== null && `${num(u.output_tokens)} out`,
    u.cache_read_tokens !== null && `${num(u.cache_read_tokens)} cache read`,
  ].filter((p): p is string => typeof p === 'string');
  return parts.length ? esc(parts.join(' · ')) : undefined;
}

function triesTable(tries: unknown): string {
  if (!Array.isArray(tries) || tries.length === 0) return '';
  const rows = tries.filter(isRecord).map((t) => {
    const u = isRecord(t.usage) ? (t.usage as unknown as ReportWorker['usage']) : null;
    return `<tr><td>${anyValue(t.try)}${t.winner === true ? ' ★' : ''}</td><td>${anyValue(t.agent)}</td><td>${anyValue(t.outcome)}</td><td>${anyValue(t.verify_passed)}</td><td>${anyValue(t.score)}</td><td>${anyValue(t.lines_changed)}</td><td>${usageText(u) ?? '–'}</td><td>${typeof t.duration_ms === 'number' ? ms(t.duration_ms) : '–'}</td><td class="mono">${anyValue(t.branch)}</td><td>${anyValue(t.reason)}</td></tr>`;
  });
  return `<h3>Tries</h3><table class="t"><tr><th>try</th><th>agent</th><th>outcome</th><th>verify</th><th>score</th><th>lines</th><th>usage</th><th>duration</th><th>branch</th><th>reason</th></tr>${rows.join('')}</table>`;
}

function workerBody(w: ReportWorker, lastOutput: string | undefined): string {
  const ext = w as unknown as Record<string, unknown>;
  const attempts = (w.attempt_details ?? []).map(
    (a) =>
      `<tr><td>${n(a.attempt)}</td><td><span class="badge o-${oc(a.outcome)}">${oc(a.outcome)}</span></td><td>${time(a.started_at)}</td><td>${ms(a.duration_ms)}</td><td>${n(a.exit_code)}</td><td>${a.adopted ? 'adopted' : ''}</td><td class="reason">${a.reason ? plain(a.reason) : ''}</td></tr>`,
  );
  const d = w.diffstat;
  const parts = [
    w.reason ? `<h3>Reason</h3><div class="reason">${plain(w.reason)}</div>` : '',
    kv([
      [
        'carried over from run',
        w.from_run !== null ? `<span class="mono">${plain(w.from_run)}</span>` : undefined,
      ],
      ['branch', w.branch ? `<span class="mono">${plain(w.branch)}</span>` : undefined],
      ['worktree', w.worktree ? `<span class="mono">${plain(w.worktree)}</span>` : undefined],
      [
        'agent',
        w.agent
          ? `${plain(w.agent)}${w.agent_version ? ` <span class="meta">${plain(w.agent_version)}</span>` : ''}`
          : undefined,
      ],
      ['model', typeof ext.model === 'string' ? plain(ext.model) : undefined],
      ['started', w.started_at ? `${time(w.started_at)} → ${time(w.finished_at)}` : undefined],
      ['exit code', w.exit_code !== null ? n(w.exit_code) : undefined],
      ['commits', w.commits !== null ? esc(commitsCell(w)) : undefined],
      [
        'diffstat',
        d ? `${d.files} file${d.files === 1 ? '' : 's'}, +${d.insertions} −${d.deletions}` : undefined,
      ],
      ['usage', usageText(w.usage)],
      ['waiting for a person', w.waiting_ms ? ms(w.waiting_ms) : undefined],
      ['waiting for a rate limit', w.rate_limited_ms ? ms(w.rate_limited_ms) : undefined],
      ['pushed', w.pushed !== null ? (w.pushed ? 'yes' : 'no') : undefined],
      [
        'pull request',
        w.pr_url
          ? /^https?:\/\//i.test(w.pr_url)
            ? `<a href="${esc(w.pr_url)}" rel="noopener noreferrer">${plain(w.pr_url)}</a>`
            : plain(w.pr_url)
          : undefined,
      ],
      [
        'hand-off problem',
        w.handoff_error ? `<span class="reason">${plain(w.handoff_error)}</span>` : undefined,
      ],
      ['verify', isRecord(ext.verify) ? anyValue(ext.verify) : undefined],
    ]),
    attempts.length
      ? `<h3>Attempts</h3><table class="t"><tr><th>#</th><th>outcome</th><th>started</th><th>duration</th><th>exit</th><th></th><th>reason</th></tr>${attempts.join('')}</table>`
      : '',
    triesTable(ext.tries),
    `<h3>Result</h3>${w.result ? `<div class="result">${renderAgentMarkdown(w.result)}</div>` : '<p class="none">no result file</p>'}`,
    lastOutput ? `<h3>Last output</h3><pre class="term">${ansiToHtml(lastOutput)}</pre>` : '',
    w.last_screen ? `<h3>Last screen</h3><pre class="term">${ansiToHtml(w.last_screen)}</pre>` : '',
  ];
  return parts.filter(Boolean).join('\n');
}

function workers(r: RunReport, ids: Map<ReportWorker, string>, opts: HtmlOptions): string {
  const notDone = r.workers.filter((w) => NOT_DONE.includes(w.outcome)).length;
  // The workers that went wrong are open from the start, unless there are too many to read that way.
  const openBad = notDone <= 25;
  const labels = [
    `<label for="f-all">all ${r.workers.length}</label>`,
    notDone ? `<label for="f-notdone">not done ${notDone}</label>` : '',
    ...OUTCOMES.map((o) => {
      const count = r.workers.filter((w) => w.outcome === o).length;
      return count ? `<label for="f-${o}"><span class="badge o-${o}">${o}</span> ${count}</label>` : '';
    }),
  ].join('');
  const rows = r.workers.map((w) => {
    const open = openBad && NOT_DONE.includes(w.outcome) ? ' open' : '';
    const reason = w.reason ? plain(w.reason.trim().split(/\r?\n/)[0]!) : '';
    return `<details class="w o-${oc(w.outcome)}" id="${ids.get(w)!}"${open}><summary class="row"><span class="cut mono">${plain(w.feature)}</span><span><span class="badge">${oc(w.outcome)}</span>${w.from_run !== null ? ' <span class="meta">earlier</span>' : ''}</span><span>${ms(w.duration_ms)}</span><span>${n(w.attempts)}</span><span>${esc(commitsCell(w))}</span><span>${esc(costCell(w))}</span><span class="cut">${reason}</span></summary>
<div class="body">${workerBody(w, opts.lastOutput?.get(w.feature))}</div></details>`;
  });
  return `<main><h2>Workers</h2>
<div class="filters">Show: ${labels}</div>
<div class="row head"><span>worker</span><span>outcome</span><span>duration</span><span>attempts</span><span>commits</span><span>cost</span><span>reason</span></div>
${rows.join('\n')}
</main>`;
}

/** SPEC §10's integration section, when the report has one. */
function integration(r: Record<string, unknown>): string {
  const i = r.integration;
  if (!isRecord(i)) return '';
  const list = (v: unknown) => (Array.isArray(v) && v.length ? v.map((x) => anyValue(x)).join(', ') : '–');
  const conflicts = Array.isArray(i.conflicts) ? i.conflicts.filter(isRecord) : [];
  // The radar's predictions sit beside the integration in report.json (SPEC §10).
  const predicted = Array.isArray(r.predicted_conflicts) ? r.predicted_conflicts.filter(isRecord) : [];
  const conflictRows = (cs: Record<string, unknown>[]) =>
    `<table class="t"><tr><th>worker</th><th>files</th><th>with</th></tr>${cs
      .map(
        (c) =>
          `<tr><td>${anyValue(c.feature)}</td><td class="mono">${list(c.files)}</td><td>${list(c.with)}</td></tr>`,
      )
      .join('')}</table>`;
  const v = isRecord(i.verify) ? i.verify : undefined;
  return `<section class="sec" id="integration"><h2>Integration ${
    typeof i.outcome === 'string'
      ? `<span class="badge o-${i.outcome === 'integrated' ? 'done' : i.outcome === 'partial' ? 'interrupted' : 'failed'}">${plain(i.outcome)}</span>`
      : ''
  }</h2>
${kv([
  ['branch', i.branch !== undefined ? `<span class="mono">${anyValue(i.branch)}</span>` : undefined],
  ['base', i.base !== undefined ? `<span class="mono">${anyValue(i.base)}</span>` : undefined],
  ['head', i.head !== undefined ? `<span class="mono">${anyValue(i.head)}</span>` : undefined],
  ['merged', list(i.merged)],
  ['not merged', list(i.not_merged)],
  [
    'verify',
    v
      ? `${anyValue(v.command)} · ${v.passed === true ? 'passed' : v.passed === false ? 'failed' : '–'}${v.exit_code !== undefined ? ` (exit ${anyValue(v.exit_code)})` : ''}`
      : undefined,
  ],
  ['culprit', v && v.culprit ? anyValue(v.culprit) : undefined],
  ['duration', typeof i.duration_ms === 'number' ? ms(i.duration_ms) : undefined],
])}
${conflicts.length ? `<h3>Conflicts</h3>${conflictRows(conflicts)}` : ''}
${predicted.length ? `<h3>Predicted conflicts</h3>${conflictRows(predicted)}` : ''}
</section>`;
}

/**
 * The whole page. No element of it comes from a worker unescaped: features, reasons, results (through
 * markdown-it with HTML off), last output (through ansiToHtml) and every later key are escaped.
 */
export function renderHtml(report: RunReport, opts: HtmlOptions = {}): string {
  const r = report as RunReport & Record<string, unknown>;
  const ids = new Map(report.workers.map((w, i) => [w, `w${i}`]));
  const radios = ['all', 'notdone', ...OUTCOMES]
    .map((f) => `<input class="f" type="radio" name="filter" id="f-${f}"${f === 'all' ? ' checked' : ''}>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>wo report ${plain(r.run_id)}: ${plain(summaryHead(r.summary))}</title>
<style>${STYLE}${filterCss()}</style>
</head>
<body>
${header(r)}
${timeline(r, ids)}
${integration(r)}
${radios}
${workers(report, ids, opts)}
<footer class="sec meta" style="max-width:1200px;margin:0 auto;padding:12px 20px">Written by wo (worker-orchestrator). This page loads nothing and runs no script.</footer>
</body>
</html>
`;
}
