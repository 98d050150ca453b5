// SPDX-License-Identifier: Apache-2.0
// Hostile and broken guests, end to end: real guest disks (test/fixtures/guest)
// damaged at test time — by debugfs -w (e2fsprogs) inside the root ext4, or by
// byte surgery at a named offset — and checked as the worker checks them. Each
// case asserts the named error where the damage is AND that the items the
// damage has nothing to do with give the unbroken disk's verdicts.
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../helpers/scratch';
import type { Report } from '../../src/report/types';
import { check, fixture, guestImage, item, manifest, verdicts } from './harness';
import { loadEngine } from '../helpers/engine';
import { cpioHeader, gzipBomb } from './bombs';

const haveDebugfs = spawnSync('debugfs', ['-V']).error === undefined;
const eng = await loadEngine();
const dir = scratchDir('gc-guest-damage-');
const K = manifest.tree.kernel.version as string;
const INITRD = `/boot/initrd.img-${K}`;

const cloud = guestImage('debian12-cloud');
const mbr = guestImage('mbr-ext3');
const baseline = new Map<string, Promise<Report>>();
/** the unbroken disk's report (once per image) */
const unbroken = (name: string, bytes: Uint8Array) => {
  if (!baseline.has(name)) baseline.set(name, check([bytes], [`${name}.img`]));
  return baseline.get(name)!;
};

/** Items whose verdict differs from the unbroken disk's. */
async function changed(name: string, bytes: Uint8Array, r: Report): Promise<string[]> {
  const before = verdicts(await unbroken(name, bytes));
  const after = verdicts(r);
  return Object.keys(before).filter((k) => before[k] !== after[k]).sort();
}

/** debian12-cloud with debugfs commands run on its root ext4 (files: name → bytes written beside the commands). */
async function cloudVariant(tag: string, cmds: string[], files: Record<string, Uint8Array> = {}): Promise<Report> {
  const d = join(dir, tag);
  execFileSync('mkdir', ['-p', d]);
  const disk = join(d, 'disk.img');
  writeFileSync(disk, cloud.bytes);
  for (const [n, b] of Object.entries(files)) writeFileSync(join(d, n), b);
  writeFileSync(join(d, 'cmds'), cmds.map((c) => c.replaceAll('$DIR', d)).join('\n') + '\n');
  execFileSync('debugfs', ['-w', '-f', join(d, 'cmds'), `${disk}?offset=${cloud.part('root').start}`], { stdio: 'ignore' });
  const bytes = new Uint8Array(readFileSync(disk));
  execFileSync('rm', ['-rf', d]);
  return check([bytes], [`${tag}.img`]);
}

/** The real initramfs of debian12-cloud, dumped by debugfs. */
function realInitrd(): Uint8Array {
  const out = join(dir, 'initrd');
  const disk = join(dir, 'cloud-for-dump.img');
  writeFileSync(disk, cloud.bytes);
  execFileSync('debugfs', ['-R', `dump ${INITRD} ${out}`, `${disk}?offset=${cloud.part('root').start}`], { stdio: 'ignore' });
  execFileSync('rm', ['-f', disk]);
  return new Uint8Array(readFileSync(out));
}

const evidenceText = (r: Report, name: string) => {
  const f = item(r, name);
  return [f.value, f.solution, ...f.evidence.map((e) => `${e.path}: ${e.text}`)].join('\n');
};

/** the items that read the initramfs */
const INITRAMFS_ITEMS = ['Nvme', 'SupportMocInstanceTypes', 'Virtio'];

describe.skipIf(!haveDebugfs)('a broken initramfs fails its items with a clear reason; the rest run (debugfs -w; skipped without e2fsprogs)', () => {
  it('cut in half (zstd): Virtio names the truncation', async () => {
    const full = realInitrd();
    const r = await cloudVariant('initrd-cut', [`rm ${INITRD}`, `write $DIR/half ${INITRD}`], { half: full.subarray(0, full.length >> 1) });
    expect(evidenceText(r, 'Virtio')).toMatch(/zstd/);
    expect(item(r, 'Virtio').status).not.toBe('pass');
    expect((await changed('debian12-cloud', cloud.bytes, r)).filter((n) => !INITRAMFS_ITEMS.includes(n))).toEqual([]);
  });

  it('a cpio member name without its NUL: cpio.name.nul, the rest run', async () => {
    const h = cpioHeader('init', 0);
    h[110 + 4] = 0x41; // the name's terminating NUL overwritten
    const r = await cloudVariant('initrd-cpio-name', [`rm ${INITRD}`, `write $DIR/bad ${INITRD}`], { bad: new Uint8Array([...h, ...new Uint8Array(512)]) });
    expect(evidenceText(r, 'Virtio')).toMatch(/not NUL-terminated/);
    expect(item(r, 'Virtio').status).not.toBe('pass');
    expect((await changed('debian12-cloud', cloud.bytes, r)).filter((n) => !INITRAMFS_ITEMS.includes(n))).toEqual([]);
  });

  it('a gzip bomb (1 GiB of zeros in 1 MB) stops at the ratio bound; Virtio says so, the rest run', async () => {
    const bomb = gzipBomb(cpioHeader('bomb', 0xffffffff), 64);
    const t = performance.now();
    const r = await cloudVariant('initrd-bomb', [`rm ${INITRD}`, `write $DIR/bomb ${INITRD}`], { bomb });
    expect(performance.now() - t).toBeLessThan(45_000);
    expect(evidenceText(r, 'Virtio')).toMatch(/decompression bomb/);
    expect(item(r, 'Virtio').status).not.toBe('pass');
    expect((await changed('debian12-cloud', cloud.bytes, r)).filter((n) => !INITRAMFS_ITEMS.includes(n))).toEqual([]);
  });
});

