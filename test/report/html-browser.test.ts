// report.html in a real browser (SPEC §13): Debian's Chromium, headless, with JavaScript on and off.
// Every worker is there, the hostile agent text stays text (a script that would retitle the page does
// not run), colours are kept, and the page asks nothing of the network (a local server that its hostile
// links and images point at sees no request). A screenshot is kept in test-artifacts/.
// Skipped, saying why, only where chromium is missing and CI is not set (under CI it must be there:
// .ci/run installs the Debian package `chromium`).
import { execFile, execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderHtml } from '../../src/report/html.js';
import { Browser } from './cdp.js';
import { fixtureReport, HOSTILE_OUTPUT } from './html-fixture.js';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return (
        execFileSync('sh', ['-c', 'command -v "$1"', 'sh', name], { encoding: 'utf8' }).trim() || undefined
      );
    } catch {
      // not this name
    }
  }
  return undefined;
}

const chromium = findChromium();
if (!chromium && process.env.CI)
  throw new Error('chromium is not installed, and CI is set: install it (apt-get install -y chromium)');
const run = chromium ? describe : describe.skip;
if (!chromium)
  console.warn('html-browser.test.ts skipped: no chromium on PATH (apt-get install -y chromium)');

let dir: string;
let server: Server;
const requests: string[] = [];
let base = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wo-browser-'));
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.end('');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(async () => {
  await new Promise((ok) => server.close(ok));
  await rm(dir, { recursive: true, force: true });
});

/** Runs headless chromium's own command line with its own profile; resolves with stdout. */
function browserCli(args: string[]): Promise<string> {
  const profile = join(dir, `profile-${Math.random().toString(36).slice(2)}`);
  return new Promise((ok, fail) =>
    execFile(
      chromium!,
      [
        '--headless=new',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        `--user-data-dir=${profile}`,
        ...args,
      ],
      { encoding: 'utf8', timeout: 60_000, env: { ...process.env, HOME: dir } },
      (err, stdout, stderr) => (err ? fail(new Error(`${err.message}\n${stderr}`)) : ok(stdout)),
    ),
  );
}

/** The page's DOM after loading it with JavaScript on or off (over the DevTools protocol). */
async function withPage<T>(
  url: string,
  scripts: boolean,
  fn: (b: Browser, s: string) => Promise<T>,
): Promise<T> {
  const b = Browser.launch(chromium!, join(dir, `profile-${Math.random().toString(36).slice(2)}`), {
    ...process.env,
    HOME: dir,
  });
  try {
    return await fn(b, await b.open(url, scripts));
  } finally {
    await b.close();
  }
}
const dumpDom = (url: string, scripts: boolean) => withPage(url, scripts, (b, s) => b.html(s));

/** The elements of a serialised DOM (text is escaped there, so a `<` starts a real element). */
const tags = (html: string): string[] => html.match(/<[a-zA-Z][^>]*>/g) ?? [];

async function page(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return pathToFileURL(file).href;
}

run('report.html in Chromium', () => {
  test('the harness sees a script that runs, with JavaScript on, and not with it off', async () => {
    const url = await page('control.html', '<title>before</title><script>document.title="ran"</script>');
    expect(await dumpDom(url, true)).toContain('<title>ran</title>');
    expect(await dumpDom(url, false)).toContain('<title>before</title>');
  });

  test('every worker, hostile text inert and visible, colours kept, nothing loaded; JavaScript on and off', async () => {
    const report = fixtureReport(12, { image: `${base}/pixel.png` });
    report.workers[1]!.result += `\n\n[local](${base}/clicked)`;
    const html = renderHtml(report, {
      lastOutput: new Map([['evil', HOSTILE_OUTPUT.replace('http://127.0.0.1:9', base)]]),
    });
    const url = await page('report.html', html);
    for (const scripts of [true, false]) {
      const dom = await dumpDom(url, scripts);
      // The title is still the report's: no script, handler or link of the agent's ran.
      expect(dom).toMatch(/<title>wo report 20261123-183012-ab12: 12 workers[^<]*<\/title>/);
      expect(dom).not.toMatch(/<title>[^<]*pwned/);
      for (const [i, w] of report.workers.entries())
        expect(dom).toMatch(
          new RegExp(`id="w${i}"( open="")?><summary class="row"><span class="cut mono">${w.feature}</span>`),
        );
      // The hostile markup is in the page as text.
      expect(dom).toContain('Done &lt;script&gt;document.title="pwned-script"&lt;/script&gt;');
      expect(tags(dom).filter((t) => /^<(script|img|iframe|object|embed)\b/i.test(t))).toEqual([]);
      expect(tags(dom).filter((t) => /\son\w+=/i.test(t))).toEqual([]);
      expect(tags(dom).filter((t) => /href="javascript:/i.test(t))).toEqual([]);
      // Colours kept.
      expect(dom).toContain('<span class="f2 sb">✔ tests passed</span>');
      expect(dom).toContain('<span class="f1">ERROR</span>');
    }
    // The hostile links are links a person may follow, never followed by the page itself.
    expect(requests).toEqual([]);
  }, 120_000);

  test('the outcome filters work with JavaScript off: a click on "failed" leaves the failed workers', async () => {
    const url = await page('filters.html', renderHtml(fixtureReport(12)));
    await withPage(url, false, async (b, s) => {
      expect(await b.visible(s, '#w0')).toBe(true);
      await b.click(s, 'label[for=f-failed]');
      expect(await b.visible(s, '#w1')).toBe(true); // evil: failed
      for (const i of [0, 2, 3, 4, 5, 6, 11]) expect([i, await b.visible(s, `#w${i}`)]).toEqual([i, false]);
      await b.click(s, 'label[for=f-notdone]');
      for (const i of [1, 2, 3, 5]) expect([i, await b.visible(s, `#w${i}`)]).toEqual([i, true]);
      for (const i of [0, 4, 6]) expect([i, await b.visible(s, `#w${i}`)]).toEqual([i, false]);
      await b.click(s, 'label[for=f-all]');
      for (let i = 0; i < 12; i++) expect([i, await b.visible(s, `#w${i}`)]).toEqual([i, true]);
    });
  }, 120_000);

  test('a screenshot of a 40-worker report, kept in test-artifacts/', async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    const url = await page(
      'screenshot.html',
      renderHtml(fixtureReport(40), { lastOutput: new Map([['evil', HOSTILE_OUTPUT]]) }),
    );
    const shot = join(ARTIFACTS, 'report-html.png');
    await rm(shot, { force: true });
    await browserCli([`--screenshot=${shot}`, '--window-size=1280,1600', '--hide-scrollbars', url]);
    expect((await stat(shot)).size).toBeGreaterThan(10_000);
    expect(requests).toEqual([]);
  }, 120_000);
});
