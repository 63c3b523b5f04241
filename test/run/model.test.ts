// A worker's model reaches its agent's session (SPEC §11): `{model}` in a custom agent's command,
// and its adapter's own argument for an agent that follows one (tries: test/run/tries.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runEnv, type RunEnv } from './harness.js';

describe('model', () => {
  let r: RunEnv;
  beforeEach(() => {
    r = runEnv();
  });
  afterEach(() => r.cleanup());

  test('each worker gets its model: as {model}, or as its adapter passes it', async () => {
    r.writePlan(
      [
        'version: 1',
        'defaults: { timeout: 30s, model: sonnet }',
        'agents:',
        '  placeholder:',
        '    command: [sh, -c, \'printf "%s\\n" "$@" > "$PROBE/$WO_FEATURE"\', sh, "--llm={model}"]',
        '  follows-aider:',
        // It reports done as the protocol asks: an agent that exits 0 having done nothing is failed.
        '    command: [sh, -c, \'printf "%s\\n" "$@" > "$PROBE/$WO_FEATURE"; echo done > .worker-status\', sh]',
        '    adapter: aider',
        'workers:',
        '  - { feature: own, task: t, agent: placeholder, model: opus }',
        '  - { feature: inherited, task: t, agent: placeholder }',
        '  - { feature: adapter, task: t, agent: follows-aider, models: [haiku, opus] }',
      ].join('\n'),
    );
    const res = await r.wo(['run']);
    expect(res.code).toBe(0);
    const args = (f: string) => readFileSync(join(r.probe, f), 'utf8').trim().split('\n');
    expect(args('own')).toEqual(['--llm=opus']);
    expect(args('inherited')).toEqual(['--llm=sonnet']);
    expect(args('adapter')).toEqual(['--model', 'haiku']);
    const by = Object.fromEntries(r.report().workers.map((w) => [w.feature, w]));
    expect([by.own!.model, by.inherited!.model, by.adapter!.model]).toEqual(['opus', 'sonnet', 'haiku']);
  });

  test('an ordinary worker is try 1 of 1, in its session and its verify (SPEC §7)', async () => {
    r.writePlan(
      [
        'version: 1',
        'defaults: { agent: shell, timeout: 30s }',
        'workers:',
        '  - feature: one',
        '    task: echo "$WO_TRY/$WO_TRIES" > "$PROBE/session"',
        '    verify: echo "$WO_TRY/$WO_TRIES" > "$PROBE/verify"',
      ].join('\n'),
    );
    expect((await r.wo(['run'])).code).toBe(0);
    expect(readFileSync(join(r.probe, 'session'), 'utf8').trim()).toBe('1/1');
    expect(readFileSync(join(r.probe, 'verify'), 'utf8').trim()).toBe('1/1');
  });
});
