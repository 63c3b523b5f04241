// What wo keeps of a screen never holds a secret: whole, a part of one, or a key-shaped word.
import { MASK, maskSecrets, secretValues } from '../src/secrets.js';

const KEY = 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789';

test('a secret of the environment is masked whole and in parts; other text stays', () => {
  const env = { ANTHROPIC_API_KEY: KEY, HOME: '/home/me', GH_TOKEN: 'short' };
  expect(secretValues(env)).toEqual([KEY]);
  const screen = [
    'Detected a custom API key in your environment',
    `ANTHROPIC_API_KEY: sk-ant-...${KEY.slice(-20)}`,
    `whole: ${KEY}`,
    'Do you want to use this API key?',
    '/home/me is your home',
  ].join('\n');
  const masked = maskSecrets(screen, env);
  expect(masked).not.toContain(KEY.slice(-20));
  expect(masked).not.toContain(KEY.slice(-8));
  expect(masked).not.toContain(KEY);
  expect(masked).toContain('Detected a custom API key in your environment');
  expect(masked).toContain(`whole: ${MASK}`);
  expect(masked).toContain('Do you want to use this API key?');
  expect(masked).toContain('/home/me is your home');
});

test('key-shaped words are masked even when the environment does not name them', () => {
  expect(maskSecrets('key sk-proj-AAAAbbbbCCCCdddd and ghp_0123456789abcdefABCDEF here', {})).toBe(
    `key ${MASK} and ${MASK} here`,
  );
  expect(maskSecrets('a task-list of skills', {})).toBe('a task-list of skills');
});
