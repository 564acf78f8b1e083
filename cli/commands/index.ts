/**
 * Every `netc` command, in the order `netc --help` lists them. A command lives in
 * `cli/commands/<name>.ts` and is registered here with one line.
 */
import type { Command } from '../command.js';
import { command as check } from './check.js';
import { command as compile } from './compile.js';
import { command as fmt } from './fmt.js';
import { command as rf } from './rf.js';
import { command as graph } from './graph.js';
import { command as forward } from './forward.js';
import { command as train } from './train.js';
import { command as evaluate } from './eval.js';
import { command as predict } from './predict.js';
import { command as classify } from './classify.js';
import { command as emit } from './emit.js';

export const commands: Command[] = [check, fmt, rf, graph, compile, forward, train, evaluate, predict, classify, emit];
