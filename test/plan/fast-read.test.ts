import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readPlan } from '../../src/plan/load.js';

const root = new URL('../../', import.meta.url).pathname;
const files = [
  ...readdirSync(join(root, 'test/fixtures/valid'))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(root, 'test/fixtures/valid', f)),
  ...readdirSync(join(root, 'examples')).map((f) => join(root, 'examples', f)),
  join(root, 'workers.yaml'),
];

describe('reading a plan the fast way (js-yaml) gives what yaml gives', () => {
  test.each(files)('%s', async (file) => {
    const fast = await readPlan(file, 'plan', { fast: true });
    const slow = await readPlan(file, 'plan');
    expect(fast.ok && slow.ok).toBe(true);
    if (fast.ok && slow.ok) expect(fast.value).toEqual(slow.value);
  });

  test('a plan the fast reader would read differently goes to yaml', async () => {
    const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'wo-fast-'));
    try {
      const file = join(dir, 'workers.yaml');
      writeFileSync(file, 'version: 1\nworkers:\n  - feature: a\n    task: x\n    timeout: 0b11\n');
      const read = await readPlan(file, 'plan', { fast: true });
      expect(read.ok && read.fast).toBeFalsy();
      expect(read.ok && read.value.workers).toEqual([{ feature: 'a', task: 'x', timeout: '0b11' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