describe.skipIf(!haveDebugfs)('loops in the guest tree end with a named error (debugfs -w; skipped without e2fsprogs)', () => {
  it('a symlink loop at /etc/fstab: Fstab reports it; every other item is unchanged', async () => {
    const r = await cloudVariant('fstab-loop', ['rm /etc/fstab', 'symlink /etc/fstab /etc/fstab.2', 'symlink /etc/fstab.2 /etc/fstab']);
    const diff = await changed('debian12-cloud', cloud.bytes, r);
    expect(diff).toContain('Fstab');
    expect(evidenceText(r, 'Fstab')).toMatch(/link|loop/i);
    // OnlineResizeFS reads the root's fstab line too
    expect(diff.filter((n) => !['Fstab', 'OnlineResizeFS'].includes(n))).toEqual([]);
  });

  it('a directory hard-linked into itself (a directory loop) under the modules: the check ends, items unchanged', async () => {
    const mods = `/lib/modules/${K}/kernel`;
    const t = performance.now();
    const r = await cloudVariant('dir-loop', [`ln ${mods} ${mods}/loop`, `ln / /etc/rootloop`]);
    expect(performance.now() - t).toBeLessThan(45_000);
    expect(r.error).toBeUndefined();
    expect(await changed('debian12-cloud', cloud.bytes, r)).toEqual([]);
  });
});

