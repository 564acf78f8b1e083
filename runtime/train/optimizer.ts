/**
 * Optimisers of a `train { optimizer = ... }` recipe, with Caffe's update rules (the recipes
 * in specs/ come from Caffe solvers, paper-architectures.md §1.4, §2.7):
 *
 * - `sgd(lr, momentum, weight_decay)`, Caffe's `SGDSolver`:
 *       g ← ∇ + weight_decay · w         (L2 regularisation, `Regularize`)
 *       v ← momentum · v + lr · g        (`ComputeUpdateValue`; lr is inside the history)
 *       w ← w − v
 *   With a fixed rate this equals the usual `v ← μv + g; w ← w − lr·v`; when a schedule
 *   changes the rate, Caffe's history keeps the old rate's steps (as here).
 * - `adam(lr, beta1, beta2, weight_decay)`, Caffe's `AdamSolver` (Kingma & Ba, ε = 1e-8):
 *       m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
 *       w ← w − lr · √(1 − β2^t)/(1 − β1^t) · m / (√v + ε)
 *   with g including the L2 term as above (not AdamW's decoupled decay).
 *
 * Weight decay applies to every learned parameter — kernels, biases, batchnorm's gamma and
 * beta — because Caffe decays every learned blob unless a layer sets `decay_mult: 0`, and
 * the specs reproduce Caffe solvers. State parameters (batchnorm's moving statistics) are not
 * learned and never decay. The optimiser's state (momentum history, Adam's moments and step
 * count) is read and restored exactly, for checkpoints.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerConfig } from '../../compiler/train-config.js';
import { type HeapViews, updateInPlace } from '../kernels/in-place.js';
import type { ParamValue } from '../weights.js';

export const ADAM_EPSILON = 1e-8;

/** Adam's step size at update t: lr · √(1 − β2^t)/(1 − β1^t). */
function adamRate(c: Extract<OptimizerConfig, { kind: 'adam' }>, lr: number, t: number): number {
  return (lr * Math.sqrt(1 - Math.pow(c.beta2, t))) / (1 - Math.pow(c.beta1, t));
}

export interface OptimizerState {
  readonly kind: OptimizerConfig['kind'];
  /** Updates applied so far (Adam's t). */
  readonly step: number;
  /** Slots by `<parameter>/<slot>` (`conv1/kernel/momentum`, `.../m`, `.../v`). */
  readonly slots: Map<string, ParamValue>;
}

export interface Optimizer {
  readonly config: OptimizerConfig;
  /** Updates applied so far. */
  readonly step: number;
  /**
   * One update at rate `lr` from gradients by parameter name. Every variable the optimiser
   * was made with must have a gradient. Allocates nothing that outlives the call.
   */
  apply(gradients: ReadonlyMap<string, tf.Tensor>, lr: number): void;
  /** A copy of the state, for a checkpoint. */
  read(): Promise<OptimizerState>;
  /** Restores a checkpoint's state; the slots must be exactly this optimiser's. */
  restore(state: OptimizerState): void;
  dispose(): void;
}

/** The slot names an optimiser keeps per parameter. */
export function slotNames(kind: OptimizerConfig['kind']): readonly string[] {
  return kind === 'sgd' ? ['momentum'] : ['m', 'v'];
}

/** An optimiser over `variables` (by parameter name). */
export function createOptimizer(config: OptimizerConfig, variables: ReadonlyMap<string, tf.Variable>): Optimizer {
  return new CaffeOptimizer(config, variables);
}

class CaffeOptimizer implements Optimizer {
  private readonly slots = new Map<string, tf.Variable[]>();
  private steps = 0;

  constructor(
    readonly config: OptimizerConfig,
    private readonly variables: ReadonlyMap<string, tf.Variable>,
  ) {
    const names = slotNames(config.kind);
    for (const [name, v] of variables) {
      this.slots.set(
        name,
        names.map(() => {
          const zeros = tf.zerosLike(v);
          const slot = tf.variable(zeros, false);
          zeros.dispose();
          return slot;
        }),
      );
    }
  }

  get step(): number {
    return this.steps;
  }

  apply(gradients: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    if (!(lr >= 0) || !Number.isFinite(lr)) throw new RangeError(`learning rate ${lr}`);
    const t = this.steps + 1;
    // One variable at a time, so that only one parameter's temporaries exist at once.
    for (const [name, w] of this.variables) {
      const dw = gradients.get(name);
      if (!dw) throw new Error(`netc: no gradient for \`${name}\``);
      const slots = this.slots.get(name)!;
      if (updateInPlace(w, slots, dw, (views) => this.updateFloats(views, lr, t))) continue;
      const next = this.updateWithOps(w, slots, dw, lr, t);
      w.assign(next);
      next.dispose();
    }
    this.steps = t;
  }

