import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SourceFile } from '../grammar/span.js';

test('SourceFile maps offsets to 1-based line and column', () => {
  const f = new SourceFile('a.net', 'ab\ncd\n');
  assert.equal(f.position(0), { offset: 0, line: 1, column: 1 });
  assert.equal(f.position(4), { offset: 4, line: 2, column: 2 });
  assert.is(f.lineText(2), 'cd');
});

test.run();
