// The rehearsal script (SPEC §12): its parser's choices and file:line errors, the model's turns
// each choice becomes, and what a rehearsing agent's environment leaves out.
import { PlanError } from '../../src/errors.js';
import { withoutSecrets } from '../../src/rehearsal/rehearsal.js';
import { choiceOf, parseChoice, parseRehearsalScript, stepsFor } from '../../src/rehearsal/script.js';

const problems = (text: string, features?: string[]): string[] => {
  try {
    parseRehearsalScript(text, 'r.yaml', features && new Set(features));
  } catch (e) {
    if (e instanceof PlanError) return e.message.split('\n');
    throw e;
  }
  throw new Error('no problem found');
};

describe('parseRehearsalScript', () => {
  test('each choice, and the line that named it', () => {
    const s = parseRehearsalScript(
      'a: ok\nb: fail\nc: ask\nd: limit 20s\ne: silent\nf: limit 1m30s\n',
      'r.yaml',
      new Set(['a', 'b', 'c', 'd', 'e', 'f', 'g']),
    );
    expect(Object.fromEntries([...s.choices].map(([k, v]) => [k, v]))).toEqual({
      a: { choice: { kind: 'ok' }, line: 1 },
      b: { choice: { kind: 'fail' }, line: 2 },
      c: { choice: { kind: 'ask' }, line: 3 },
      d: { choice: { kind: 'limit', ms: 20000 }, line: 4 },
      e: { choice: { kind: 'silent' }, line: 5 },
      f: { choice: { kind: 'limit', ms: 90000 }, line: 6 },
    });
    // A feature the script does not name is ok.
    expect(choiceOf(s, 'g')).toEqual({ kind: 'ok' });
    expect(choiceOf(undefined, 'a')).toEqual({ kind: 'ok' });
  });

  test('an empty file scripts nothing', () => {
    expect(parseRehearsalScript('', 'r.yaml').choices.size).toBe(0);
    expect(parseRehearsalScript('# nothing yet\n', 'r.yaml').choices.size).toBe(0);
  });

  test('every problem at once, each at its file:line:column', () => {
    expect(problems('a: maybe\nb: limit\nc: limit soon\nzz: ok\nd: [ok]\n', ['a', 'b', 'c', 'd'])).toEqual([
      'r.yaml:1:4 a: "maybe" is not a rehearsal choice: use ok, fail, ask, limit DUR (e.g. limit 20s) or silent',
      'r.yaml:2:4 b: "limit" needs how long the limit lasts: limit 20s',
      'r.yaml:3:4 c: "soon" is not a duration (use 90s, 10m, 1h30m)',
      'r.yaml:4:1 zz: no worker "zz" in the plan (its features: a, b, c, d)',
      'r.yaml:5:4 d: the choice must be one of ok, fail, ask, limit DUR (e.g. limit 20s) or silent',
    ]);
  });

  test('not a mapping, bad YAML and a repeated feature are problems too', () => {
    expect(problems('- ok\n')[0]).toMatch(
      /^r\.yaml:1:1: a rehearsal script is a mapping of feature to choice/,
    );
    expect(problems('a: ok\na: fail\n')[0]).toMatch(/^r\.yaml:2:1: Map keys must be unique/);
    expect(problems('a: "ok\n')).toEqual(['r.yaml:2:1: Missing closing "quote']);
  });

  test('parseChoice', () => {
    expect(parseChoice(' ok ')).toEqual({ kind: 'ok' });
    expect(parseChoice('limit 0s')).toMatch(/longer than zero/);
  });
});

describe('stepsFor', () => {
  const wt = '/w/t';
  test('ok: writes the note, commits it, writes the result and done, through the allowed tools', () => {
    expect(stepsFor({ kind: 'ok' }, 'login', wt)).toEqual([
      { write: '/w/t/.wo-rehearsal/login.md', content: expect.stringContaining('# login') },
      { bash: 'git add .wo-rehearsal/login.md' },
      { bash: 'git commit -q -m "Rehearsal: login"' },
      { write: '/w/t/.worker-result.md', content: expect.stringContaining('.wo-rehearsal/login.md') },
      { bash: 'echo done > .worker-status' },
      { text: expect.any(String) },
    ]);
  });

  test('fail, ask, limit, silent', () => {
    const ok = stepsFor({ kind: 'ok' }, 'f', wt);
    expect(stepsFor({ kind: 'fail' }, 'f', wt).map((s) => ('bash' in s ? s.bash : undefined))).toContain(
      'echo failed > .worker-status',
    );
    expect(stepsFor({ kind: 'ask' }, 'f', wt)).toEqual([
      { bash: 'sh -c "echo the rehearsal asks a person"' },
      ...ok,
    ]);
    expect(stepsFor({ kind: 'limit', ms: 20000 }, 'f', wt)).toEqual([
      { error: 429, message: 'the rehearsal usage limit', resetInS: 20, times: 1 },
      ...ok,
    ]);
    expect(stepsFor({ kind: 'silent' }, 'f', wt)).toEqual([{ text: '' }]);
  });
});

describe('withoutSecrets', () => {
  test('keys, tokens and provider settings go; git identity, PATH and the rest stay', () => {
    const env = {
      PATH: '/bin',
      HOME: '/home/me',
      GIT_AUTHOR_NAME: 'me',
      GIT_COMMITTER_EMAIL: 'me@x',
      SSH_AUTH_SOCK: '/tmp/agent',
      KEYBOARD: 'us',
      ANTHROPIC_API_KEY: 'x',
      ANTHROPIC_BASE_URL: 'https://proxy',
      OPENAI_API_KEY: 'x',
      OPENAI_BASE_URL: 'https://proxy',
      CLAUDE_CODE_USE_BEDROCK: '1',
      CLAUDE_CONFIG_DIR: '/home/me/.claude',
      CODEX_HOME: '/home/me/.codex',
      AWS_PROFILE: 'p',
      GH_TOKEN: 'x',
      NPM_TOKEN: 'x',
      MY_SECRET: 'x',
      DB_PASSWORD: 'x',
      GITHUB_PAT: 'x',
      SOME_APIKEY: 'x',
    };
    expect(withoutSecrets(env)).toEqual({
      PATH: '/bin',
      HOME: '/home/me',
      GIT_AUTHOR_NAME: 'me',
      GIT_COMMITTER_EMAIL: 'me@x',
      KEYBOARD: 'us',
    });
  });
});
