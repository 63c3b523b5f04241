// SPEC §9: a placeholder inside the script of a shell (or an interpreter's -c/-e code) in a custom
// agent's command is refused at validation; the same placeholder as an argument after the script is fine.
import { configRules, planRules, scriptPlaceholder } from '../../src/plan/rules.js';

describe('scriptPlaceholder', () => {
  test.each([
    [['sh', '-c', 'echo {task}'], 2],
    [['bash', '-lc', 'run "{prompt}"'], 2],
    [['/bin/dash', '-e', '-c', 'x={feature}'], 3],
    [['env', 'A=1', 'zsh', '-c', 'cd {worktree} && go'], 4],
    [['env', 'sh', '-c', 'echo ${task}'], 3], // wo fills {task} inside ${task} too
    [['bash', '-o', 'pipefail', '-c', 'a | b {branch}'], 4],
    [['node', '-e', 'console.log("{prompt}")'], 2],
    [['python3', '-c', 'print("{model}")'], 2],
    [['busybox', 'sh', '-c', 'echo {task}'], 3],
    [['bash', '-c', '--', 'echo {task}'], 3],
    [['sh', '-c', 'exec "$@"', 'sh', 'bash', '-c', 'run {task}'], 6], // a shell among a clean one's arguments
  ])('%j: refused at argument %i', (command, index) => {
    const found = scriptPlaceholder(command);
    expect(found?.index).toBe(index);
    expect(found?.message).toContain('{prompt_file}');
    expect(found?.message).toContain('WO_PROMPT_FILE');
  });

  test.each([
    [['sh', '-c', 'printf %s "$1" > got.txt', 'sh', '{task}']],
    [['sh', '-c', 'cat "$1"', 'sh', '{prompt_file}']],
    [['sh', 'script.sh', '{task}']], // a script file, the text its argument
    [['my-agent', '--prompt', '{prompt}', '-c', '{task}']], // not a shell: -c is its own option
    [['bash', '-c', 'echo $WO_PROMPT_FILE']],
    [['sh', '-c']],
  ])('%j: allowed', (command) => {
    expect(scriptPlaceholder(command)).toBeUndefined();
  });

  test('planRules and configRules point at the script argument of the agent', () => {
    const agents = { mine: { command: ['sh', '-c', 'echo {task}'] } };
    const plan = { version: 1, agents, workers: [{ feature: 'a', task: 't', agent: 'mine' }] };
    expect(planRules(plan, { repo: 'r' })).toContainEqual({
      path: ['agents', 'mine', 'command', 2],
      message: expect.stringContaining('{task} inside the script of "sh -c"'),
    });
    expect(configRules({ agents }, { repo: 'r' })).toHaveLength(1);
  });
});