describe('damage at each layer of a real disk, by byte surgery', () => {
  it('the /boot filesystem\'s superblock gone (mbr-ext3 p1): /boot fails to mount, fstab, DHCP, SELinux and the OS still check', async () => {
    const b = mbr.bytes.slice();
    const sb = mbr.part('boot').start + 1024;
    b[sb + 0x38] = 0; b[sb + 0x39] = 0; // s_magic 0xEF53
    const r = await check([b], ['boot-gone.img']);
    expect(r.error).toBeUndefined();
    const boot = r.image.volumes.find((v) => v.id === 'p1')!;
    expect(boot.fs).toBe('');
    const diff = await changed('mbr-ext3', mbr.bytes, r);
    for (const n of ['OSVersion', 'Dhcp', 'Selinux', 'CloudInit', 'Architecture', 'RtcTimeMode']) expect(diff).not.toContain(n);
    expect(item(r, 'Platform').status).toBe('pass');
  });

  it('the image cut inside the root ext4\'s inode table (debian12-cloud): no root, and the reason names the volume and the failed read', async () => {
    const root = cloud.part('root').start;
    const sb = root + 1024;
    const u32 = (o: number) => cloud.bytes[o] | (cloud.bytes[o + 1] << 8) | (cloud.bytes[o + 2] << 16) | (cloud.bytes[o + 3] * 2 ** 24);
    const blockSize = 1024 << u32(sb + 0x18);
    const gdt = root + (blockSize === 1024 ? 2048 : blockSize);
    const inodeTable = root + u32(gdt + 8) * blockSize;
    const cut = inodeTable + 64 * 1024;
    const r = await check([cloud.bytes.subarray(0, cut)], ['cut-inode-table.img']);
    expect(r.error).toBeUndefined();
    // the root's directories lie past the cut: no root is found, and the reason names the volume and the read that failed
    expect(item(r, 'Platform').status).toBe('fail');
    expect(item(r, 'Platform').evidence[0].text).toMatch(/volume p3 \(ext4\) could not be read: \/etc: .*past the end.*\(io\.past-end\)/);
    expect(item(r, 'SystemImage').status).toBe('fail');
  });

  it('a bad metadata_csum on /etc/fstab\'s inode (debian12-cloud): ext4.inode.checksum is Fstab\'s error, the other items keep their verdicts', async () => {
    const s = await eng.open([cloud.bytes]);
    s.inspect();
    s.mount();
    const st = s.stat(-1, '/etc/fstab', true)!;
    const root = cloud.part('root').start;
    const u32 = (o: number) => cloud.bytes[o] | (cloud.bytes[o + 1] << 8) | (cloud.bytes[o + 2] << 16) | (cloud.bytes[o + 3] * 2 ** 24);
    const u16 = (o: number) => cloud.bytes[o] | (cloud.bytes[o + 1] << 8);
    const sb = root + 1024;
    expect(u32(sb + 0x64) & 0x400).toBe(0x400); // metadata_csum
    const bs = 1024 << u32(sb + 0x18), ipg = u32(sb + 0x28), isz = u16(sb + 0x58);
    const descSize = u32(sb + 0x60) & 0x80 ? u16(sb + 0xfe) : 32;
    const g = Math.floor((st.node - 1) / ipg), idx = (st.node - 1) % ipg;
    const gd = root + (bs === 1024 ? 2048 : bs) + g * descSize;
    const at = root + u32(gd + 8) * bs + idx * isz;
    const b = cloud.bytes.slice();
    b[at + 0x7c] ^= 0xff; // i_checksum_lo
    const r = await check([b], ['fstab-csum.img']);
    expect(evidenceText(r, 'Fstab')).toMatch(/inode \d+ fails its metadata_csum checksum.*ext4\.inode\.checksum/s);
    expect((await changed('debian12-cloud', cloud.bytes, r)).filter((n) => !['Fstab', 'OnlineResizeFS'].includes(n))).toEqual([]);
  });

  it('the GPT entry array cut off (the image ends at 4 KiB): a named table error, and the check still reports every item', async () => {
    const r = await check([cloud.bytes.subarray(0, 4096)], ['cut-gpt.img']);
    expect(r.error).toBeUndefined();
    expect(`${r.image.tableError ?? ''} ${r.image.notes.join(' ')}`).toMatch(/gpt/i);
    expect(item(r, 'Platform').status).toBe('fail');
  });

  it('the root filesystem\'s superblock cut in half: io.past-end named on the volume', async () => {
    const cut = cloud.part('root').start + 1024 + 512;
    const r = await check([cloud.bytes.subarray(0, cut)], ['cut-superblock.img']);
    expect(r.error).toBeUndefined();
    const v = r.image.volumes.find((x) => x.id === 'p3');
    expect(v?.error ?? `${r.image.tableError} ${r.image.notes}`).toMatch(/past the end|goes past/);
    expect(item(r, 'Platform').status).toBe('fail');
  });

  it('two MBR partitions that overlap: noted, and both still read', async () => {
    const b = mbr.bytes.slice();
    // p1 (/boot) made to run 1 MiB into logical p5 (/), which starts 1 MiB into the extended partition after p1
    const e = 446;
    const sectors = new DataView(b.buffer, b.byteOffset + e + 12, 4);
    sectors.setUint32(0, sectors.getUint32(0, true) + 4096, true);
    const r = await check([b], ['overlap.img']);
    expect(r.error).toBeUndefined();
    expect(r.image.notes.join(' ')).toMatch(/overlap/i);
    expect(item(r, 'OSVersion').status).toBe('pass');
  });
});

describe('a bad XFS v5 inode CRC inside LVM (rhel-like)', () => {
  const rhel = { bytes: fixture('guest/rhel-like.img.gz') };

  it('/etc/os-release\'s inode fails its CRC: OSVersion and the items that need the distribution report the XFS error; none gives a wrong verdict', async () => {
    const s = await eng.open([rhel.bytes]);
    s.inspect();
    s.mount();
    const node = s.stat(-1, '/etc/os-release', true)!.node;
    // the inode core: "IN", version 3, di_ino (big-endian) at 0x98 — found wherever LVM put the root
    const b = rhel.bytes.slice();
    const v = new DataView(b.buffer);
    let at = -1;
    for (let i = 0; i + 0xa0 < b.length; i += 256) {
      if (b[i] === 0x49 && b[i + 1] === 0x4e && b[i + 4] === 3 && v.getBigUint64(i + 0x98) === BigInt(node)) { at = i; break; }
    }
    expect(at).toBeGreaterThan(0);
    b[at + 0x64] ^= 0xff; // di_crc
    const r = await check([b], ['selinux-crc.img']);
    expect(item(r, 'OSVersion')).toMatchObject({ status: 'error', solution: expect.stringMatching(/logical volume rl\/root: inode \d+ at 0x[0-9a-f]+: checksum does not match \(xfs\.inode\.crc\)/) });
    // an item either keeps its verdict or reports the damage: never "no os-release found"
    for (const n of await changed('rhel-like', rhel.bytes, r)) expect(item(r, n).solution, n).toMatch(/xfs\.inode\.crc/);
    const before = verdicts(await unbroken('rhel-like', rhel.bytes));
    for (const n of ['Platform', 'Architecture', 'KernelVersion', 'Fstab', 'Selinux', 'SystemImage']) expect(verdicts(r)[n], n).toBe(before[n]);
  });
});
