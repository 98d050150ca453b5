// SPDX-License-Identifier: Apache-2.0
// A large read through the GuestView is garbage in the engine's heap once it
// is copied out; the view collects after one, so reading a big file in chunks
// (the initramfs, 1 MiB at a time) leaves the engine's memory where it was
// instead of letting the collector's idle headroom double it.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { wasmGuestView } from '../../src/engine/wasm-guest-view';
import { loadEngine } from '../helpers/engine';

describe('wasmGuestView.readBytes', () => {
  it('reading 160 MiB of a file in 1 MiB chunks does not grow the engine\'s memory', async () => {
    const disk = new Uint8Array(gunzipSync(readFileSync(new URL('../fixtures/guest/debian12-cloud.img.gz', import.meta.url))));
    const s = await (await loadEngine()).open([disk]);
    s.inspect();
    s.mount();
    const g = wasmGuestView(s.x);
    const path = '/boot/initrd.img-6.1.0-56-cloud-amd64';
    const size = g.stat(path)!.size;
    g.readBytes(path, 0, 1 << 20);
    const before = s.x.memory.buffer.byteLength;
    let total = 0;
    for (let round = 0; total < 160 << 20; round++) {
      for (let off = 0; off < size; off += 1 << 20) total += g.readBytes(path, off, 1 << 20)!.length;
    }
    expect(s.x.memory.buffer.byteLength - before).toBeLessThanOrEqual(2 << 20);
  });
});
