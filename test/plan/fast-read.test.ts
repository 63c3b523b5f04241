// The fast way to read a plan (js-yaml, no positions) must be taken for ordinary plans, give the
// value `yaml` gives, and hand everything else to `yaml`, so that problems keep their line:column.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlan } from '../../src/plan/index.js';
import { readPlan } from '../../src/plan/load.js';
import { issuesOf, removeTempDirs, short, tempDir } from './helpers.js';

afterAll(removeTempDirs);

const root = new URL('../../', import.meta.url).pathname;
const files = [
  ...readdirSync(join(root, 'test/fixtures/valid'))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(root, 'test/fixtures/valid', f)),
  ...readdirSync(join(root, 'examples')).map((f) => join(root, 'examples', f)),
  join(root, 'workers.yaml'),
];

/** Reads `text` as a plan file both ways. */
async function bothWays(text: string) {
  const file = join(await tempDir({ 'workers.yaml': text }), 'workers.yaml');
  return {
    fast: await readPlan(file, 'workers.yaml', { fast: true }),
    slow: await readPlan(file, 'workers.yaml'),
  };
}

/** Plans the fast way hands to `yaml`: merge keys (`<<:`) mean something else to js-yaml's core schema. */
const READ_BY_YAML = ['anchors.yaml'];

describe('reading a plan the fast way', () => {
  test.each(files)('%s gives the value yaml gives', async (file) => {
    const fast = await readPlan(file, 'plan', { fast: true });
    const slow = await readPlan(file, 'plan');
    expect(fast.ok && slow.ok).toBe(true);
    if (!fast.ok || !slow.ok) return;
    // Which way it went: js-yaml keeps no positions.
    expect(fast.locate === undefined).toBe(!READ_BY_YAML.some((name) => file.endsWith(`/${name}`)));
    expect(slow.locate).toBeDefined();
    expect(fast.value).toEqual(slow.value);
  });

  test.each([
    ['0b11: a number to js-yaml, a string in YAML 1.2', 'timeout: 0b11', { timeout: '0b11' }],
    ['a merge key, which js-yaml core keeps as a key', 'base: &b {agent: shell}\n<<: *b', { agent: 'shell' }],
  ])('%s: yaml reads it', async (_what, extra, expected) => {
    const { fast, slow } = await bothWays(`version: 1\n${extra}\nworkers: []\n`);
    expect(fast.ok && fast.locate).toBeTruthy(); // read by yaml, with positions
    expect(fast).toEqual({ ...slow, locate: expect.any(Function) });
    expect(fast.ok && fast.value).toMatchObject(expected);
  });

  test('a syntax error is reported by yaml, with its line and column', async () => {
    const { fast, slow } = await bothWays('version: 1\nworkers:\n  - feature: "login\n');
    expect(fast.ok).toBe(false);
    expect(fast).toEqual(slow);
    expect(!fast.ok && fast.issues[0]).toMatchObject({ line: 3, column: 14 });
  });

  test('a plan that is not a mapping is reported by yaml', async () => {
    const { fast, slow } = await bothWays('- feature: login\n');
    expect(fast).toEqual(slow);
    expect(!fast.ok && fast.issues[0]?.message).toMatch(/must be a mapping/);
  });
});

describe('loadPlan', () => {
  test('problems in a plan read the fast way are placed on a second, positioned reading', async () => {
    const dir = await tempDir({
      'workers.yaml': 'version: 1\nworkers:\n  - feature: login\n    taks: Implement it\n',
    });
    const issues = await issuesOf(loadPlan('workers.yaml', { cwd: dir, env: {} }));
    expect(issues.map(short)).toEqual([
      expect.stringMatching(/^3:5 workers\[0\]: .*task/),
      expect.stringMatching(/^4:5 workers\[0\]\.taks: .*task/),
    ]);
  });
});
