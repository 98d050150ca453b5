// SPDX-License-Identifier: Apache-2.0
// The repository root, found upward from this module (it runs from fuzz/ in
// vitest and from build/fuzz/js/fuzz/ in the campaign).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json'))) {
    const up = dirname(d);
    if (up === d) throw new Error('no package.json above ' + import.meta.url);
    d = up;
  }
  return d + '/';
}
export const ROOT = findRoot();
