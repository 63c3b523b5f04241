// A headless agent's JSON events, as a person who attaches to its session reads them.
import { PassThrough } from 'node:stream';
import { renderLine, renderStream } from '../../src/agents/render.js';

const line = (v: unknown) => JSON.stringify(v);

test('Claude Code stream-json: what it says, the tools it runs, failures, and its result', () => {
  expect(
    renderLine(line({ type: 'system', subtype: 'init', claude_code_version: '2.1.197', model: 'opus' })),
  ).toEqual(['Claude Code 2.1.197 started (model opus)']);
  const said = {
    type: 'assistant',
    message: {
      content: [
        { type: 'text', text: 'I will commit.' },
        { type: 'tool_use', name: 'Bash', input: { command: 'git commit -m x' } },
      ],
    },
  };
  expect(renderLine(line(said))).toEqual(['I will commit.', '→ Bash: git commit -m x']);
  const denied = {
    type: 'user',
    message: { content: [{ type: 'tool_result', is_error: true, content: 'Permission denied\nmore' }] },
  };
  expect(renderLine(line(denied))).toEqual(['  ✗ Permission denied']);
  const result = {
    type: 'result',
    subtype: 'success',
    is_error: false,
    result: 'Done.',
    total_cost_usd: 0.0027,
    usage: { input_tokens: 240, output_tokens: 60 },
  };
  expect(renderLine(line(result))).toEqual(['✓ Done. (240 tokens in, 60 out, $0.0027)']);
});

test('Codex --json: commands, messages, errors; other output passes as it is', () => {
  expect(
    renderLine(line({ type: 'item.started', item: { type: 'command_execution', command: 'git add a' } })),
  ).toEqual(['→ $ git add a']);
  expect(
    renderLine(line({ type: 'item.completed', item: { type: 'agent_message', text: 'Added a.' } })),
  ).toEqual(['Added a.']);
  expect(renderLine(line({ type: 'turn.failed', error: { message: '401 Unauthorized' } }))).toEqual([
    '✗ 401 Unauthorized',
  ]);
  expect(renderLine('WARNING: not JSON')).toEqual(['WARNING: not JSON']);
  expect(renderLine('{"half":')).toEqual(['{"half":']);
});

test('renderStream reads to the end of the stream', async () => {
  const input = new PassThrough();
  const output = new PassThrough();
  let out = '';
  output.on('data', (d: Buffer) => (out += d.toString()));
  const done = renderStream(input, output);
  input.end(`${line({ type: 'thread.started' })}\nplain\n`);
  await done;
  expect(out).toBe('Codex started\nplain\n');
});
