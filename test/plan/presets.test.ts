// The presets wo runs are the ones the README documents, argument for argument.
import { readFileSync } from 'node:fs';
import { PRESETS } from '../../src/plan/presets.js';

function readmePresets(): Map<string, string> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const rows = new Map<string, string>();
  for (const m of readme.matchAll(/^\| `([a-z-]+)`(?: \(default\))? \| `([^`]+)`/gm)) rows.set(m[1]!, m[2]!);
  return rows;
}

describe('agent presets', () => {
  test('the README table lists every preset with its exact argv', () => {
    const rows = readmePresets();
    expect([...rows.keys()].sort()).toEqual(Object.keys(PRESETS).sort());
    for (const [name, def] of Object.entries(PRESETS)) expect(rows.get(name)).toBe(def.command.join(' '));
  });

  test('the flags SPEC §1 names: claude-print is -p, codex is exec, aider takes the prompt as --message', () => {
    expect(PRESETS['claude']!.command).toEqual(['claude', '{prompt}']);
    expect(PRESETS['claude-print']!.command).toContain('-p');
    expect(PRESETS['codex']!.command.slice(0, 2)).toEqual(['codex', 'exec']);
    const aider = PRESETS['aider']!.command;
    expect(aider[aider.indexOf('--message') + 1]).toBe('{prompt}');
    expect(aider).toContain('--yes-always');
    expect(PRESETS['shell']!.command).toEqual(['sh', '-c', '{task}']);
  });

  test('only the interactive claude preset waits for the status file alone', () => {
    const waits = Object.entries(PRESETS)
      .filter(([, d]) => !d.exitsWhenDone)
      .map(([n]) => n);
    expect(waits).toEqual(['claude']);
  });
});
