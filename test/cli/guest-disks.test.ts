// SPDX-License-Identifier: Apache-2.0
// The CLI over real Debian 12 disks (debootstrap + linux-image-cloud-amd64, laid
// out by sgdisk/sfdisk and mkfs.ext* -d; test/fixtures/recipes/guest-disks.sh).
// Expected facts come from the recipe's manifest, which records what sgdisk,
// blkid and debugfs said about the same images.
import { describe, it, expect } from 'vitest';
import { scratchDir } from '../helpers/scratch';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = new URL('../../', import.meta.url);
const bin = fileURLToPath(new URL('bin/guestcheck.js', root));
const manifest = JSON.parse(readFileSync(new URL('test/fixtures/guest/manifest.json', root), 'utf8'));
const dir = scratchDir('guestcheck-guest-');

const images: { name: string; [k: string]: any }[] = manifest.images;

describe.each(images)('$name', (img) => {
  const path = join(dir, img.image);
  writeFileSync(path, gunzipSync(readFileSync(new URL(`test/fixtures/guest/${img.file}`, root))));
  const r = spawnSync(process.execPath, [bin, path, '--json'], { encoding: 'utf8' });
  const rep = JSON.parse(r.stdout);
  const item = (n: string) => rep.findings.find((f: any) => f.name === n);

  it('passes the foundation items and exits 1 exactly when an item fails', () => {
    expect(r.status).toBe(rep.findings.some((f: any) => f.status === 'fail') ? 1 : 0);
    expect(rep.platform).toBe('Linux');
    const base = ['Platform', 'OSVersion', 'Architecture', 'KernelVersion', 'SystemImage'];
    expect(rep.findings.filter((f: any) => base.includes(f.name)).map((f: any) => [f.name, f.status])).toEqual(base.map((n) => [n, 'pass']));
  });

  it('reports the OS version, architecture and kernel the tree holds', () => {
    expect(item('OSVersion').value).toBe(`Debian ${manifest.tree.debian_version}`);
    expect(item('Architecture').value).toBe('x86_64');
    expect(item('KernelVersion').value).toBe(manifest.tree.kernel.version);
    // tagged only when no item fails at High (src/report/tags.ts): the MBR images have no boot code
    const highFail = rep.findings.some((f: any) => f.status === 'fail' && f.riskLevel === 'High');
    expect(rep.Tags).toEqual(highFail ? [] : [
      { TagKey: 'acs:ecs:image:osVersion', TagValue: `Debian ${manifest.tree.debian_version}` },
      { TagKey: 'acs:ecs:image:kernelVersion', TagValue: manifest.tree.kernel.version },
    ]);
  });

  it('lists the partitions as sgdisk/sfdisk made them, with blkid\'s UUIDs, mounted as fstab says', () => {
    expect(rep.image.partitionTable).toBe(img.partition_table);
    expect(rep.image.virtualSize).toBe(img.size);
    const parts = img.partitions.filter((p: any) => p.role !== 'extended' && p.type !== '0x5' && p.type !== '5');
    for (const p of parts) {
      const v = rep.image.volumes.find((x: any) => x.id === `p${p.number}`);
      expect(v, `p${p.number}`).toBeDefined();
      expect(v.start).toBe(p.start_bytes);
      expect(v.size).toBe(p.size_bytes);
    }
    const rootVol = rep.image.volumes.find((v: any) => v.mountedAt === '/');
    expect(rootVol).toMatchObject({ uuid: img.expected.root_uuid, label: img.expected.root_label, fs: img.expected.root_fs });
    if (img.expected.esp_uuid) expect(rep.image.volumes.find((v: any) => v.mountedAt === '/boot/efi')).toMatchObject({ fs: 'vfat', uuid: img.expected.esp_uuid });
    if (img.expected.boot_uuid) expect(rep.image.volumes.find((v: any) => v.mountedAt === '/boot')).toMatchObject({ fs: img.expected.boot_fs, uuid: img.expected.boot_uuid });
    if (img.expected.swap_uuid) expect(rep.image.volumes.find((v: any) => v.fs === 'swap')).toMatchObject({ uuid: img.expected.swap_uuid, label: img.expected.swap_label });
  });

  it('reads metadata, not the image', () => {
    // a real initramfs is read whole (the Virtio and Nvme items list its modules)
    const initrd = img.kernel.initrd?.real ? img.kernel.initrd.size : 0;
    expect(rep.stats.bytesRead).toBeLessThan(img.size / 16 + initrd);
    expect(rep.stats.readCalls).toBeLessThan(150 + Math.ceil(initrd / 65536));
  });
});
