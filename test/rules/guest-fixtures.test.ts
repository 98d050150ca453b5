// SPDX-License-Identifier: Apache-2.0
// The RtcTimeMode, BootMode, Fstab, Grub, Dhcp and Selinux items, the tags and
// the repair over the real Debian 12 disks (test/fixtures/recipes/guest-disks.sh).
// Expected lines come from the file texts the recipe recorded in manifest.json.
// debian12-gpt boots by UEFI only (the ESP's loaders are Debian's, head-only;
// no BIOS boot code was installed); the MBR images have no boot code at all,
// and mbr-ext3 names /boot and swap by /dev/sdaN and root=/dev/sda5.
import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFiles } from '../../src/engine/check';
import { memoryFiles, type Instantiate } from '../../src/engine/wasm';
import type { Finding, Report } from '../../src/report/types';
import { parseFstab } from '../../src/facts/fstab';
import { resolveSpec } from '../../src/facts/block-device';

const root = new URL('../../', import.meta.url);
const build = new URL('build/', root);
const mod = await WebAssembly.compile(readFileSync(new URL('guestcheck.wasm', build)));
const inst = (await import(/* @vite-ignore */ new URL('guestcheck.js', build).href)).instantiate as Instantiate;
const manifest = JSON.parse(readFileSync(new URL('test/fixtures/guest/manifest.json', root), 'utf8'));
const img = (name: string) => manifest.images.find((i: { name: string }) => i.name === name);

async function check(name: string): Promise<Report> {
  const bytes = gunzipSync(readFileSync(new URL(`test/fixtures/guest/${img(name).file}`, root)));
  return checkFiles(inst, mod, memoryFiles([new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)]), [img(name).image]);
}

/** 1-based line of the first line of `text` that starts with `prefix`. */
function lineOf(text: string, prefix: string): number {
  return text.split('\n').findIndex((l) => l.startsWith(prefix)) + 1;
}

const item = (r: Report, n: string) => r.findings.find((f) => f.name === n) as Finding;

