/** Runs `netc` in-process with buffers for stdout and stderr (no child process, no TTY). */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../cli/main.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function netc(argv: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    isTTY: false,
    cwd: options.cwd ?? repoRoot,
    env: options.env ?? {},
  });
  return { code, stdout, stderr };
}

/** A user error never shows a stack trace. */
export const STACK_TRACE = /\n\s+at .+\(.*:\d+:\d+\)|\n\s+at file:/;
