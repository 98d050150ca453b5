// SPDX-License-Identifier: Apache-2.0
// Disk images inside zip and OVA archives, read in place: the fixtures come
// from test/fixtures/recipes/compressed.sh (zip -9, zip -fz, zip -P, tar);
// stored zips and an OVA with a raw disk are made here with zip and tar when
// they are installed. Every report must equal the raw image's, and ranges
// read through the member windows must equal the raw bytes.
import { describe, it, expect } from 'vitest';
import { unnamed } from '../helpers/same-report';
import { scratchDir } from '../helpers/scratch';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { checkFiles } from '../../src/engine/check';
import { instantiateEngine, memoryFiles, type Instantiate } from '../../src/engine/wasm';
import { locateImage, type Located } from '../../src/engine/locate';
import { listTar } from '../../src/engine/tar';

const build = new URL('../../build/', import.meta.url);
const mod = await WebAssembly.compile(readFileSync(new URL('guestcheck.wasm', build)));
const inst = (await import(/* @vite-ignore */ new URL('guestcheck.js', build).href)).instantiate as Instantiate;
const fixture = (p: string) => new Uint8Array(readFileSync(new URL(`../fixtures/${p}`, import.meta.url)));
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

const raw = new Uint8Array(zlib.gunzipSync(fixture('partitions/mbr-logical.img.gz')));

async function report(buf: Uint8Array, name: string) {
  const { stats, ...r } = await checkFiles(inst, mod, memoryFiles([buf]), [name]);
  void stats;
  return r;
}
/** The report without what legitimately differs for an archived copy: names, the archive and container facts. */
function comparable(r: any) {
  const { compression, archive, files, container, ...image } = r.image;
  void compression; void archive; void files;
  const { topFile, files: cfiles, fileSize, allocatedSize, cloudImport, ...facts } = container ?? {};
  void topFile; void cfiles; void fileSize; void allocatedSize;
  expect(cloudImport === undefined || cloudImport.accepted === (archive === undefined && !compression)).toBe(true);
  return { ...r, image: { ...image, container: facts }, repair: unnamed(r.repair) };
}
const rawReport = await report(raw, 'mbr-logical.img');

/** Reads ranges of the virtual disk through the located member windows. */
async function rangesEqual(archive: Uint8Array, n = 80) {
  const loc = (await locateImage(memoryFiles([archive]), ['a'])) as Located;
  const x = await instantiateEngine(inst, mod, loc.files);
  x.configure(16, 64 << 20);
  expect(x.openImage(loc.files.count)).not.toBe('');
  let v = 12345;
  for (let k = 0; k < n; k++) {
    v = (v * 1103515245 + 12345) >>> 0;
    const len = 1 + (v % 300_000);
    const off = (v * 7) % (raw.length - len);
    const got = x.rawRead(-1, off, len);
    expect(got && Buffer.from(got).equals(Buffer.from(raw.subarray(off, off + len))), `${off}+${len}`).toBe(true);
  }
}

