// The session wrapper's exit record (scripts/wo-worker.sh writes it; parseExit reads it).
import { parseExit } from '../../src/protocol/protocol.js';

describe('parseExit', () => {
  test.each([
    [undefined, undefined],
    ['', undefined],
    ['0', undefined], // no newline yet: not written whole
    ['x\n', undefined],
    ['0\n', { code: 0 }],
    ['3\nwrapper: 4242\n', { code: 3, wrapperPid: 4242 }],
    ['127\nnot found: claude\nwrapper: 7\n', { code: 127, programMissing: 'claude', wrapperPid: 7 }],
    ['1\nwrapper: nope\n', { code: 1 }],
  ])('%j reads as %j', (text, record) => {
    expect(parseExit(text)).toEqual(record);
  });
});
