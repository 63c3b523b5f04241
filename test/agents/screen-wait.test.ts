// Interactive Claude Code retrying an API error by itself (issue 18 item 8) writes no hook and no
// transcript line: its screen alone says so. The fixtures are panes of the real Claude Code 2.1.197
// (tmux capture-pane -p -J) against the scripted model server's 429 with retry-after 8.
import { readFileSync } from 'node:fs';
import { claude, claudeScreenWait } from '../../src/agents/claude.js';
import { claudePrint } from '../../src/agents/claude-print.js';

const screen = (name: string) =>
  readFileSync(new URL(`../fixtures/agents/claude-${name}-screen.txt`, import.meta.url), 'utf8');
const NOW = Date.parse('2026-12-07T21:41:10.000Z');

describe("Claude Code's own retry, from its screen", () => {
  test('the retry line: its attempt in words, and when it tries again', () => {
    expect(claudeScreenWait(screen('retry'), NOW)).toEqual({
      message: 'an API error; Claude Code retries it by itself (retry 1 of 3)',
      resetsAt: NOW + 8000,
    });
  });

  test('the words stay the same while its countdown runs; the time it goes on does not move', () => {
    const later = screen('retry').replace('Retrying in 8s', 'Retrying in 5s');
    const w = claudeScreenWait(later, NOW + 3000);
    expect(w?.message).toBe(claudeScreenWait(screen('retry'), NOW)?.message);
    expect(w?.resetsAt).toBe(NOW + 8000);
  });

  test('a later attempt, and a wait in minutes', () => {
    const next = screen('retry').replace('Retrying in 8s · attempt 1/3', 'Retrying in 1m 5s · attempt 2/3');
    expect(claudeScreenWait(next, NOW)).toEqual({
      message: 'an API error; Claude Code retries it by itself (retry 2 of 3)',
      resetsAt: NOW + 65_000,
    });
  });

  test('a screen at work, or running a tool, is no retry', () => {
    expect(screen('working')).toContain('Gitifying');
    expect(claudeScreenWait(screen('working'), NOW)).toBeUndefined();
    expect(screen('tool')).toContain('Bash(echo done > .worker-status)');
    expect(claudeScreenWait(screen('tool'), NOW)).toBeUndefined();
    expect(claudeScreenWait('', NOW)).toBeUndefined();
  });

  test('a task that quotes the retry line (shown under the prompt mark, or indented) is no retry', () => {
    const quoted = screen('working')
      .replace('❯ Say done', '❯ ✻ API error · Retrying in 8s · attempt 1/3')
      .replace('  ---', '  ✻ API error · Retrying in 8s · attempt 1/3');
    expect(quoted).toContain('❯ ✻ API error');
    expect(claudeScreenWait(quoted, NOW)).toBeUndefined();
  });

  test('only the interactive preset reads its screen: claude-print says its retries in its stream', () => {
    expect(claude.screenWait).toBe(claudeScreenWait);
    expect(claudePrint.screenWait).toBeUndefined();
  });
});
