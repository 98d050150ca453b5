// SPDX-License-Identifier: Apache-2.0
// The CLI over a RHEL-like disk (test/fixtures/recipes/guest-rhel.sh): MBR,
// /boot on XFS, an LVM2 VG "rl" with root (XFS) and swap LVs, fstab by
// /dev/mapper names, GRUB 2 with blscfg, BLS entries and grubenv, Rocky
// Linux 9.4's os-release. Expected identifiers come from the recipe's
// rhel-like.json, which also records what lvs and blkid said.
import { describe, it, expect } from 'vitest';
import { scratchDir } from '../helpers/scratch';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEngine } from '../helpers/engine';

const root = new URL('../../', import.meta.url);
const bin = fileURLToPath(new URL('bin/guestcheck.js', root));
const m = JSON.parse(readFileSync(new URL('test/fixtures/guest/rhel-like.json', root), 'utf8'));
const bytes = gunzipSync(readFileSync(new URL('test/fixtures/guest/rhel-like.img.gz', root)));
const dir = scratchDir('guestcheck-rhel-');
const path = join(dir, m.image);
writeFileSync(path, bytes);

describe('rhel-like: MBR, XFS /boot, LVM2 root and swap', () => {
  const r = spawnSync(process.execPath, [bin, path, '--json'], { encoding: 'utf8' });
  const rep = JSON.parse(r.stdout);
  const item = (n: string) => rep.findings.find((f: any) => f.name === n);
  const vol = (id: string) => rep.image.volumes.find((v: any) => v.id === id);

  // What this fixture lacks on purpose; every other item must not fail.
  const EXPECTED_FAILS: Record<string, string> = {
    // the recipe writes no boot loader into the MBR, no network configuration, and installs no cloud-init
    BootMode: 'BootMode.NoBootLoader', Dhcp: 'Dhcp.NoConfig', CloudInit: 'CloudInit.NotInstalled',
  };

  it('fails only the items the fixture lacks on purpose, and exits 1 for them', () => {
    expect(rep.platform).toBe('Linux');
    const fails = Object.fromEntries(rep.findings.filter((f: any) => f.status === 'fail').map((f: any) => [f.name, f.riskCode]));
    expect(fails).toEqual(EXPECTED_FAILS);
    expect(r.status).toBe(1);
    for (const n of ['Platform', 'OSVersion', 'Architecture', 'KernelVersion', 'SystemImage', 'Fstab', 'Grub']) expect(item(n)?.status, n).toBe('pass');
  });

  it('reports the OS version, architecture and the kernel of the saved BLS entry', () => {
    expect(item('OSVersion').value).toBe(m.os_version);
    expect(item('Architecture').value).toBe('x86_64');
    expect(item('KernelVersion').value).toBe(m.kernel);
    expect(item('KernelVersion').evidence.map((e: any) => e.path)).toEqual([
      '/boot/grub2/grub.cfg', '/boot/grub2/grubenv', `/boot/loader/entries/${m.machine_id}-${m.kernel}.conf`]);
    expect(item('Platform').evidence[0].text).toMatch(/volume rl\/root/);
  });

  it('lists the partitions, the PV and the LVs with their filesystems, mounted as fstab says', () => {
    expect(rep.image.partitionTable).toBe('mbr');
    expect(rep.image.virtualSize).toBe(m.size);
    expect(rep.image.volumes.map((v: any) => v.id)).toEqual(['p1', 'p2', 'rl/swap', 'rl/root']);
    for (const p of m.partitions) {
      expect(vol(`p${p.number}`)).toMatchObject({ start: p.start_bytes, size: p.size_bytes, type: p.type, fs: p.fs, uuid: p.uuid });
    }
    expect(vol('p1').mountedAt).toBe('/boot');
    for (const lv of m.lvs) {
      expect(vol(`rl/${lv.name}`)).toMatchObject({ size: lv.size, fs: lv.fs, uuid: lv.uuid, mountedAt: lv.mount ?? '',
        lvm: { vg: 'rl', lv: lv.name, layout: 'linear', stripes: 1, mapperPath: lv.mapper, vgPath: `/dev/rl/${lv.name}` } });
    }
    // blkid agreed when the recipe ran
    expect(m.blkid_root).toEqual(expect.arrayContaining([`UUID=${m.lvs[0].uuid}`, 'TYPE=xfs']));
    expect(m.blkid_boot).toEqual(expect.arrayContaining([`UUID=${m.partitions[0].uuid}`, 'TYPE=xfs']));
  });

  it('reads metadata and the initramfs, not the image', async () => {
    // the Virtio and Nvme items read the default entry's whole initramfs (here a stand-in of its true size)
    const s = await (await loadEngine()).open([new Uint8Array(bytes)]);
    s.inspect();
    s.mount();
    const initrd = s.stat(-1, `/boot/initramfs-${m.kernel}.img`)!.size;
    expect(rep.stats.bytesRead - initrd).toBeLessThan(m.size / 16);
    expect(rep.stats.readCalls).toBeLessThan(150);
  });
});

