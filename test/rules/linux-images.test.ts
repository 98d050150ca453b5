// SPDX-License-Identifier: Apache-2.0
// The Linux items of this branch on real Debian 12 disks (debootstrap + the
// cloud kernel + cloud-init/cloud-guest-utils, initramfs made by the tree's own
// mkinitramfs; test/fixtures/recipes/guest-tree.sh and guest-disks.sh). The
// debian12-cloud image passes every High item; each broken variant fails the
// item it breaks. Expected facts come from the recipe's manifest (what cpio,
// file, debugfs and blkid said about the same images).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { checkFiles } from '../../src/engine/check';
import { memoryFiles, type Instantiate } from '../../src/engine/wasm';
import type { Finding, Report } from '../../src/report/types';

const root = new URL('../../', import.meta.url);
const build = new URL('build/', root);
const mod = await WebAssembly.compile(readFileSync(new URL('guestcheck.wasm', build)));
const inst = (await import(/* @vite-ignore */ new URL('guestcheck.js', build).href)).instantiate as Instantiate;
const manifest = JSON.parse(readFileSync(new URL('test/fixtures/guest/manifest.json', root), 'utf8'));
const byName = new Map<string, any>(manifest.images.map((i: any) => [i.name, i]));
const KVER: string = manifest.tree.kernel.version;
const INITRD = `/boot/initrd.img-${KVER}`;

const reports = new Map<string, Report>();
async function check(name: string): Promise<{ rep: Report; item: (n: string) => Finding; img: any }> {
  const img = byName.get(name);
  if (!reports.has(name)) {
    const bytes = new Uint8Array(gunzipSync(readFileSync(new URL(`test/fixtures/guest/${img.file}`, root))));
    reports.set(name, await checkFiles(inst, mod, memoryFiles([bytes]), [img.image]));
  }
  const rep = reports.get(name)!;
  return { rep, img, item: (n) => rep.findings.find((f) => f.name === n)! };
}

/** the items this branch owns, and what the sound image gives for each */
const MINE = ['Virtio', 'Nvme', 'OnlineResizeFS', 'CloudAssistant', 'CloudInit', 'SecurityCenterAgent', 'SupportMocInstanceTypes'];
const SOUND: Record<string, [string, string]> = {
  Virtio: ['pass', 'Supported'], Nvme: ['pass', 'Supported'], OnlineResizeFS: ['pass', 'Supported'],
  CloudAssistant: ['warn', 'NotInstalled'], CloudInit: ['pass', manifest.tree.package_versions['cloud-init']?.replace(/-.*$/, '') ?? ''],
  SecurityCenterAgent: ['warn', 'NotInstalled'], SupportMocInstanceTypes: ['pass', 'Supported'],
};
const mineOf = (rep: Report) => Object.fromEntries(rep.findings.filter((f) => MINE.includes(f.name)).map((f) => [f.name, [f.status, f.value]]));