describe('debian12-gpt', async () => {
  const r = await check('debian12-gpt');
  const m = img('debian12-gpt');

  it('gives the items in the console order', () => {
    expect(r.findings.map((f) => f.name)).toEqual(['Platform', 'OSVersion', 'Architecture', 'RtcTimeMode', 'BootMode', 'KernelVersion', 'Virtio', 'Nvme',
      'Fstab', 'Grub', 'Dhcp', 'Selinux', 'OnlineResizeFS', 'SystemImage', 'CloudAssistant', 'CloudInit', 'SecurityCenterAgent', 'SupportMocInstanceTypes']);
  });

  it('RtcTimeMode UTC (no /etc/adjtime), Selinux Disabled (no /etc/selinux/config)', () => {
    expect(item(r, 'RtcTimeMode')).toMatchObject({ status: 'pass', value: 'UTC', riskCode: '', evidence: [{ path: '/etc/adjtime' }] });
    expect(item(r, 'Selinux')).toMatchObject({ status: 'pass', value: 'Disabled', evidence: [{ path: '/etc/selinux/config' }] });
  });

  it('BootMode UEFI from the ESP\'s loaders; the empty protective MBR means no BIOS boot', () => {
    const f = item(r, 'BootMode');
    expect(f).toMatchObject({ status: 'pass', value: 'UEFI' });
    const paths = f.evidence.map((e) => e.path);
    for (const p of m.esp?.loaders ?? ['/EFI/BOOT/BOOTX64.EFI', '/EFI/debian/shimx64.efi', '/EFI/debian/grubx64.efi']) expect(paths).toContain(`/boot/efi${p}`);
    expect(f.evidence.find((e) => e.path === 'protective MBR')?.text).toMatch(/empty; BIOS boot partition p1 is unused/);
  });

  it('Fstab resolves both UUID lines', () => {
    const f = item(r, 'Fstab');
    expect(f).toMatchObject({ status: 'pass', value: 'Supported' });
    expect(f.evidence.map((e) => [e.line, e.text.split('→')[1].trim()])).toEqual([
      [lineOf(m.fstab, `UUID=${m.expected.root_uuid}`), 'volume p3 (ext4)'],
      [lineOf(m.fstab, `UUID=${m.expected.esp_uuid}`), 'volume p2 (vfat)'],
    ]);
  });

  it('Grub: kernel, initrd and root= of the default entry, and the ESP stub\'s chain', () => {
    const f = item(r, 'Grub');
    expect(f).toMatchObject({ status: 'pass', value: 'Supported' });
    expect(f.evidence.map((e) => e.text)).toEqual(expect.arrayContaining([
      'kernel present', 'initrd present', `root=UUID=${m.expected.root_uuid} → volume p3 (ext4)`,
    ]));
    expect(f.evidence.find((e) => e.path === '/boot/efi/EFI/debian/grub.cfg')?.text).toMatch(/configfile \$prefix\/grub.cfg +→ \/boot\/grub\/grub.cfg/);
  });

  it('Dhcp: eth0 by ifupdown', () => {
    const d = item(r, 'Dhcp');
    expect(d).toMatchObject({ status: 'pass', value: 'Supported' });
    expect(d.evidence[0]).toEqual({ path: '/etc/network/interfaces', line: lineOf(m.network_interfaces, 'iface eth0 inet dhcp'), text: 'iface eth0 inet dhcp' });
  });

  it('is tagged (no High failure); the repair covers only the Medium items', () => {
    expect(r.Tags.map((t) => t.TagKey)).toEqual(['acs:ecs:image:osVersion', 'acs:ecs:image:kernelVersion']);
    expect(r.findings.filter((f) => f.status === 'fail')).toEqual([]);
    // the agents are absent, and the committed disk keeps only the head of its initramfs (Virtio cannot be told)
    expect(r.repair!.repairItems).toEqual(['assist', 'aegis', 'virtio']);
  });
});

