// report.html from real runs (SPEC §13): `wo run` writes it next to report.md with each worker's last
// output in its terminal colours (read from the worker's log), `wo report merge` carries the shards'
// output over into the merged page, and `wo report --open` hands the latest page to an opener by argv.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runEnv, type RunEnv } from '../run/harness.js';
import { readIf, waitFor } from '../helpers.js';

describe('report.html from wo run and wo report merge', () => {
  let r: RunEnv;
  beforeEach(() => {
    r = runEnv();
  });
  afterEach(() => r.cleanup());

  const plan = () =>
    r.writePlan(
      `version: 1\nconcurrency: 2\ndefaults:\n  agent: shell\n  timeout: 30s\nworkers:\n` +
        `  - feature: red\n    task: printf '\\033[31mred line\\033[0m <script>document.title=1</script>\\n'\n` +
        `  - feature: plain\n    task: echo plain line && exit 3\n`,
    );

  test('wo run writes report.html with every worker and its last output in colour', async () => {
    plan();
    const res = await r.wo(['run', '--report', 'out']);
    expect(res.code).toBe(1); // plain exits 3
    const html = readFileSync(join(r.repo.root, 'out', 'report.html'), 'utf8');
    expect(html).toContain('<span class="cut mono">red</span>');
    expect(html).toContain('<span class="cut mono">plain</span>');
    expect(html).toContain(
      '<span class="f1">red line</span> &#60;script&#62;document.title=1&#60;/script&#62;',
    );
    expect(html).toContain('plain line');
    expect(html).not.toMatch(/<script/i);
    const outputs = JSON.parse(readFileSync(join(r.repo.root, 'out', 'last-output.json'), 'utf8'));
    expect(outputs.workers.red).toContain('\x1b[31mred line\x1b[0m');
  });

  test('wo report merge writes the merged report.html with the shards’ last output', async () => {
    plan();
    await r.wo(['run', '--shard', '1/2', '--report', 'shard1', '--timings', 't.json']);
    await r.wo(['run', '--shard', '2/2', '--report', 'shard2', '--timings', 't.json']);
    const merged = await r.wo(['report', 'merge', 'shard1', 'shard2', '--report', 'merged']);
    expect(merged.code).toBe(1);
    const html = readFileSync(join(r.repo.root, 'merged', 'report.html'), 'utf8');
    expect(html).toContain('<span class="f1">red line</span>');
    expect(html).toContain('plain line');
    expect(html).toMatch(/2 workers: 1 done, 1 failed/);
  });

  test('wo report --open runs $BROWSER with the latest report.html as one argument', async () => {
    plan();
    await r.wo(['run']);
    const bin = join(r.repo.base, 'bin');
    mkdirSync(bin);
    const seen = join(r.repo.base, 'opened');
    // A stand-in browser: records its arguments, one per line.
    writeFileSync(
      join(bin, 'browser'),
      `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a" >> "${seen}"; done\n`,
    );
    chmodSync(join(bin, 'browser'), 0o755);
    r.env.BROWSER = join(bin, 'browser');
    const res = await r.wo(['report', '--open']);
    expect(res.code).toBe(0);
    const last = JSON.parse(readFileSync(join(r.repo.root, '.wo', 'last-run.json'), 'utf8'));
    const page = join(last.report_dir, 'report.html');
    expect(res.stdout.trim()).toBe(join('.wo', 'runs', last.run_id, 'report.html'));
    expect(await waitFor(() => readIf(seen), 'the stand-in browser to run', 10_000)).toBe(`${page}\n`);
  });

  test('wo report --open with no opener: exit 3 naming the file and the fix; with no run yet: exit 2', async () => {
    const none = await r.wo(['report', '--open']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no run has written a report here yet: run wo run first');
    plan();
    await r.wo(['run']);
    r.env.BROWSER = join(r.repo.base, 'no-such-browser');
    const res = await r.wo(['report', '--open']);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(
      /could not start .*no-such-browser to open .*report\.html \(ENOENT\): open that file in a browser, or set BROWSER/,
    );
  });
});
