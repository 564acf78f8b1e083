/**
 * The source texts read during this process, so that diagnostics can show code frames
 * for any file (imports included) without reading it twice.
 */
import type { SourceFile } from '../index.js';

const files = new Map<string, SourceFile>();

export function rememberSource(file: SourceFile): void {
  files.set(file.path, file);
}

export function sourceLookup(path: string): SourceFile | undefined {
  return files.get(path);
}
