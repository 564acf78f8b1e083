/** `dropout(rate)`: unchanged shape; 0 <= rate < 1 (a rate of 1 would drop everything). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { facts, runOp } from './_op.js';

test('dropout: the range 0 <= rate < 1', () => {
  for (const rate of ['0', '0.5', '0.99']) assert.equal(facts(runOp(`dropout(${rate})`, '[4, 4, 8]')).shape, [4, 4, 8], rate);
  const cases: [string, string][] = [
    ['1', 'error[type]: `rate` of `dropout`: must be less than 1, found 1'],
    ['1.5', 'error[type]: `rate` of `dropout`: must be less than 1, found 1.5'],
    ['-0.1', 'error[type]: `rate` of `dropout`: must be at least 0, found -0.1'],
    ['same', 'error[name]: unknown name `same`'],
  ];
  for (const [rate, headline] of cases) assert.equal(runOp(`dropout(${rate})`, '[4, 4, 8]').headlines, [headline], rate);
  assert.equal(runOp('dropout', '[4, 4, 8]').headlines, ['error[argument]: missing argument `rate` of `dropout`']);
});

test.run();