describe('mbr-ext3', async () => {
  const r = await check('mbr-ext3');
  const m = img('mbr-ext3');

  it('BootMode fails: no boot code in the MBR and no ESP', () => {
    expect(item(r, 'BootMode')).toMatchObject({ status: 'fail', value: 'Unknown', riskLevel: 'High', riskCode: 'BootMode.NoBootLoader' });
    expect(item(r, 'BootMode').evidence).toContainEqual({ path: 'MBR', text: 'boot code area is empty' });
  });

  it('Fstab fails on /dev/sda1 for /boot, warns on the swap, and offers the UUID lines', () => {
    const f = item(r, 'Fstab');
    expect(f).toMatchObject({ status: 'fail', value: 'Unsupported', riskLevel: 'High', riskCode: 'Fstab.DeviceName' });
    const boot = lineOf(m.fstab, '/dev/sda1'), swap = lineOf(m.fstab, '/dev/sda6');
    expect(f.evidence[0]).toMatchObject({ path: '/etc/fstab', line: boot });
    expect(f.evidence[0].text).toMatch(/^\/dev\/sda1 +\/boot +ext2/);
    expect(f.evidence[1]).toMatchObject({ path: '/etc/fstab', line: swap });
    expect(f.command).toContain(`${boot}c\\UUID=${m.expected.boot_uuid}`);
    expect(f.command).toContain(`${swap}c\\UUID=${m.expected.swap_uuid}`);
  });

  it('the Fstab command, run by the real sed on the guest\'s fstab, leaves every line resolvable by UUID', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gc-fstab-'));
    const path = join(dir, 'fstab');
    writeFileSync(path, m.fstab);
    execFileSync('sh', ['-c', item(r, 'Fstab').command!.replaceAll('/etc/fstab', path)]);
    const fixed = parseFstab(readFileSync(path, 'utf8'));
    rmSync(dir, { recursive: true });
    expect(fixed.map((l) => [l.file, resolveSpec(l.spec, r.image.volumes).kind, resolveSpec(l.spec, r.image.volumes).volume?.id])).toEqual([
      ['/', 'label', 'p5'], ['/boot', 'uuid', 'p1'], ['none', 'uuid', 'p6'],
    ]);
  });

  it('Grub fails on root=/dev/sda5 and names GRUB_DISABLE_LINUX_UUID=true as the cause', () => {
    const f = item(r, 'Grub');
    expect(f).toMatchObject({ status: 'fail', value: 'Unsupported', riskLevel: 'High', riskCode: 'Grub.DeviceName' });
    expect(f.evidence[0]).toMatchObject({ path: '/boot/grub/grub.cfg', text: 'root=/dev/sda5 is a kernel device name' });
    expect(f.evidence[1]).toMatchObject({ path: '/etc/default/grub' });
    expect(f.evidence[1].text).toMatch(/^GRUB_DISABLE_LINUX_UUID=true/);
    expect(f.command!.split('\n')).toEqual([
      `sed -i -E 's#root=/dev/sda5([[:space:]]|$)#root=UUID=${m.expected.root_uuid}\\1#g' /boot/grub/grub.cfg`,
      "sed -i 's/^\\s*GRUB_DISABLE_LINUX_UUID=.*/GRUB_DISABLE_LINUX_UUID=false/' /etc/default/grub",
      'update-grub',
    ]);
  });

  it('the Grub sed makes the default entry\'s root= a UUID', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gc-grub-'));
    const path = join(dir, 'grub.cfg');
    writeFileSync(path, `\tlinux\t${m.grub.linux}\n`);
    execFileSync('sh', ['-c', item(r, 'Grub').command!.split('\n')[0].replace('/boot/grub/grub.cfg', path)]);
    expect(readFileSync(path, 'utf8')).toBe(`\tlinux\t${m.grub.linux.replace('root=/dev/sda5', `root=UUID=${m.expected.root_uuid}`)}\n`);
    rmSync(dir, { recursive: true });
  });

  it('is not tagged; the repair covers grub and fstab', () => {
    expect(r.Tags).toEqual([]);
    expect(r.repair!.repairItems).toEqual(expect.arrayContaining(['grub', 'fstab']));
    expect(r.repair!.script).toMatch(/^#!\/bin\/sh\n/);
    expect(r.repair!.script).toContain('# --- Fstab: Unsupported [High: Fstab.DeviceName]');
    expect(r.repair!.script).toContain('update-grub');
  });
});

describe('mbr-ext2', async () => {
  const r = await check('mbr-ext2');
  const m = img('mbr-ext2');
  it('fails only BootMode (no boot code)', () => {
    expect(r.findings.filter((f) => f.status === 'fail').map((f) => [f.name, f.riskCode])).toEqual([['BootMode', 'BootMode.NoBootLoader']]);
    expect(item(r, 'Fstab').evidence).toEqual([{ path: '/etc/fstab', line: lineOf(m.fstab, 'UUID='), text: expect.stringMatching(/→ volume p1 \(ext2\)$/) }]);
    expect(r.repair!.repairItems).not.toContain("grub");
    expect(r.repair!.script).toContain('# --- BootMode');
  });
});

