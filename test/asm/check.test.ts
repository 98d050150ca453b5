// SPDX-License-Identifier: Apache-2.0
// The whole engine path (wasm open → guest → rules → report contract) on images
// whose contents are given byte by byte.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { checkFiles } from '../../src/engine/check';
import { memoryFiles, type Instantiate } from '../../src/engine/wasm';

const build = new URL('../../build/', import.meta.url);
const mod = await WebAssembly.compile(readFileSync(new URL('guestcheck.wasm', build)));
const inst = (await import(/* @vite-ignore */ new URL('guestcheck.js', build).href)).instantiate as Instantiate;

describe('checkFiles', () => {
  it('reports an all-zero disk as an empty, non-system image', async () => {
    const phases: string[] = [];
    const r = await checkFiles(inst, mod, memoryFiles([new Uint8Array(4 << 20)]), ['zero.img'], { onProgress: (p) => phases.push(p.phase) });
    expect(r.tool.name).toBe('guestcheck');
    expect(r.image).toMatchObject({ files: ['zero.img'], format: 'raw', virtualSize: 4 << 20, partitionTable: 'none' });
    expect(r.platform).toBeNull();
    expect(r.findings.map((f) => [f.name, f.status, f.value])).toEqual([['Platform', 'fail', 'Unknown'], ['SystemImage', 'fail', 'Empty']]);
    expect(r.DetectionOptions.Items.Item[0]).toEqual({ Name: 'Platform', Value: 'Unknown', RiskCode: 'Platform.NotFound', RiskLevel: 'High' });
    expect(r.Tags).toEqual([]);
    expect(r.stats.readCalls).toBeGreaterThan(0);
    expect(r.stats.bytesRead).toBeLessThan(4 << 20);
    expect(phases[0]).toBe('opening');
    expect(phases.at(-1)).toBe('done');
  });

  it('reports an unreadable container as an error with its code', async () => {
    const b = new Uint8Array(1024);
    b.set([0x51, 0x46, 0x49, 0xfb]);
    const r = await checkFiles(inst, mod, memoryFiles([b]), ['a.qcow2']);
    expect(r.error?.code).toBe('qcow2.version');
    expect(r.findings).toEqual([]);
  });
});

describe('checkFiles on a damaged partition table', () => {
  it('fails SystemImage naming the GPT error, not "empty"', async () => {
    const { gunzipSync } = await import('node:zlib');
    const img = new Uint8Array(gunzipSync(readFileSync(new URL('../fixtures/guest/debian12-gpt.img.gz', import.meta.url))));
    // break both GPT headers' CRC fields (primary at LBA 1, backup at the last LBA)
    img[512 + 16] ^= 0xff;
    img[img.length - 512 + 16] ^= 0xff;
    const r = await checkFiles(inst, mod, memoryFiles([img]), ['broken.img']);
    expect(r.image.tableError).toMatch(/^gpt\.header\.crc/);
    expect(r.findings.find((f) => f.name === 'SystemImage')).toMatchObject({ status: 'fail', value: 'BrokenPartitionTable', riskLevel: 'High' });
  });
});
