/**
 * `batchnorm(eps, momentum)`: shape and map unchanged; gamma and beta learned (2·C, as
 * caffe-segnet's BN scale + shift, paper-architectures.md §1.2), moving mean and variance are
 * state (not counted as parameters).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { facts, runOp } from './_op.js';

test('batchnorm: unchanged shape and map; 2·C learned parameters plus 2·C statistics', () => {
  const run = runOp('conv(64, 3, pad: 1) |> batchnorm', '[H, W, 3]');
  const f = facts(run, { H: 10, W: 10 });
  assert.equal([f.shape, f.map[0]], [[10, 10, 64], [3, 1, 0]]);
  assert.is(f.params, 128);
  assert.equal(run.node!.params.map((p) => [p.local, p.shape, p.role, (p.init as { name: string }).name]), [
    ['gamma', [64], 'learned', 'ones'], ['beta', [64], 'learned', 'zeros'],
    ['moving_mean', [64], 'state', 'zeros'], ['moving_variance', [64], 'state', 'ones'],
  ]);
  // PyTorch defaults (docs/architecture.md): eps 1e-5, momentum 0.1.
  assert.equal([run.node!.node.args['eps'], run.node!.node.args['momentum']], [{ kind: 'float', value: 1e-5 }, { kind: 'float', value: 0.1 }]);
});

test('batchnorm argument ranges: eps > 0, 0 < momentum <= 1', () => {
  assert.equal(runOp('batchnorm(eps: 0)', '[4, 4, 3]').headlines, ['error[type]: `eps` of `batchnorm`: must be greater than 0, found 0']);
  assert.equal(runOp('batchnorm(momentum: 1.5)', '[4, 4, 3]').headlines, ['error[type]: `momentum` of `batchnorm`: must be at most 1, found 1.5']);
  assert.ok(runOp('batchnorm(momentum: 1)', '[4, 4, 3]').ok);
});

test.run();