  /** The update as tensor ops; updates the slots and returns the new parameter. */
  private updateWithOps(w: tf.Variable, slots: tf.Variable[], dw: tf.Tensor, lr: number, t: number): tf.Tensor {
    const c = this.config;
    return tf.tidy(() => {
      const g = c.weightDecay > 0 ? tf.add(dw, tf.mul(w, c.weightDecay)) : dw;
      if (c.kind === 'sgd') {
        const history = slots[0]!;
        const next = c.momentum > 0 ? tf.add(tf.mul(history, c.momentum), tf.mul(g, lr)) : tf.mul(g, lr);
        history.assign(next);
        return tf.sub(w, next);
      }
      const [m, v] = slots as [tf.Variable, tf.Variable];
      const m1 = tf.add(tf.mul(m, c.beta1), tf.mul(g, 1 - c.beta1));
      const v1 = tf.add(tf.mul(v, c.beta2), tf.mul(tf.square(g), 1 - c.beta2));
      m.assign(m1);
      v.assign(v1);
      return tf.sub(w, tf.mul(tf.div(m1, tf.add(tf.sqrt(v1), ADAM_EPSILON)), adamRate(c, lr, t)));
    });
  }

  /**
   * The same update on the stored floats, rounding to float32 after every operation as the
   * tensor ops do (each op's scalar operand is a float32 too), so both paths give the same
   * bits: runs and resumed runs agree whichever path a backend takes.
   */
  private updateFloats({ parameter: w, slots, gradient }: HeapViews, lr: number, t: number): void {
    const c = this.config;
    const f = Math.fround;
    const decay = f(c.weightDecay);
    const n = w.length;
    if (c.kind === 'sgd') {
      const history = slots[0]!;
      const rate = f(lr);
      const momentum = f(c.momentum);
      for (let i = 0; i < n; i++) {
        const g = decay > 0 ? f(gradient[i]! + f(w[i]! * decay)) : gradient[i]!;
        const step = momentum > 0 ? f(f(history[i]! * momentum) + f(g * rate)) : f(g * rate);
        history[i] = step;
        w[i] = f(w[i]! - step);
      }
      return;
    }
    const [m, v] = slots as [Float32Array, Float32Array];
    const beta1 = f(c.beta1);
    const beta2 = f(c.beta2);
    const oneMinusBeta1 = f(1 - c.beta1);
    const oneMinusBeta2 = f(1 - c.beta2);
    const epsilon = f(ADAM_EPSILON);
    const rate = f(adamRate(c, lr, t));
    for (let i = 0; i < n; i++) {
      const g = decay > 0 ? f(gradient[i]! + f(w[i]! * decay)) : gradient[i]!;
      const m1 = f(f(m[i]! * beta1) + f(g * oneMinusBeta1));
      const v1 = f(f(v[i]! * beta2) + f(f(g * g) * oneMinusBeta2));
      m[i] = m1;
      v[i] = v1;
      w[i] = f(w[i]! - f(f(m1 / f(f(Math.sqrt(v1)) + epsilon)) * rate));
    }
  }

  async read(): Promise<OptimizerState> {
    const names = slotNames(this.config.kind);
    const out = new Map<string, ParamValue>();
    for (const [param, slots] of this.slots) {
      for (let i = 0; i < slots.length; i++) {
        out.set(`${param}/${names[i]}`, { shape: slots[i]!.shape, data: Float32Array.from(await slots[i]!.data()) });
      }
    }
    return { kind: this.config.kind, step: this.steps, slots: out };
  }

  restore(state: OptimizerState): void {
    if (state.kind !== this.config.kind) throw new Error(`the checkpoint's optimizer is ${state.kind}, this run's is ${this.config.kind}`);
    const names = slotNames(this.config.kind);
    const problems: string[] = [];
    for (const [param, slots] of this.slots) {
      names.forEach((slot, i) => {
        const v = state.slots.get(`${param}/${slot}`);
        const shape = slots[i]!.shape;
        if (!v) problems.push(`missing \`${param}/${slot}\``);
        else if (v.shape.length !== shape.length || v.shape.some((d, j) => d !== shape[j])) problems.push(`\`${param}/${slot}\` has shape [${v.shape.join(', ')}], expected [${shape.join(', ')}]`);
      });
    }
    const expected = this.slots.size * names.length;
    if (state.slots.size !== expected && !problems.length) problems.push(`${state.slots.size} optimizer slots, expected ${expected}`);
    if (problems.length) throw new Error(`the optimizer state does not fit this network: ${problems.join('; ')}`);
    for (const [param, slots] of this.slots) {
      names.forEach((slot, i) => {
        const v = state.slots.get(`${param}/${slot}`)!;
        const t = tf.tensor(v.data, [...v.shape], 'float32');
        slots[i]!.assign(t);
        t.dispose();
      });
    }
    this.steps = state.step;
  }

  dispose(): void {
    for (const slots of this.slots.values()) for (const s of slots) s.dispose();
    this.slots.clear();
  }
}
