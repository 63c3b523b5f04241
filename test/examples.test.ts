// Every shipped example plan (examples/*.yaml) and the repository's own workers.yaml must be valid plans.
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatIssue, PlanError } from '../src/errors.js';
import { loadPlan } from '../src/plan/index.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Plans relative to the repository root; none yet is fine. */
function plans(): string[] {
  const examples = existsSync(`${ROOT}examples`)
    ? readdirSync(`${ROOT}examples`)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => `examples/${f}`)
    : [];
  return [...examples, ...(existsSync(`${ROOT}workers.yaml`) ? ['workers.yaml'] : [])];
}

test('every example plan validates', async () => {
  const failures: string[] = [];
  for (const plan of plans()) {
    try {
      // env {}: no user configuration of whoever runs the tests applies.
      await loadPlan(plan, { cwd: ROOT, env: {} });
    } catch (e) {
      if (!(e instanceof PlanError)) throw e;
      failures.push(...e.issues.map(formatIssue));
    }
  }
  expect(failures).toEqual([]);
});