describe('debian12-cloud: a sound cloud image', () => {
  it('passes every High item of this branch, with the real initramfs read', async () => {
    const { rep, item, img } = await check('debian12-cloud');
    expect(mineOf(rep)).toEqual(SOUND);
    expect(rep.findings.filter((f) => f.status === 'fail')).toEqual([]);
    const v = item('Virtio');
    expect(v.evidence[0].text).toBe(`kernel ${KVER}: virtio_blk: initramfs, virtio_net: initramfs, virtio_pci: initramfs`);
    // the modules cpio(1) lists in the same file
    for (const m of ['virtio_blk', 'virtio_net', 'virtio_pci', 'virtio_scsi']) expect(img.kernel.initrd.modules).toContain(`${m}.ko`);
    const summary = v.evidence.find((e) => e.path === INITRD && e.text.startsWith('initramfs:'))!;
    expect(summary.text).toMatch(new RegExp(`^initramfs: zstd cpio, \\d+ members, ${img.kernel.initrd.modules.length} kernel modules$`));
    expect(item('Nvme').evidence[0].text).toBe(`kernel ${KVER}: nvme: builtin, nvme_core: builtin`);
    // modules.builtin says so first; the kernel config the manifest read agrees
    expect(item('Nvme').evidence).toContainEqual({ path: `/lib/modules/${KVER}/modules.builtin`, line: expect.any(Number), text: 'nvme is built into the kernel' });
    expect(img.kernel.config_virtio).toMatchObject({ CONFIG_BLK_DEV_NVME: 'y', CONFIG_NVME_CORE: 'y', CONFIG_VIRTIO_BLK: 'm' });
  });

  it('finds cloud-init in dpkg status and its version in the Python package', async () => {
    const { item } = await check('debian12-cloud');
    const ci = item('CloudInit');
    expect(ci.evidence[0]).toMatchObject({ path: '/var/lib/dpkg/status', text: expect.stringMatching(/^Package: cloud-init \(/) });
    expect(ci.evidence.some((e) => /cloud_init-[\d.]+\.egg-info$/.test(e.path))).toBe(true);
    // Debian's debconf writes 90_dpkg.cfg only when configured interactively: the built-in list (with AliYun) applies
    expect(ci.evidence.at(-1)).toEqual({ path: '/etc/cloud/cloud.cfg', text: 'no datasource_list: cloud-init probes its built-in list, which includes AliYun' });
    expect(item('OnlineResizeFS').evidence.at(-1)).toEqual({ path: 'volume p3', text: 'root (p3, ext4) is the last partition on the disk' });
  });

  it('reads the initramfs once and stays a metadata read', async () => {
    const { rep, img } = await check('debian12-cloud');
    expect(rep.stats.bytesRead).toBeLessThan(img.kernel.initrd.size + (8 << 20));
  });
});

describe('broken variants', () => {
  it('debian12-cloud-novirtio fails Virtio (High, NotInInitramfs) with update-initramfs, reading the xz initramfs', async () => {
    const { rep, item } = await check('debian12-cloud-novirtio');
    const v = item('Virtio');
    expect(v).toMatchObject({ status: 'fail', value: 'Unsupported', riskLevel: 'High', riskCode: 'Virtio.NotInInitramfs' });
    expect(v.solution).toContain(`printf '%s\\n' virtio_blk virtio_net virtio_pci >> /etc/initramfs-tools/modules && update-initramfs -u -k ${KVER}`);
    expect(v.evidence).toContainEqual({ path: `/lib/modules/${KVER}/kernel/drivers/block/virtio_blk.ko`, text: expect.stringMatching(/^virtio_blk is a module on the root disk \(modules\.dep line \d+\)$/) });
    expect(v.evidence.find((e) => e.text.startsWith('initramfs:'))!.text).toMatch(/^initramfs: xz cpio, /);
    expect(item('Nvme').status).toBe('pass');
    expect(item('SupportMocInstanceTypes')).toMatchObject({ status: 'warn', value: 'Unsupported' });
    const rest = mineOf(rep);
    delete rest.Virtio; delete rest.SupportMocInstanceTypes;
    const expected: Record<string, [string, string]> = { ...SOUND };
    delete expected.Virtio; delete expected.SupportMocInstanceTypes;
    expect(rest).toEqual(expected);
  });

  it('debian12-cloud-nocloudinit fails CloudInit (and so OnlineResizeFS has no cloud-init)', async () => {
    const { item } = await check('debian12-cloud-nocloudinit');
    expect(item('CloudInit')).toMatchObject({ status: 'fail', value: 'NotInstalled', riskLevel: 'Medium', riskCode: 'CloudInit.NotInstalled' });
    expect(item('CloudInit').solution).toMatch(/apt-get install -y cloud-init cloud-guest-utils/);
    expect(item('OnlineResizeFS')).toMatchObject({ status: 'warn', riskCode: 'OnlineResizeFS.NoCloudInit' });
    expect(item('Nvme').status).toBe('pass');
  });

  it('debian12-cloud-grub-noinitrd fails Virtio with NoInitramfs naming the missing file', async () => {
    const { item } = await check('debian12-cloud-grub-noinitrd');
    expect(item('Virtio')).toMatchObject({ status: 'fail', riskLevel: 'High', riskCode: 'Virtio.NoInitramfs' });
    expect(item('Virtio').evidence).toContainEqual({ path: INITRD, text: 'the initramfs the default entry names is not in the image' });
  });

  it.each(['debian12-cloud-fstab-uuid', 'debian12-cloud-static-ip', 'debian12-cloud-selinux'])(
    '%s (for other items) leaves this branch\'s items as the head-only initramfs allows', async (name) => {
      const { item } = await check(name);
      // the committed variant keeps only the first 64 KiB of the real initramfs
      expect(item('Virtio')).toMatchObject({ status: 'warn', riskCode: 'Virtio.InitramfsUnreadable' });
      expect(item('Nvme').status).toBe('pass');
      expect(item('CloudInit').status).toBe('pass');
      expect(item('OnlineResizeFS').status).toBe('pass');
    });
});
