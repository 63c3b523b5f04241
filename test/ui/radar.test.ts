// The conflict radar's line in both views (SPEC §10): shown at once while the run goes on, and never
// dropped when it comes after the workers' summary.
import { createLiveView } from '../../src/ui/live.js';
import { createPlainView } from '../../src/ui/plain.js';
import { T0, sampleEvents } from './events.js';

const conflict = { feature: 'login', with: 'signup', files: ['src/auth.ts', 'src/db.ts'] };

test('plain view: a timestamped line at once, before the summary; and one after it too', async () => {
  let out = '';
  const view = createPlainView({ write: (t) => (out += t), now: () => T0 });
  view.start(['login', 'api', 'e2e']);
  view.radar!(conflict, T0 + 5000);
  expect(out).toMatch(/\] login ⚠ conflicts with signup in src\/auth\.ts, src\/db\.ts\n$/);
  for (const e of sampleEvents()) view.onEvent(e);
  await view.stop();
  view.radar!({ ...conflict, feature: 'e2e' }, T0 + 9000);
  expect(out.indexOf('login ⚠ conflicts')).toBeLessThan(out.indexOf('3 workers: 1 done'));
  expect(out).toMatch(/\] e2e ⚠ conflicts with signup in src\/auth\.ts, src\/db\.ts\n$/);
});

test('live view: under the header while the run goes on, and a line of its own after the list', async () => {
  let out = '';
  const view = createLiveView({ target: { write: (t) => (out += t), columns: 100 }, color: false });
  view.start(['login', 'api', 'e2e']);
  view.radar!(conflict, T0);
  for (const e of sampleEvents()) view.onEvent(e);
  await view.stop();
  expect(out).toContain('login ⚠ conflicts with signup in src/auth.ts, src/db.ts');
  view.radar!({ ...conflict, feature: 'e2e' }, T0);
  expect(out).toMatch(/e2e ⚠ conflicts with signup in src\/auth\.ts, src\/db\.ts\n$/);
});
