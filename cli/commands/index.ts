/**
 * Every `netc` command, in the order `netc --help` lists them. A command lives in
 * `cli/commands/<name>.ts` and is registered here with one line.
 */
import type { Command } from '../command.js';

export const commands: Command[] = [];