describe('guestcheck --repair-script (the CLI build)', () => {
  const bin = fileURLToPath(new URL('bin/guestcheck.js', root));
  const dir = mkdtempSync(join(tmpdir(), 'gc-cli-'));
  const path = join(dir, 'mbr-ext3.img');
  writeFileSync(path, gunzipSync(readFileSync(new URL(`test/fixtures/guest/${img('mbr-ext3').file}`, root))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the script alone with "-", and writes it to a file otherwise', async () => {
    const r = spawnSync(process.execPath, [bin, path, '--repair-script', '-'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe((await check('mbr-ext3')).repair!.script);
    const file = join(dir, 'repair.sh');
    const w = spawnSync(process.execPath, [bin, path, '--repair-script', file, '--json'], { encoding: 'utf8' });
    expect(JSON.parse(w.stdout).repair.repairItems).toEqual(expect.arrayContaining(['grub', 'fstab']));
    expect(readFileSync(file, 'utf8')).toBe(r.stdout);
    expect(spawnSync('sh', ['-n', file]).status).toBe(0);
  });

  it('--markdown prints the report as Markdown', () => {
    const r = spawnSync(process.execPath, [bin, path, '--markdown'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^# guestcheck report: mbr-ext3.img\n/);
    expect(r.stdout).toContain('| Grub | fail | Unsupported | High: Grub.DeviceName |');
    const ja = spawnSync(process.execPath, [bin, path, '--markdown', '--lang', 'ja'], { encoding: 'utf8' });
    expect(ja.stdout).toMatch(/^# guestcheck レポート: mbr-ext3.img\n/);
    expect(ja.stdout).toContain('## ディスクレイアウト');
    expect(spawnSync(process.execPath, [bin, path, '--markdown', '--lang', 'fr'], { encoding: 'utf8' }).status).toBe(2);
  });

  it('needs a file name', () => {
    const r = spawnSync(process.execPath, [bin, path, '--repair-script'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--repair-script needs a file name/);
  });
});

describe('an ESP read through its own volume (as BootMode does when fstab does not mount it)', () => {
  it('volume views are indexed as the image JSON lists the volumes', async () => {
    const { loadEngine } = await import('../helpers/engine');
    const { wasmGuestView } = await import('../../src/engine/wasm-guest-view');
    const { inspectEsp } = await import('../../src/facts/esp');
    const bytes = gunzipSync(readFileSync(new URL(`test/fixtures/guest/${img('debian12-gpt').file}`, root)));
    const s = await (await loadEngine()).open([new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)]);
    const vols = s.inspect().volumes as { id: string; fs: string }[];
    const i = vols.findIndex((v) => v.id === 'p2');
    expect(vols[i].fs).toBe('vfat');
    const esp = inspectEsp(wasmGuestView(s.x, i), ['']);
    expect(esp.mount).toBe('');
    expect(esp.loaders).toEqual(expect.arrayContaining(['/EFI/BOOT/BOOTX64.EFI', '/EFI/debian/shimx64.efi', '/EFI/debian/grubx64.efi']));
    expect(esp.grubCfgs).toEqual(['/EFI/debian/grub.cfg']);
  });
});

// qemu's sample of a real GRUB stage-1 boot sector (corpus: qemu-iotests/grub_mbr.raw.bz2)
const GRUB_MBR = '/work/shared/corpus/qemu-iotests/grub_mbr.raw.bz2';
const haveGrubMbr = existsSync(GRUB_MBR) && spawnSync('bzcat', ['--help']).error === undefined;

describe('BootMode with real GRUB boot code in the MBR', () => {
  it.skipIf(!haveGrubMbr)('mbr-ext2 with qemu\'s GRUB boot sector is LEGACY (skipped when ../shared/corpus or bzcat is absent)', async () => {
    const boot = execFileSync('bzcat', [GRUB_MBR]);
    const bytes = new Uint8Array(gunzipSync(readFileSync(new URL(`test/fixtures/guest/${img('mbr-ext2').file}`, root))));
    bytes.set(boot.subarray(0, 440), 0); // the boot code only: the disk's own signature and partition table stay
    const r = await checkFiles(inst, mod, memoryFiles([bytes]), ['mbr-ext2-grub.img']);
    expect(r.image).toMatchObject({ hasBootCode: true, bootCode: 'GRUB' });
    expect(item(r, 'BootMode')).toMatchObject({ status: 'pass', value: 'LEGACY', evidence: [{ path: 'partition table', text: 'no EFI system partition' }, { path: 'MBR', text: 'boot code present (GRUB)' }] });
    expect(r.findings.filter((f) => f.status === 'fail')).toEqual([]);
    expect(r.Tags).toHaveLength(2);
  });
});
