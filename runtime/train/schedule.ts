/**
 * Learning-rate schedules of a `train { schedule = ... }` recipe (language.md §8):
 *
 * - `fixed`: the base rate throughout (SegNet: "fixed lr 0.1").
 * - `step(at: [e1, e2, ...], factor)`: the rate is multiplied by `factor` once `e1` epochs
 *   are complete, again after `e2`, ... (OverFeat divides by 2 after epochs 30, 50, 60, 70,
 *   80: `step(at: [30, 50, 60, 70, 80], factor: 0.5)`). Epochs count from 0 here, so with
 *   `at: [30]` epochs 0..29 use lr and epoch 30 onwards lr·factor.
 * - `poly(power)`: `lr · (1 − step/totalSteps)^power`, per update (DeepLab's "poly"; Caffe's
 *   `lr_policy: "poly"` with max_iter = every step of the run).
 *
 * The rate is a pure function of (config, epoch, step in the run), so a resumed run uses the
 * same rates as an uninterrupted one.
 */
import type { ScheduleConfig } from '../../compiler/train-config.js';

export interface SchedulePosition {
  /** 0-based epoch. */
  readonly epoch: number;
  /** Updates done before this one, over the whole run (0-based). */
  readonly step: number;
  /** Updates in the whole run (epochs × batches per epoch). */
  readonly totalSteps: number;
}

/** The learning rate of the update at `position`. */
export function learningRate(schedule: ScheduleConfig, baseLr: number, position: SchedulePosition): number {
  switch (schedule.kind) {
    case 'fixed':
      return baseLr;
    case 'step': {
      const passed = schedule.at.filter((e) => position.epoch >= e).length;
      return baseLr * Math.pow(schedule.factor, passed);
    }
    case 'poly': {
      const progress = position.totalSteps > 0 ? Math.min(position.step / position.totalSteps, 1) : 0;
      return baseLr * Math.pow(1 - progress, schedule.power);
    }
  }
}

/** A short description for the run's header line (`step(at: [30, 50], factor: 0.5)`). */
export function describeSchedule(schedule: ScheduleConfig): string {
  switch (schedule.kind) {
    case 'fixed':
      return 'fixed';
    case 'step':
      return `step(at: [${schedule.at.join(', ')}], factor: ${schedule.factor})`;
    case 'poly':
      return `poly(power: ${schedule.power})`;
  }
}
