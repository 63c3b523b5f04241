// last_screen (SPEC §5) for a worker whose session is gone: the end of its log, as its terminal showed it.
import { runEnv, type RunEnv } from '../run/harness.js';

describe('last_screen of a crashed worker', () => {
  let r: RunEnv;
  beforeEach(() => {
    r = runEnv();
  });
  afterEach(() => r.cleanup());

  test('is the end of its log, without escape codes', async () => {
    // The task kills its session's wrapper: the session ends with no status and no exit record.
    r.writePlan(
      'version: 1\ndefaults:\n  agent: shell\n  timeout: 30s\nworkers:\n' +
        "  - feature: dies\n    task: printf '\\033[31mlast\\033[0m words\\n'; kill -KILL $PPID; sleep 5\n",
    );
    const res = await r.wo(['run']);
    expect(res.code).toBe(1);
    const w = r.report().workers[0]!;
    expect(w.outcome).toBe('crashed');
    expect(String(w.last_screen)).toContain('last words');
    expect(String(w.last_screen)).not.toContain('\x1b');
  });
});
