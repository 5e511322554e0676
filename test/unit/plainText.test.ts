import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { notificationText } from '../../src/shared/plainText';

// The pattern VS Code's notifications use to find links (parseLinkedText in vs/base/common/linkedText).
const LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/;

describe('names in notifications', () => {
  it('cannot become links, and read the same', () => {
    const name = '/runs/x[click](command:workbench.action.terminal.new)/output';
    assert.ok(LINK.test(`Salvaged ${name}`), 'the raw name would be a command link');
    const safe = notificationText(`Salvaged ${name}`);
    assert.ok(!LINK.test(safe));
    assert.equal(safe.replace(/\u200b/g, ''), `Salvaged ${name}`);
  });
  it('leaves ordinary paths untouched', () => {
    assert.equal(notificationText('/tmp/run (copy)/output [old]'), '/tmp/run (copy)/output [old]');
  });
});
