// SPDX-License-Identifier: Apache-2.0
// bench/sparse-deflate.py writes the benchmark's 200 GiB .gz and .zip in
// seconds by repeating one compressed hole segment; here its output is read
// back by independent readers (gzip -dc, Python's zipfile with zip64) and by
// the guestcheck CLI, which checks the stream's CRC-32 and size.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync, writeSync, ftruncateSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scratchDir } from '../helpers/scratch';
import { randomBytes } from '../helpers/bytes';

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = join(root, 'bench/sparse-deflate.py');
const bin = join(root, 'bin/guestcheck.js');
const hasPython = spawnSync('python3', ['--version']).status === 0;
const dir = scratchDir('guestcheck-sparse-deflate-');
const MiB = 1 << 20;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** 80 MiB + 5 KiB: data in windows 0 and 2, windows 1, 3 and 4 all hole, a short data tail. */
function sparseImage(): string {
  const p = join(dir, 'disk.img');
  const fd = openSync(p, 'w');
  ftruncateSync(fd, 80 * MiB + 5 * 1024);
  writeSync(fd, randomBytes(MiB, 7), 0, MiB, 0);
  writeSync(fd, randomBytes(4096, 9), 0, 4096, 40 * MiB + 512);
  writeSync(fd, randomBytes(5 * 1024, 11), 0, 5 * 1024, 80 * MiB);
  closeSync(fd);
  return p;
}

describe.skipIf(!hasPython)('bench/sparse-deflate.py', () => {
  const img = sparseImage();
  const want = sha(readFileSync(img));
  const holesKept = statSync(img).blocks * 512 < 8 * MiB;

  for (const ext of ['gz', 'zip'] as const) {
    it(`writes a ${ext} that independent readers and the CLI read back whole`, () => {
      const out = join(dir, `disk.${ext}`);
      const made = spawnSync('python3', [script, img, out], { encoding: 'utf8' });
      expect(made.status, made.stderr).toBe(0);
      // the fast path was taken wherever the filesystem kept the holes
      if (holesKept) expect(made.stderr).toContain('3 of 6 windows all hole');
      const back = ext === 'gz'
        ? spawnSync('gzip', ['-dc', out], { maxBuffer: 128 * MiB })
        : spawnSync('python3', ['-c', 'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\ni = z.infolist()[0]\nassert i.file_size == 80 * 2**20 + 5120, i.file_size\nsys.stdout.buffer.write(z.read(i))', out], { maxBuffer: 128 * MiB });
      expect(back.status, String(back.stderr)).toBe(0);
      expect(sha(back.stdout)).toBe(want);
      const r = spawnSync(process.execPath, [bin, out, '--json'], { encoding: 'utf8' });
      const j = JSON.parse(r.stdout);
      expect(j.image).toMatchObject({ virtualSize: 80 * MiB + 5 * 1024 });
      expect(JSON.stringify(j)).not.toMatch(/crc|corrupt/i);
    });
  }
});