describe('rhel-like: the guest tree through the engine', () => {
  it('mounts / from /dev/mapper/rl-root and /boot by UUID; swap is skipped', async () => {
    const s = await (await loadEngine()).open([new Uint8Array(bytes)]);
    s.inspect();
    const g = s.mount();
    expect(g.root).toBe('rl/root');
    expect(g.mounts.map((x: any) => [x.spec, x.path, x.status, x.volume])).toEqual([
      ['/dev/mapper/rl-root', '/', 'root', 'rl/root'],
      [`UUID=${m.partitions[0].uuid}`, '/boot', 'mounted', 'p1'],
      ['/dev/mapper/rl-swap', 'none', 'skipped', ''],
    ]);
    expect(new TextDecoder().decode(s.readFile(-1, '/etc/os-release')!)).toMatch(/^NAME="Rocky Linux"\nVERSION="9.4 \(Blue Onyx\)"/);
    expect(s.stat(-1, '/etc/os-release')!.path).toBe('/usr/lib/os-release');
    expect(s.readdir(-1, '/boot/loader/entries')!.map((e) => e.name).sort()).toEqual(
      [`${m.machine_id}-0-rescue.conf`, `${m.machine_id}-${m.kernel}.conf`]);
    const env = new TextDecoder().decode(s.readFile(-1, '/boot/grub2/grubenv')!);
    expect(env.length).toBe(1024);
    expect(env).toContain('kernelopts=root=/dev/mapper/rl-root ro ');
    expect(s.stat(-1, '/usr/lib/modules/' + m.kernel)!.kind).toBe('dir');
  });

  it('fstab naming the LVs /dev/VG/LV resolves them too', async () => {
    const img = new Uint8Array(bytes);
    const buf = Buffer.from(img.buffer, img.byteOffset, img.length);
    for (const [from, to] of [['/dev/mapper/rl-root     /  ', '/dev/rl/root            /  '], ['/dev/mapper/rl-swap     none', '/dev/rl/swap            none']]) {
      const at = buf.indexOf(from);
      expect(at, from).toBeGreaterThan(0);
      expect(buf.indexOf(from, at + 1)).toBe(-1); // only in /etc/fstab (same length: the file's size is unchanged)
      buf.write(to, at, 'latin1');
    }
    const s = await (await loadEngine()).open([img]);
    s.inspect();
    const g = s.mount();
    expect(g.mounts.map((x: any) => [x.spec, x.status, x.volume])).toEqual([
      ['/dev/rl/root', 'root', 'rl/root'], [`UUID=${m.partitions[0].uuid}`, 'mounted', 'p1'], ['/dev/rl/swap', 'skipped', '']]);
  });

  it('page caches of 512 B, 4 KiB and 1 MiB give the same guest', async () => {
    const eng = await loadEngine();
    const seen: string[] = [];
    for (const pageShift of [9, 12, 20]) {
      const s = await eng.open([new Uint8Array(bytes)], { pageShift, cacheBytes: 4 << 20 });
      const img = s.inspect();
      const g = s.mount();
      const files = ['/etc/fstab', '/boot/grub2/grub.cfg', '/usr/lib/os-release', `/boot/loader/entries/${m.machine_id}-${m.kernel}.conf`]
        .map((f) => Buffer.from(s.readFile(-1, f)!).toString('base64'));
      const elf = Buffer.from(s.readFile(-1, '/bin/sh', 0, 64)!).toString('hex');
      seen.push(JSON.stringify([img, g, files, elf, s.readdir(-1, '/usr/lib/modules')]));
    }
    expect(seen[1]).toBe(seen[0]);
    expect(seen[2]).toBe(seen[0]);
  });

  it('damaged LVM metadata on the only PV: no LVs, no Linux root, and the PV says why', async () => {
    const img = new Uint8Array(bytes);
    const p2 = m.partitions[1].start_bytes;
    const dv = new DataView(img.buffer, img.byteOffset);
    const mda = p2 + 4096;
    const text = mda + Number(dv.getBigUint64(mda + 40, true));
    img[text + 20] ^= 0x01;
    const s = await (await loadEngine()).open([img]);
    const info = s.inspect();
    expect(info.volumes.map((v: any) => v.id)).toEqual(['p1', 'p2']);
    expect(info.volumes[1].errorCode).toBe('lvm.metadata.checksum');
    const g = s.mount();
    expect(g.platform).toBe('');
    expect(g.rootReason).toMatch(/no volume holds a Linux root/);
  });
});
