// report.html as text (SPEC §13): agent text escaped everywhere, colours as spans, no script and nothing
// loaded, filters by outcome, every worker present. The browser test (html-browser.test.ts) opens it.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ansiToHtml, escapeHtml } from '../../src/report/ansi.js';
import { renderAgentMarkdown, renderHtml } from '../../src/report/html.js';
import { rawLastLines, readLastOutputFile } from '../../src/report/last-output.js';
import { writeReport } from '../../src/report/write.js';
import { fixtureReport, HOSTILE_OUTPUT } from './html-fixture.js';

/** The page's tags (what a browser would parse as elements), text content left out. */
const tags = (html: string): string[] => html.match(/<[a-zA-Z][^>]*>/g) ?? [];

describe('ansiToHtml', () => {
  test('keeps SGR colours and styles as spans and escapes the text', () => {
    expect(ansiToHtml('\x1b[1;31mred <b>\x1b[0m plain')).toBe(
      '<span class="f1 sb">red &#60;b&#62;</span> plain',
    );
    expect(ansiToHtml('\x1b[38;5;208mo\x1b[48;2;1;2;3mx\x1b[39;49mz')).toBe(
      '<span style="color:#ff8700">o</span><span style="color:#ff8700;background:#010203">x</span>z',
    );
    expect(ansiToHtml('\x1b[38:2::255:0:0mr\x1b[m')).toBe('<span style="color:#ff0000">r</span>');
    expect(ansiToHtml('\x1b[7minv')).toBe('<span class="rvf rvb">inv</span>');
    expect(ansiToHtml('\x1b[92mbright')).toBe('<span class="f10">bright</span>');
  });

  test('a colour carries over lines; everything but SGR is removed; a redrawn line keeps its last state', () => {
    expect(ansiToHtml('\x1b[32ma\nb\x1b[0m\nc')).toBe(
      '<span class="f2">a</span>\n<span class="f2">b</span>\nc',
    );
    expect(ansiToHtml('\x1b]0;title\x07\x1b[2J\x1b[Hx\x1b[3Cy\x07\x00')).toBe('x   y');
    expect(ansiToHtml('\x1b[31m10%\r100%')).toBe('<span class="f1">100%</span>');
    expect(ansiToHtml('\x1b]8;;http://x\x07link\x1b]8;;\x07')).toBe('link');
    expect(ansiToHtml('cut short \x1b[38;5')).toBe('cut short ');
  });

  test('nothing in terminal text becomes markup', () => {
    const html = ansiToHtml(`<script>x</script>\x1b[31m" onmouseover="x\x1b[0m&amp;`);
    expect(tags(html).every((t) => /^<span( class="[a-z0-9 ]+")?( style="[a-z:#0-9;]+")?>$/.test(t))).toBe(
      true,
    );
    expect(html).toContain('&#60;script&#62;');
    expect(html).toContain('&#34; onmouseover=&#34;x');
    expect(html).toContain('&#38;amp;');
  });

  test('escapeHtml escapes the five characters that matter', () => {
    expect(escapeHtml(`<a href="x" title='y'>&`)).toBe('&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;');
  });
});