describe('zip', () => {
  it('a deflated member (zip -9) reports as the raw image, read through the random-access index', async () => {
    const zip = fixture('compressed/mbr-logical.zip');
    const r = await report(zip, 'mbr-logical.zip');
    expect(r.error).toBeUndefined();
    expect(r.image.compression).toBe('deflate');
    expect(r.image.archive).toMatchObject({ format: 'zip', members: ['mbr-logical.img'], disks: [{ name: 'mbr-logical.img', method: 'deflate', uncompressedSize: raw.length }] });
    expect(r.image.files).toEqual(['mbr-logical.zip:mbr-logical.img']);
    expect(comparable(r)).toEqual(comparable(rawReport));
    await rangesEqual(zip);
  });

  it('zip64 records (zip -fz)', async () => {
    const zip = fixture('compressed/mbr-logical-zip64.zip');
    const r = await report(zip, 'z.zip');
    expect(comparable(r)).toEqual(comparable(rawReport));
  });

  it('an encrypted member (zip -P) is a clear error', async () => {
    const r = await report(fixture('compressed/mbr-logical-encrypted.zip'), 'e.zip');
    expect(r.error?.code).toBe('zip.encrypted');
    expect(r.error?.message).toMatch(/mbr-logical\.img.*encrypted/);
  });

  it('a damaged member: CRC-32 and truncation are named', async () => {
    const zip = fixture('compressed/mbr-logical.zip');
    const badCrc = zip.slice();
    // the CRC-32 in the central directory header (signature PK\1\2, CRC at +16)
    const cd = Buffer.from(badCrc).lastIndexOf(Buffer.from([0x50, 0x4b, 1, 2]));
    badCrc[cd + 16] ^= 1;
    expect((await report(badCrc, 'c.zip')).error?.code).toBe('zip.crc');
    const flipped = zip.slice();
    flipped[200] ^= 0x10; // inside the deflate data
    expect((await report(flipped, 'f.zip')).error?.code).toMatch(/^(inflate\.|zip\.(crc|size))/);
    expect((await report(zip.subarray(0, 8000), 't.zip')).error?.code).toBe('zip.directory');
  });

  it.skipIf(!has('zip'))('a stored member (zip -0) is read in place (zip is installed)', async () => {
    const dir = scratchDir('gc-zip-');
    writeFileSync(join(dir, 'disk.img'), raw);
    writeFileSync(join(dir, 'README.txt'), 'not a disk\n');
    execFileSync('zip', ['-q', '-0', '-X', 'a.zip', 'README.txt', 'disk.img'], { cwd: dir });
    const zip = new Uint8Array(readFileSync(join(dir, 'a.zip')));
    const r = await report(zip, 'a.zip');
    expect(r.image.compression).toBeUndefined();
    expect(r.image.archive).toMatchObject({ format: 'zip', members: ['README.txt', 'disk.img'], disks: [{ name: 'disk.img', method: 'stored' }] });
    expect(comparable(r)).toEqual(comparable(rawReport));
    await rangesEqual(zip, 30);
  });

  it('a zip without a disk image says so', async () => {
    const dir = scratchDir('gc-zip-');
    writeFileSync(join(dir, 'notes.txt'), 'hello\n');
    if (!has('zip')) return;
    execFileSync('zip', ['-q', 'n.zip', 'notes.txt'], { cwd: dir });
    const r = await report(new Uint8Array(readFileSync(join(dir, 'n.zip'))), 'n.zip');
    expect(r.error?.code).toBe('zip.no-disk');
  });
});

describe('OVA', () => {
  it('the fixture OVA (ovf + gzipped raw disk + manifest) reports as the raw image and keeps the OVF text', async () => {
    const ova = fixture('compressed/mbr-logical.ova');
    const r = await report(ova, 'appliance.ova');
    expect(r.error).toBeUndefined();
    expect(r.image.compression).toBe('gzip');
    expect(r.image.archive?.format).toBe('ova');
    expect(r.image.archive?.members).toEqual(['appliance.ovf', 'mbr-logical.img.gz', 'appliance.mf']);
    expect(r.image.archive?.disks.map((d) => d.name)).toEqual(['mbr-logical.img.gz']);
    expect(r.image.archive?.ovf).toMatch(/<File ovf:href="mbr-logical.img.gz"/);
    expect(comparable(r)).toEqual(comparable(rawReport));
    await rangesEqual(ova, 40);
  });

  it.skipIf(!has('tar'))('GNU long names, pax headers and a raw disk member (tar is installed)', async () => {
    const dir = scratchDir('gc-tar-');
    const long = 'a-very-long-directory-name-that-does-not-fit-in-one-hundred-bytes-of-ustar-name-field-'.repeat(2) + 'disk.img';
    writeFileSync(join(dir, 'x.ovf'), '<Envelope><References><File ovf:href="' + long + '"/></References></Envelope>');
    writeFileSync(join(dir, long), raw);
    for (const format of ['gnu', 'pax']) {
      execFileSync('tar', [`--format=${format}`, '-cf', `${format}.ova`, 'x.ovf', long], { cwd: dir });
      const ova = new Uint8Array(readFileSync(join(dir, `${format}.ova`)));
      const members = listTar((o, l) => ova.subarray(o, o + l), ova.length);
      expect(members.map((m) => m.name)).toEqual(['x.ovf', long]);
      expect(Buffer.from(ova.subarray(members[1].offset, members[1].offset + members[1].size)).equals(Buffer.from(raw))).toBe(true);
      const r = await report(ova, `${format}.ova`);
      expect(r.image.archive?.disks.map((d) => d.name)).toEqual([long]);
      expect(comparable(r)).toEqual(comparable(rawReport));
    }
  });

  it('a damaged tar header is named', async () => {
    const ova = fixture('compressed/mbr-logical.ova').slice();
    ova[512 * 0 + 10] ^= 0x20; // in the first header's name: the checksum no longer matches
    const r = await report(ova, 'bad.ova');
    expect(r.error?.code).toBe('tar.checksum');
  });
});
