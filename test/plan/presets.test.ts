// The presets wo runs are the ones the README documents, argument for argument.
import { readFileSync } from 'node:fs';
import { AGENTS } from '../../src/agents/index.js';
import { PRESETS } from '../../src/plan/presets.js';
import { readSchema } from '../../src/plan/schema.js';

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

  test('the flags SPEC §1 names: claude-print is -p with streamed JSON, codex is exec in workspace-write, aider reads the prompt file', () => {
    expect(PRESETS['claude']!.command.slice(0, 2)).toEqual(['claude', '{prompt}']);
    const print = PRESETS['claude-print']!.command;
    expect(print.slice(0, 3)).toEqual(['claude', '-p', '{prompt}']);
    expect(print[print.indexOf('--output-format') + 1]).toBe('stream-json');
    // --allowedTools takes several values: the prompt comes before it.
    for (const c of [PRESETS['claude']!.command, print])
      expect(c.indexOf('{prompt}')).toBeLessThan(c.indexOf('--allowedTools'));
    const codex = PRESETS['codex']!.command;
    expect(codex.slice(0, 2)).toEqual(['codex', 'exec']);
    expect(codex).not.toContain('--full-auto'); // gone from codex-cli 0.171
    expect(codex[codex.indexOf('--sandbox') + 1]).toBe('workspace-write');
    expect(codex).toContain('--json');
    const aider = PRESETS['aider']!.command;
    expect(aider[aider.indexOf('--message-file') + 1]).toBe('{prompt_file}');
    expect(aider).toContain('--yes-always');
    expect(PRESETS['shell']!.command).toEqual(['sh', '-c', '{task}']);
  });

  test('only the interactive claude preset waits for the status file alone', () => {
    const waits = Object.entries(PRESETS)
      .filter(([, d]) => !d.exitsWhenDone)
      .map(([n]) => n);
    expect(waits).toEqual(['claude']);
  });

  test('each preset follows the adapter of its own name', () => {
    for (const [name, def] of Object.entries(PRESETS)) expect(def.adapter).toBe(name);
  });

  test("the presets are the registry's agents, in its order, each with its own argv", () => {
    expect(Object.keys(PRESETS)).toEqual(AGENTS.map((a) => a.name));
    for (const a of AGENTS) expect(PRESETS[a.name]!.command).toEqual(a.preset.command);
  });

  test("the schema's adapter enum is the registry's agents (add a new agent's name to schemas/workers.schema.json, then npm run gen:types)", () => {
    const agent = readSchema('plan').definitions!.agent!;
    expect(agent.properties!.adapter!.enum).toEqual(AGENTS.map((a) => a.name));
  });
});
