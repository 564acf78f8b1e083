/**
 * Shared by the training tests: a tiny SegNet-like spec (conv, batchnorm, dropout, pooling
 * indices, unpool: every kind of state a checkpoint must carry), checked; a tiny synthetic
 * data set; a temporary directory; and an XML well-formedness check for curves.svg.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TypedGraph } from '../../../compiler/check/types.js';
import { checkSpecFile } from '../../../compiler/index.js';
import { readTrainConfig, type TrainConfig } from '../../../compiler/train-config.js';
import { renderDiagnostics } from '../../../grammar/diagnostics.js';

export const TINY_SPEC = `# A tiny SegNet-like network for the training tests.
network tiny(classes: int = 3) {
  input image: [H, W, 3] where H % 2 == 0, W % 2 == 0
  output scores = image
    |> conv(8, 3, pad: 1) as c1 |> batchnorm as bn1 |> relu |> maxpool(2) as p1
    |> conv(8, 3, pad: 1) as c2 |> relu |> dropout(0.25) as drop
    |> unpool(p1) |> conv(classes, 1) as score
  train {
    loss = cross_entropy(class_weights: median_frequency)
    optimizer = sgd(lr: 0.05, momentum: 0.9)
    batch = 4
    epochs = 3
  }
}
`;

/** 16×16 shapes, 3 classes: 12 training images (3 steps of 4), 8 validation images. */
export const TINY_DATA = 'synthetic:shapes?size=16x16&train=12&val=8&test=4&classes=3';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function tinySpec(dir: string, text = TINY_SPEC): { path: string; typed: TypedGraph; config: TrainConfig } {
  const path = join(dir, 'tiny.net');
  writeFileSync(path, text);
  const { result, program } = checkSpecFile(path, { params: new Map([['classes', '3']]) });
  if (result._tag === 'Left') throw new Error(renderDiagnostics(result.left, (p) => program?.sources.get(p)));
  const { config } = readTrainConfig(result.right.typed.graph.train);
  return { path, typed: result.right.typed, config };
}

/**
 * Whether `text` is well-formed XML as far as an SVG needs: one root, every tag closed in
 * order, quoted attributes, no stray `<` or `&`. Returns the problem or undefined.
 */
export function xmlProblem(text: string): string | undefined {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<\?xml[^>]*\?>|<!--[\s\S]*?-->/g;
  let last = 0;
  let roots = 0;
  for (let m = tag.exec(text); m; m = tag.exec(text)) {
    const between = text.slice(last, m.index);
    if (/[<>]/.test(between)) return `stray angle bracket near offset ${last}: ${JSON.stringify(between.slice(0, 40))}`;
    if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(between)) return `unescaped & near offset ${last}`;
    last = m.index + m[0].length;
    if (!m[2]) continue;
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      if (stack.pop() !== name) return `</${name}> does not close the open element`;
    } else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name!);
    } else if (stack.length === 0) roots++;
  }
  if (/[<>]/.test(text.slice(last))) return 'stray angle bracket at the end';
  if (stack.length) return `unclosed <${stack[stack.length - 1]}>`;
  if (roots !== 1) return `${roots} root elements`;
  return undefined;
}
