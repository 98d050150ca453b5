// SPDX-License-Identifier: Apache-2.0
// LVM2 over test/fixtures/lvm/lvm-two-pvs.img.gz (test/fixtures/recipes/lvm.sh:
// pvcreate/vgcreate/lvcreate/lvextend on loop devices over two MBR
// partitions, then each LV's sectors written where lvm2's own report puts its
// extents): every byte of every LV must read back as the recipe wrote it,
// through linear, two-segment and striped mappings. Broken metadata at each
// layer gives its error; unsupported segment types are named per LV.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { loadEngine } from '../helpers/engine';

const dir = fileURLToPath(new URL('../fixtures/lvm/', import.meta.url));
const fixture = () => new Uint8Array(gunzipSync(readFileSync(dir + 'lvm-two-pvs.img.gz')));
const P1 = 2048 * 512, P2 = 22528 * 512;

/** lvm2's report, as the recipe saved it: LV sizes and PV UUIDs. */
function report() {
  const lines = readFileSync(dir + 'lvm-two-pvs.txt', 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/));
  const pvs = lines.filter((f) => f[0] === 'p1' || f[0] === 'p2').map((f) => ({ name: f[0], uuid: f[1] }));
  const lvs = new Map<string, number>();
  for (const f of lines) if (f[0] !== 'PV' && f[0] !== 'LV' && f[0] !== 'p1' && f[0] !== 'p2') lvs.set(f[0], Number(f[1]));
  return { pvs, lvs };
}

function expectPattern(name: string, bytes: Uint8Array) {
  const dec = new TextDecoder();
  for (let s = 0; s < bytes.length / 512; s++) {
    const text = `${name}:${String(s).padStart(8, '0')}\n`;
    const got = dec.decode(bytes.subarray(s * 512, s * 512 + text.length));
    if (got !== text) expect(`${name} sector ${s}: ${JSON.stringify(got)}`).toBe(`${name} sector ${s}: ${JSON.stringify(text)}`);
  }
}

// ---- editing metadata the way a damaged or foreign tool might ---------------

const CRC = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; t[n] = c >>> 0; }
  return t;
})();
/** lvm2's calc_crc: from 0xf597a6cf, no final inversion */
function lvmCrc(b: Uint8Array): number {
  let c = 0xf597a6cf;
  for (const x of b) c = (CRC[(c ^ x) & 0xff] ^ (c >>> 8)) >>> 0;
  return c >>> 0;
}

/** Where the PV at `part` keeps its committed metadata text. */
function mdaOf(img: Uint8Array, part: number) {
  const dv = new DataView(img.buffer);
  const label = part + 512;
  let p = label + dv.getUint32(label + 20, true) + 40;
  while (dv.getBigUint64(p, true) !== 0n) p += 16; // data areas
  p += 16;
  const mda = part + Number(dv.getBigUint64(p, true));
  const off = Number(dv.getBigUint64(mda + 40, true)), size = Number(dv.getBigUint64(mda + 48, true));
  return { mda, text: mda + off, size };
}

/** Rewrites the metadata text of a PV with `edit`, fixing the checksums as lvm2 would. */
function editMetadata(img: Uint8Array, part: number, edit: (t: string) => string) {
  const dv = new DataView(img.buffer);
  const { mda, text, size } = mdaOf(img, part);
  const old = new TextDecoder().decode(img.subarray(text, text + size)).replace(/\0+$/, '');
  const next = new TextEncoder().encode(edit(old) + '\0');
  expect(edit(old)).not.toBe(old);
  img.set(next, text);
  dv.setBigUint64(mda + 48, BigInt(next.length), true);
  dv.setUint32(mda + 56, lvmCrc(next), true);
  dv.setUint32(mda, lvmCrc(img.subarray(mda + 4, mda + 512)), true);
}

