// claude -p's permission denials, read from its final result event (the real program: claude-print.test.ts).
import { permissionDenials } from '../../src/agents/claude-print.js';

const result = (denials: unknown[]) =>
  JSON.stringify({ type: 'result', subtype: 'success', is_error: false, permission_denials: denials });

describe('permissionDenials', () => {
  test('each denial: its tool and what it wanted (command, file, URL, else its input)', () => {
    const text = [
      result([{ tool_name: 'Bash', tool_use_id: 'a', tool_input: { command: 'old' } }]),
      result([
        { tool_name: 'Bash', tool_use_id: 'b', tool_input: { command: 'git push\n  origin HEAD' } },
        { tool_name: 'Write', tool_use_id: 'c', tool_input: { file_path: '/etc/hosts', content: 'x' } },
        { tool_name: 'WebFetch', tool_use_id: 'd', tool_input: { url: 'https://example.com', prompt: 'p' } },
        { tool_name: 'mcp__x__y', tool_use_id: 'e', tool_input: { q: 1 } },
      ]),
    ].join('\n');
    // The last result event is the run's: the earlier one is not repeated.
    expect(permissionDenials(text)).toEqual([
      { tool: 'Bash', wanted: 'git push origin HEAD' },
      { tool: 'Write', wanted: '/etc/hosts' },
      { tool: 'WebFetch', wanted: 'https://example.com' },
      { tool: 'mcp__x__y', wanted: '{"q":1}' },
    ]);
  });

  test('none recorded, or no result yet: none', () => {
    expect(permissionDenials(result([]))).toEqual([]);
    expect(permissionDenials('{"type":"assistant"}\n')).toEqual([]);
    expect(permissionDenials(undefined)).toEqual([]);
  });

  test('a long input is cut, marked with an ellipsis', () => {
    const [d] = permissionDenials(result([{ tool_name: 'Bash', tool_input: { command: 'x'.repeat(1000) } }]));
    expect(d!.wanted.length).toBe(300);
    expect(d!.wanted.endsWith('…')).toBe(true);
  });
});