describe('agent markdown', () => {
  test('renders a safe subset: raw HTML escaped, script links and images dropped', () => {
    const html = renderAgentMarkdown(
      '# T\n\n<script>alert(1)</script> <img src=x onerror=alert(1)>\n\n[a](javascript:alert(1)) [b](https://example.com) [c](JAVASCRIPT:x) [d](data:text/html,x)\n\n![i](http://127.0.0.1/x.png)\n\n`<b>` **s**',
    );
    expect(html).toContain('<h1>T</h1>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('<a href="https://example.com" rel="noopener noreferrer nofollow">b</a>');
    expect(html).not.toMatch(/href="(javascript|data)/i);
    expect(html).not.toMatch(/<img/);
    expect(html).toContain('<code>&lt;b&gt;</code>');
    expect(html).toContain('<strong>s</strong>');
    expect(tags(html).some((t) => /\son\w+=/i.test(t))).toBe(false);
  });

  test('escape sequences in a result are removed before rendering', () => {
    expect(renderAgentMarkdown('a\x1b]0;t\x07 \x1b[31mb\x1b[0m')).toBe('<p>a b</p>\n');
  });
});

describe('renderHtml', () => {
  const report = fixtureReport(8);
  const html = renderHtml(report, { lastOutput: new Map([['evil', HOSTILE_OUTPUT]]) });

  test('one self-contained page: no script, nothing it would load, a policy that forbids both', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:`);
    expect(tags(html).filter((t) => /^<(script|iframe|object|embed|link|img|base|form)\b/i.test(t))).toEqual(
      [],
    );
    expect(tags(html).filter((t) => /\s(src|srcset|action|formaction)=/i.test(t))).toEqual([]);
    expect(tags(html).filter((t) => /\son\w+=/i.test(t))).toEqual([]);
    expect(html).not.toMatch(/url\(|@import/);
  });

  test('every worker is listed, and in the timeline when it ran', () => {
    for (const [i, w] of report.workers.entries()) {
      expect(html).toContain(`<details class="w o-${w.outcome}" id="w${i}"`);
      if (w.attempts > 0) expect(html).toContain(`<a href="#w${i}"><rect class="a o-`);
    }
    // The evil worker's two attempts, and the gap between them drawn as a wait for its rate limit.
    expect(html.match(/<rect class="a o-[a-z]+"[^>]*><title>evil attempt/g)).toHaveLength(2);
    expect(html).toContain('<line class="gap limit"');
    expect(html).toContain('<rect class="wait"');
  });

  test('the hostile text is shown as text', () => {
    expect(html).toContain('&lt;script&gt;document.title=&quot;pwned-script&quot;&lt;/script&gt;');
    expect(html).toContain('&#60;svg onload=&#34;document.title=&#39;pwned-reason&#39;&#34;&#62;');
    expect(html).toContain('&#60;script&#62;document.title=&#34;pwned-output&#34;&#60;/script&#62;');
    expect(html).not.toContain('\x1b');
    expect(html).not.toMatch(/href="javascript/i);
  });

  test('header totals and cost; outcome filters; colours kept in the last output', () => {
    expect(html).toContain('8 workers: 3 done, 1 failed, 1 timeout, 1 crashed, 1 interrupted, 1 skipped');
    expect(html).toMatch(/Cost <b>\$0\.\d+<\/b>/);
    for (const o of ['done', 'failed', 'timeout', 'crashed', 'interrupted', 'skipped']) {
      expect(html).toContain(`<input class="f" type="radio" name="filter" id="f-${o}">`);
      expect(html).toContain(`#f-${o}:checked~main details.w:not(.o-${o}){display:none}`);
      expect(html).toContain(`<label for="f-${o}">`);
    }
    expect(html).toContain('<span class="f2 sb">✔ tests passed</span>');
    expect(html).toContain('<span class="f1">ERROR</span>');
    expect(html).toContain('<span style="color:#ff8700">orange</span>');
    expect(html).toContain('<h3>Last screen</h3>');
  });

  test('the integration and tries sections appear only when the report has them', () => {
    const aTry = {
      reason: null,
      verify_passed: null,
      score: null,
      lines_changed: 3,
      usage: null,
      duration_ms: 1000,
      started_at: null,
      finished_at: null,
      branch: 'wo/a.try1',
    } as const;
    expect(html).not.toContain('id="integration"');
    expect(html).not.toContain('<h3>Tries</h3>');
    const withMore = {
      ...report,
      integration: {
        branch: 'wo-integration/x',
        base: 'main',
        merged: ['worker-0'],
        head: 'abc123',
        reason: null,
        conflicts: [{ feature: 'evil', files: ['src/<a>.ts'], with: ['worker-0'], resolution: 'skipped' }],
        not_merged: [],
        verify: {
          command: 'npm test',
          exit_code: 1,
          passed: false,
          culprit: 'evil',
          finding: 'verify passes with worker-0; fails once evil is merged',
          runs: 2,
          output: null,
        },
        outcome: 'partial' as const,
        duration_ms: 5000,
      },
      workers: report.workers.map((w, i) =>
        i === 0
          ? {
              ...w,
              tries: [
                {
                  ...aTry,
                  try: 1,
                  agent: 'claude',
                  outcome: 'done' as const,
                  verify_passed: true,
                  score: 3,
                  winner: true,
                },
                {
                  ...aTry,
                  try: 2,
                  agent: 'codex',
                  outcome: 'failed' as const,
                  reason: '<i>x</i>',
                  winner: false,
                },
              ],
            }
          : w,
      ),
    };
    const more = renderHtml(withMore);
    expect(more).toContain('<section class="sec" id="integration"><h2>Integration');
    expect(more).toContain('src/&#60;a&#62;.ts');
    expect(more).toContain('<h3>Tries</h3>');
    expect(more).toContain('&#60;i&#62;x&#60;/i&#62;');
  });

  test('at 300 workers the page stays small enough to open (size noted in docs/report-html.md)', () => {
    const big = fixtureReport(300);
    const outputs = new Map(big.workers.map((w) => [w.feature, HOSTILE_OUTPUT.repeat(10)]));
    const page = renderHtml(big, { lastOutput: outputs });
    expect(page.match(/<details class="w /g)).toHaveLength(300);
    expect(Buffer.byteLength(page)).toBeLessThan(4 * 1024 * 1024);
  });
});

describe('last output', () => {
  test('the lines since the latest start, raw; wo lines and blank ends left out', () => {
    const text = [
      '[wo] 2026-11-23T18:30:12Z wt-a started',
      'old',
      '[wo] 2026-11-23T18:31:12Z wt-a started (attempt 2)',
      '',
      '\x1b[31mred\x1b[0m',
      '[wo] exit 1',
      'last',
      '',
      '',
    ].join('\n');
    expect(rawLastLines({ text, fromStart: true })).toBe('\x1b[31mred\x1b[0m\nlast');
    expect(rawLastLines({ text: 'partial\na\nb', fromStart: false }, 1)).toBe('b');
    expect(rawLastLines({ text: '\n\n', fromStart: true })).toBeUndefined();
  });

  test('writeReport writes report.html and last-output.json next to report.md', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wo-html-'));
    try {
      const report = fixtureReport(6);
      const written = await writeReport(report, {
        repoRoot: dir,
        lastOutput: new Map([['evil', '\x1b[32mgreen\x1b[0m']]),
      });
      expect(written.html).toBe(join(written.dir, 'report.html'));
      const page = await readFile(written.html, 'utf8');
      expect(page).toContain('<span class="f2">green</span>');
      expect(await readLastOutputFile(written.dir)).toEqual(new Map([['evil', '\x1b[32mgreen\x1b[0m']]));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a page that cannot be made says why, and the report and its pointer are still written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wo-html-'));
    try {
      const broken = new Map<string, string>();
      broken[Symbol.iterator] = () => {
        throw new Error('boom <b>');
      };
      const written = await writeReport(fixtureReport(6), { repoRoot: dir, lastOutput: broken });
      expect(await readFile(written.html, 'utf8')).toContain(
        'wo could not make this page (boom &#60;b&#62;): the report is in report.md and report.json beside it',
      );
      expect(JSON.parse(await readFile(written.lastRun, 'utf8')).report_dir).toBe(written.dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