/** The text without section `name { ... }` (braces matched). */
function removeSection(t: string, name: string): string {
  const start = t.search(new RegExp(`(^|\\n)\\s*${name} \\{`));
  expect(start).toBeGreaterThan(-1);
  let i = t.indexOf('{', start), depth = 0;
  for (; i < t.length; i++) {
    if (t[i] === '{') depth++;
    else if (t[i] === '}' && --depth === 0) break;
  }
  return t.slice(0, start) + t.slice(i + 1);
}

async function open(img: Uint8Array) {
  const s = await (await loadEngine()).open([img]);
  const info = s.inspect();
  const vol = (id: string) => info.volumes.find((v: any) => v.id === id);
  return { s, info, vol };
}

describe('LVM2: two PVs of one VG on MBR partitions', () => {
  it('lists the PVs and the LVs, named as lvm2 and device-mapper name them', async () => {
    const { info, vol } = await open(fixture());
    const rep = report();
    expect(info.volumes.map((v: any) => v.id)).toEqual(['p1', 'p2', 'vg-test/lin', 'vg-test/str-ipe', 'vg-test/span']);
    for (const pv of rep.pvs) {
      expect(vol(pv.name).fs).toBe('LVM2_member');
      expect(vol(pv.name).uuid).toBe(pv.uuid);
      expect(vol(pv.name).error).toBeUndefined();
    }
    for (const [name, size] of rep.lvs) expect(vol('vg-test/' + name).size, name).toBe(size);
    expect(vol('vg-test/lin').lvm).toMatchObject({ vg: 'vg-test', lv: 'lin', layout: 'linear', stripes: 1, segments: 1, pvs: ['pv0'],
      mapperPath: '/dev/mapper/vg--test-lin', vgPath: '/dev/vg-test/lin' });
    expect(vol('vg-test/str-ipe').lvm).toMatchObject({ layout: 'striped', stripes: 2, segments: 1, pvs: ['pv0', 'pv1'],
      mapperPath: '/dev/mapper/vg--test-str--ipe' });
    expect(vol('vg-test/span').lvm).toMatchObject({ layout: 'linear', segments: 2, pvs: ['pv0', 'pv1'] });
    expect(vol('vg-test/lin').uuid).toBe(''); // no filesystem: the recipe wrote a pattern
    expect(info.volumeGroups).toEqual([{ name: 'vg-test', uuid: expect.stringMatching(/^\w{6}(-\w{4}){5}-\w{6}$/), seqno: 5,
      extentSize: 1048576, logicalVolumes: 3, notes: [] }]);
  });

  it('reads every sector of each LV where lvm2 put it (linear, two segments, striped)', async () => {
    const { s, info } = await open(fixture());
    for (const [i, v] of info.volumes.entries()) {
      if (!v.lvm) continue;
      const b = s.x.rawRead(i, 0, v.size);
      expect(b, v.id).not.toBeNull();
      expectPattern(v.lvm.lv, b!);
      // reads that cross a stripe chunk and a segment boundary
      const mid = s.x.rawRead(i, 65536 - 100, 200)!;
      expect(mid).toEqual(b!.subarray(65536 - 100, 65536 + 100));
    }
    const span = info.volumes.findIndex((v: any) => v.id === 'vg-test/span');
    expect(s.x.rawRead(span, 2 * 1048576 - 512, 1024)).toEqual(s.x.rawRead(span, 0, 5 * 1048576)!.subarray(2 * 1048576 - 512, 2 * 1048576 + 512));
  });

  it('one PV with a bad metadata checksum: the other PV\'s copy still assembles the VG', async () => {
    const img = fixture();
    const { text } = mdaOf(img, P2);
    img[text + 10] ^= 0x20;
    const { vol } = await open(img);
    expect(vol('p2').errorCode).toBe('lvm.metadata.checksum');
    expect(vol('p2').error).toMatch(/metadata text checksum does not match/);
    expect(vol('p1').error).toBeUndefined();
    expect(vol('vg-test/span').error).toBeUndefined();
  });

  it('both copies damaged: no logical volumes, each PV says why', async () => {
    const img = fixture();
    for (const part of [P1, P2]) img[mdaOf(img, part).text + 10] ^= 0x20;
    const { info, vol } = await open(img);
    expect(info.volumes.map((v: any) => v.id)).toEqual(['p1', 'p2']);
    expect(vol('p1').errorCode).toBe('lvm.metadata.checksum');
  });

  it('a damaged label and a damaged metadata area header', async () => {
    let img = fixture();
    img[P1 + 512 + 100] ^= 1;
    expect((await open(img)).vol('p1').errorCode).toBe('lvm.label.crc');
    img = fixture();
    img[mdaOf(img, P2).mda + 300] ^= 1;
    expect((await open(img)).vol('p2').errorCode).toBe('lvm.mda.crc');
  });

  it('the newest metadata (highest seqno) wins over an older copy', async () => {
    const img = fixture();
    // p2 claims an older generation without "span": p1's seqno is higher and decides
    editMetadata(img, P2, (t) => t.replace(/seqno = (\d+)/, (_, n) => `seqno = ${Number(n) - 1}`).replace(/.*/s, (x) => removeSection(x, 'span')));
    const { info } = await open(img);
    expect(info.volumes.map((v: any) => v.id)).toContain('vg-test/span');
    // and the other way round
    const img2 = fixture();
    editMetadata(img2, P1, (t) => t.replace(/seqno = (\d+)/, (_, n) => `seqno = ${Number(n) + 1}`).replace(/.*/s, (x) => removeSection(x, 'span')));
    const r2 = await open(img2);
    expect(r2.info.volumes.map((v: any) => v.id)).not.toContain('vg-test/span');
    expect(r2.info.volumeGroups[0].notes[0]).toMatch(/different metadata versions; the newest \(seqno 6\)/);
  });

  it('metadata text that wraps around the end of its ring buffer is reassembled', async () => {
    const img = fixture();
    const dv = new DataView(img.buffer);
    for (const part of [P1, P2]) {
      const { mda, text, size } = mdaOf(img, part);
      const t = img.slice(text, text + size);
      const areaSize = Number(dv.getBigUint64(mda + 32, true));
      const head = 300; // bytes that fit before the end of the area; the rest continues after the 512-byte header
      img.fill(0, mda + 512, mda + areaSize);
      img.set(t.subarray(0, head), mda + areaSize - head);
      img.set(t.subarray(head), mda + 512);
      dv.setBigUint64(mda + 40, BigInt(areaSize - head), true);
      dv.setUint32(mda, lvmCrc(img.subarray(mda + 4, mda + 512)), true);
    }
    const { s, info, vol } = await open(img);
    expect(vol('p1').error).toBeUndefined();
    const span = info.volumes.findIndex((v: any) => v.id === 'vg-test/span');
    expectPattern('span', s.x.rawRead(span, 0, 5 << 20)!);
  });

  it('a missing PV: the LVs on the other PV still read, the rest say which PV is absent', async () => {
    const img = fixture();
    img.fill(0, P2, P2 + 4096); // p2's label gone: it is no longer a PV
    const { s, info, vol } = await open(img);
    expect(vol('p2').fs).not.toBe('LVM2_member');
    expect(info.volumeGroups[0].notes[0]).toMatch(/physical volume pv1 \(9VhRGn-.*\) is not on this disk/);
    expect(vol('vg-test/span').errorCode).toBe('lvm.pv.missing');
    expect(vol('vg-test/str-ipe').errorCode).toBe('lvm.pv.missing');
    const lin = info.volumes.findIndex((v: any) => v.id === 'vg-test/lin');
    expectPattern('lin', s.x.rawRead(lin, 0, 3 << 20)!);
  });

  it('a segment past the end of its PV', async () => {
    const img = fixture();
    for (const part of [P1, P2]) editMetadata(img, part, (t) => t.replace(/pe_count = 9/, 'pe_count = 2'));
    const { vol } = await open(img);
    expect(vol('vg-test/lin').errorCode).toBe('lvm.segment.past-pv');
    expect(vol('vg-test/lin').error).toMatch(/extents 0\.\.2 of pv0, which has 2 extents/);
  });

  it('unsupported segment types are named per LV; the other LVs still read', async () => {
    const img = fixture();
    for (const part of [P1, P2]) editMetadata(img, part, (t) => t.replace(/(str-ipe \{[\s\S]*?type = )"striped"/, '$1"raid1"'));
    const { s, info, vol } = await open(img);
    expect(vol('vg-test/str-ipe').errorCode).toBe('lvm.lv.unsupported');
    expect(vol('vg-test/str-ipe').error).toMatch(/"raid1" segment: not supported/);
    const lin = info.volumes.findIndex((v: any) => v.id === 'vg-test/lin');
    expectPattern('lin', s.x.rawRead(lin, 0, 3 << 20)!);
  });

  it('a snapshot\'s copy-on-write LV is named as not supported; its origin still reads', async () => {
    // what lvcreate -s writes: a hidden "snapshot" segment naming the origin and the COW store
    const snap = 'snapshot0 {\nid = "aaaaaa-bbbb-cccc-dddd-eeee-ffff-000000"\nstatus = ["READ"]\nflags = []\nsegment_count = 1\n' +
      'segment1 {\nstart_extent = 0\nextent_count = 2\ntype = "snapshot"\nchunk_size = 8\norigin = "lin"\ncow_store = "span"\n}\n}\n';
    const img = fixture();
    for (const part of [P1, P2]) editMetadata(img, part, (t) => t.replace('logical_volumes {\n', 'logical_volumes {\n' + snap));
    const { s, info, vol } = await open(img);
    expect(info.volumes.map((v: any) => v.id)).not.toContain('vg-test/snapshot0'); // hidden
    expect(vol('vg-test/span')).toMatchObject({ errorCode: 'lvm.lv.unsupported', lvm: { layout: 'snapshot' } });
    expect(vol('vg-test/span').error).toMatch(/is a snapshot \(copy-on-write store\): not supported/);
    const lin = info.volumes.findIndex((v: any) => v.id === 'vg-test/lin');
    expectPattern('lin', s.x.rawRead(lin, 0, 3 << 20)!);
  });

  it('malformed metadata text is a syntax error with its line', async () => {
    const img = fixture();
    for (const part of [P1, P2]) editMetadata(img, part, (t) => t.replace('logical_volumes {', 'logical_volumes {{'));
    const { vol } = await open(img);
    expect(vol('p1').errorCode).toBe('lvm.metadata.syntax');
    expect(vol('p1').error).toMatch(/line \d+/);
  });
});

const corpus = '/work/shared/corpus/dissect.volume/lvm/';
describe('LVM2 corpus (dissect.volume)', () => {
  it.skipIf(!existsSync(corpus))('lvm.bin: striped lv_test of vg_test reads DEADBEEF x 256 then zeros (skipped when /work/shared/corpus is absent)', async () => {
    const { s, info } = await open(new Uint8Array(gunzipSync(readFileSync(corpus + 'lvm.bin.gz'))));
    const i = info.volumes.findIndex((v: any) => v.id === 'vg_test/lv_test');
    expect(i).toBeGreaterThan(-1);
    const b = s.x.rawRead(i, 0, 2048)!;
    for (let k = 0; k < 1024; k += 4) expect([...b.subarray(k, k + 4)]).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(b.subarray(1024).every((x) => x === 0)).toBe(true);
  });
  it.skipIf(!existsSync(corpus))('lvm-thin.bin: thin volumes are named as not supported', async () => {
    const { info } = await open(new Uint8Array(gunzipSync(readFileSync(corpus + 'lvm-thin.bin.gz'))));
    const thin = info.volumes.filter((v: any) => v.lvm);
    expect(thin.length).toBeGreaterThan(0);
    for (const v of thin) {
      expect(v.errorCode, v.id).toBe('lvm.lv.unsupported');
      expect(v.error).toMatch(/"thin(-pool)?" segment: not supported/);
    }
  });
});
