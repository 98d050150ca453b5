// SPDX-License-Identifier: Apache-2.0
// Broken variants of the real debian12-gpt disk, each made at test time by
// debugfs -w (e2fsprogs) on a copy of the image, changing one thing in the
// root ext4: each variant must fail (or warn on) exactly the item it breaks.
import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFiles } from '../../src/engine/check';
import { memoryFiles, type Instantiate } from '../../src/engine/wasm';
import type { Finding, Report } from '../../src/report/types';

const root = new URL('../../', import.meta.url);
const build = new URL('build/', root);
const mod = await WebAssembly.compile(readFileSync(new URL('guestcheck.wasm', build)));
const inst = (await import(/* @vite-ignore */ new URL('guestcheck.js', build).href)).instantiate as Instantiate;
const manifest = JSON.parse(readFileSync(new URL('test/fixtures/guest/manifest.json', root), 'utf8'));
const m = manifest.images.find((i: { name: string }) => i.name === 'debian12-gpt');
const rootOffset = m.partitions.find((p: { role: string }) => p.role === 'root').start_bytes;
const K = manifest.tree.kernel.version;
const haveDebugfs = spawnSync('debugfs', ['-V']).error === undefined;
const original = gunzipSync(readFileSync(new URL(`test/fixtures/guest/${m.file}`, root)));

/** The disk with files removed and written in its root ext4 by debugfs. */
async function variant(name: string, rm: string[], write: Record<string, string>): Promise<Report> {
  const dir = mkdtempSync(join(tmpdir(), `gc-${name}-`));
  try {
    const disk = join(dir, 'disk.img');
    writeFileSync(disk, original);
    const cmds: string[] = [...rm, ...Object.keys(write)].map((p) => `rm ${p}`);
    Object.entries(write).forEach(([p, text], i) => { writeFileSync(join(dir, `f${i}`), text); cmds.push(`write ${join(dir, `f${i}`)} ${p}`); });
    writeFileSync(join(dir, 'cmds'), cmds.join('\n') + '\n');
    execFileSync('debugfs', ['-w', '-f', join(dir, 'cmds'), `${disk}?offset=${rootOffset}`], { stdio: 'ignore' });
    const bytes = new Uint8Array(readFileSync(disk));
    return await checkFiles(inst, mod, memoryFiles([bytes]), [`${name}.img`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const item = (r: Report, n: string) => r.findings.find((f) => f.name === n) as Finding;
const unbroken = await checkFiles(inst, mod, memoryFiles([new Uint8Array(original)]), ['debian12-gpt.img']);
const before = new Map(unbroken.findings.map((f) => [f.name, `${f.status} ${f.riskCode}`]));
/** the items whose verdict differs from the unbroken disk's: what the variant broke */
const atRisk = (r: Report) => r.findings.filter((f) => before.get(f.name) !== `${f.status} ${f.riskCode}`).map((f) => [f.name, f.status, f.riskCode]);
/** the repair items the variant adds to the unbroken disk's (the absent agents are there already) */
const addedRepair = (r: Report) => r.repair!.repairItems.filter((i) => !unbroken.repair!.repairItems.includes(i));
const lineOf = (text: string, prefix: string) => text.split('\n').findIndex((l) => l.startsWith(prefix)) + 1;

describe.skipIf(!haveDebugfs)('broken variants of debian12-gpt (debugfs -w; skipped when e2fsprogs is absent)', () => {
  it('fstab naming a root UUID the image lacks fails Fstab only, and the fix names the real UUID', async () => {
    const fstab = m.fstab.replace(`UUID=${m.expected.root_uuid}`, 'UUID=00000000-dead-beef-0000-000000000000');
    const r = await variant('fstab-uuid', [], { '/etc/fstab': fstab });
    expect(atRisk(r)).toEqual([['Fstab', 'fail', 'Fstab.UuidNotFound']]);
    const n = lineOf(fstab, 'UUID=00000000');
    expect(item(r, 'Fstab').evidence[0]).toMatchObject({ path: '/etc/fstab', line: n });
    expect(item(r, 'Fstab').command).toBe(`sed -i '${n}c\\UUID=${m.expected.root_uuid} /               ext4    errors=remount-ro 0       1' /etc/fstab`);
    expect(addedRepair(r)).toEqual(['fstab']);
  });

  it('a static address on eth0 fails Dhcp only', async () => {
    const text = m.network_interfaces.replace('iface eth0 inet dhcp', 'iface eth0 inet static\n\taddress 192.168.1.20/24\n\tgateway 192.168.1.1');
    const r = await variant('static-ip', [], { '/etc/network/interfaces': text });
    expect(atRisk(r)).toEqual([['Dhcp', 'fail', 'Dhcp.StaticIp']]);
    expect(item(r, 'Dhcp')).toMatchObject({ value: 'Unsupported', riskLevel: 'High', });
    expect(item(r, 'Dhcp').evidence[0]).toMatchObject({ path: '/etc/network/interfaces', line: lineOf(text, 'iface eth0 inet static') });
    expect(addedRepair(r)).toEqual(['dhcp']);
    expect(r.Tags).toEqual([]);
  });

  it('SELinux enforcing warns on Selinux only, and keeps the tags', async () => {
    const r = await variant('selinux', [], { '/etc/selinux/config': 'SELINUX=enforcing\nSELINUXTYPE=default\n' });
    expect(atRisk(r)).toEqual([['Selinux', 'warn', 'Selinux.Enforcing']]);
    expect(item(r, 'Selinux').evidence).toEqual([{ path: '/etc/selinux/config', line: 1, text: 'SELINUX=enforcing' }]);
    expect(r.Tags).toHaveLength(2);
    expect(addedRepair(r)).toEqual(['selinux']);
  });

  it('a missing initrd fails Grub, and Virtio for the same cause (the root disk driver has nowhere to come from)', async () => {
    const r = await variant('no-initrd', [`/boot/initrd.img-${K}`], {});
    expect(atRisk(r)).toEqual([['Virtio', 'fail', 'Virtio.NoInitramfs'], ['Grub', 'fail', 'Grub.InitrdMissing']]);
    expect(item(r, 'Grub').command).toBe(`update-initramfs -u -k ${K}`);
  });

  it('an RTC in local time warns on RtcTimeMode only', async () => {
    const r = await variant('rtc-local', [], { '/etc/adjtime': '0.000000 0 0.000000\n0\nLOCAL\n' });
    expect(atRisk(r)).toEqual([['RtcTimeMode', 'warn', 'RtcTimeMode.Local']]);
    expect(item(r, 'RtcTimeMode')).toMatchObject({ value: 'local', evidence: [{ path: '/etc/adjtime', line: 3, text: 'LOCAL' }] });
  });

  it('an fstab without the ESP still gives UEFI: BootMode reads the ESP volume itself', async () => {
    const fstab = m.fstab.split('\n').filter((l: string) => !l.includes('/boot/efi')).join('\n');
    const r = await variant('no-esp-mount', [], { '/etc/fstab': fstab });
    expect(atRisk(r)).toEqual([]);
    expect(item(r, 'BootMode')).toMatchObject({ value: 'UEFI', evidence: [{ path: 'volume p2', text: 'EFI system partition, read from the volume (the guest does not mount it)' }, {}, {}, {}, {}] });
    expect(item(r, 'BootMode').evidence.map((e) => e.path)).toContain('volume p2:/EFI/BOOT/BOOTX64.EFI');
  });
});
