// SPDX-License-Identifier: Apache-2.0
// The 16 Windows items over a whole GPT disk built at test time by
// test/fixtures/recipes/guest-windows.sh (ESP with bootmgfw.efi and a BCD
// store, MSR, NTFS Windows volume with hives made by hivexsh, AMD64 PE files),
// and over its broken variants: each changes one thing and must fail exactly
// the item that judges it, every other item unchanged from the good disk.
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFiles } from '../../src/engine/check';
import { memoryFiles, type Instantiate } from '../../src/engine/wasm';
import type { Report } from '../../src/report/types';
import { hasTool, CORPUS } from '../asm/disk-fixtures';
import { checkPowerShell } from './windows-ps-check';

const root = new URL('../../', import.meta.url);
const build = new URL('build/', root);
const recipe = new URL('test/fixtures/recipes/guest-windows.sh', root).pathname;
const mod = await WebAssembly.compile(readFileSync(new URL('guestcheck.wasm', build)));
const inst = (await import(/* @vite-ignore */ new URL('guestcheck.js', build).href)).instantiate as Instantiate;
const minimal = CORPUS + 'hivex/minimal';
const missing = ['sgdisk', 'sfdisk', 'mkfs.vfat', 'mmd', 'mcopy', 'mkntfs', 'ntfs-3g', 'hivexsh', 'python3'].filter((t) => !hasTool(t));
const why = !existsSync(minimal) ? `${minimal} is absent (the hives start from hivex's minimal hive, kept out of the repo): the Windows disk test is skipped`
  : missing.length ? `missing ${missing.join(', ')} (gdisk, dosfstools, mtools, ntfs-3g, libhivex-bin): the Windows disk test is skipped`
  : !existsSync('/dev/fuse') || process.getuid?.() !== 0 ? 'the recipe fills NTFS through an ntfs-3g FUSE mount: needs root and /dev/fuse; the Windows disk test is skipped'
  : '';
const tmp = mkdtempSync(join(tmpdir(), 'gc-win-disk-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function disk(variant: string, layout: 'gpt' | 'mbr' = 'gpt', keep = false): Promise<Report> {
  const img = join(tmp, `${layout}-${variant}.img`);
  const r = spawnSync('bash', [recipe, img, variant, minimal, layout], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const bytes = new Uint8Array(readFileSync(img));
  if (!keep) rmSync(img);
  return checkFiles(inst, mod, memoryFiles([bytes]), [`${variant}.img`]);
}

const ITEMS = ['Platform', 'OSVersion', 'Architecture', 'KernelVersion', 'Virtio', 'BCD', 'Registry', 'Hotfix', 'Disk', 'Sysprep', 'Update', 'Xen', 'CloudAssistant', 'Server', 'DesktopConfig', 'BootMgr'];
// the fix each broken variant's repair.ps1 must hold, and nothing else
const FIX: Record<string, string> = {
  'no-viostor': "Set-RegData 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\vioscsi' 'Start' 'REG_DWORD' '0' }",
  'dirty-hive': "Show-Manual 'Registry' '",
  'pending-xml': "Invoke-PendingRevert 'Update'",
  'xenvbd': "Set-RegData 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\xenvbd' 'Start' 'REG_DWORD' '4' }",
  'device-install-disabled': "Set-RegData 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\DeviceInstall\\Parameters' 'DeviceInstallDisabled' 'REG_DWORD' '0' }",
  'bcd-missing-volume': "Invoke-Step 'BCD' 'rebuild the boot files and the BCD store with bcdboot' { $false } { Invoke-Bcdboot }",
  'no-bootmgr': "Invoke-Step 'BootMgr' 'rebuild the boot files and the BCD store with bcdboot' { $false } { Invoke-Bcdboot }",
};
function expectRepair(report: Report, variant: string, item: string) {
  const script = report.repair!.script;
  expect(checkPowerShell(script).stepItems).toEqual([item]);
  const steps = script.split('\n').filter((l) => /^(Invoke-Step|Show-Manual|Invoke-PendingRevert) /.test(l));
  expect(steps).toHaveLength(1);
  expect(steps[0]).toContain(FIX[variant]);
}

const outcome = (r: Report) => new Map(r.findings.map((f) => [f.name, `${f.status} ${f.value} ${f.riskCode ?? ''}`.trim()]));

describe.skipIf(why !== '')('a Windows Server 2022-like GPT disk', () => {
  // built once, by whichever test asks first (a variant run alone with -t still has it)
  let goodDisk: Promise<Report> | null = null;
  const good = () => (goodDisk ??= disk('good'));

  it('passes every one of the 16 Windows items', async () => {
    const r = await good();
    expect(r.platform).toBe('Windows');
    expect(r.image.volumes.map((v) => [v.id, v.fs, v.mountedAt])).toEqual([['p1', 'vfat', ''], ['p2', '', ''], ['p3', 'ntfs', '/']]);
    const by = new Map(r.findings.map((f) => [f.name, f]));
    for (const n of ITEMS) expect([n, by.get(n)?.status]).toEqual([n, 'pass']);
    expect(r.repair).toEqual({ script: '', repairItems: [] });
    expect(by.get('OSVersion')!.value).toBe('Windows Server 2022 Datacenter (10.0.20348.2340)');
    expect(by.get('Architecture')!.evidence).toEqual([{ path: '/Windows/System32/ntoskrnl.exe', text: 'PE machine 0x8664 (PE32+)' },
      { path: 'SYSTEM\\ControlSet001\\Control\\Session Manager\\Environment', text: 'PROCESSOR_ARCHITECTURE = REG_SZ "AMD64", agrees with the kernel' }]);
    // the kernel is WOF (XPRESS 4K) compressed on the volume: its version resource is read through it
    expect(by.get('KernelVersion')!.value).toBe('10.0.20348.2340');
    expect(by.get('KernelVersion')!.evidence[0].path).toBe('/Windows/System32/ntoskrnl.exe');
    expect(by.get('KernelVersion')!.evidence[0].text).toMatch(/^VS_FIXEDFILEINFO FileVersion 10\.0\.20348\.2340; StringFileInfo 040904B0: FileVersion "10\.0\.20348\.2340 \(WinBuild\.160101\.0800\)"/);
    expect(by.get('KernelVersion')!.evidence[1]).toEqual({ path: 'SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion', text: 'CurrentBuild 20348, UBR 2340: 10.0.20348.2340, agrees with ntoskrnl.exe' });
    expect(by.get('BCD')!.evidence).toContainEqual({ path: 'volume p1:/EFI/Microsoft/Boot/BCD {a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d}', text: '"Windows Server" path=\\Windows\\system32\\winload.efi device=partition → volume p3' });
    expect(by.get('Disk')!.evidence[0].text).toBe('UpperFilters = REG_MULTI_SZ ["PartMgr"]');
    // viostor.sys is pe.sh's driver: its version resource shows; vioscsi.sys is a bare header
    expect(by.get('Virtio')!.evidence.slice(0, 2)).toEqual([
      { path: '/Windows/System32/drivers/viostor.sys', text: 'present, version 100.94.104.24900' },
      { path: '/Windows/System32/drivers/vioscsi.sys', text: 'present' },
    ]);
    expect(by.get('BootMgr')).toMatchObject({ value: 'bootmgfw.efi', evidence: [{ path: 'volume p1:/EFI/Microsoft/Boot/bootmgfw.efi', text: '1024 bytes' }] });
  }, 120000);

  // variant → the one item it breaks, with its status, value and risk code. Without
  // viostor the disk still has vioscsi.sys, registered but demand-start (Start=3), so
  // Virtio says the storage driver is not started at boot
  const VARIANTS: [string, string, string][] = [
    ['no-viostor', 'Virtio', 'fail NotBootStart Virtio.NotBootStart'],
    ['dirty-hive', 'Registry', 'fail Abnormal Registry.Dirty'],
    ['pending-xml', 'Update', 'fail UpdatePending Update.Pending'],
    ['xenvbd', 'Xen', 'fail Installed Xen.DriverInstalled'],
    ['device-install-disabled', 'Server', 'fail DeviceInstallDisabled Server.DeviceInstallDisabled'],
    ['bcd-missing-volume', 'BCD', 'fail DeviceNotFound BCD.DeviceNotFound'],
    ['no-bootmgr', 'BootMgr', 'fail NotFound BootMgr.NotFound'],
  ];
  for (const [variant, item, expected] of VARIANTS) {
    it(`${variant} fails ${item} and nothing else`, async () => {
      const before = outcome(await good());
      const report = await disk(variant);
      const now = outcome(report);
      // repair.ps1 holds the one fix of the one failed item; the RepairImage items name what ECS can fix
      expectRepair(report, variant, item);
      if (variant === 'no-viostor') expect(report.repair?.repairItems).toContain('virtio');
      expect([...now.keys()]).toEqual([...before.keys()]);
      const changed = [...before.keys()].filter((n) => now.get(n) !== before.get(n)).map((n) => [n, now.get(n)]);
      expect(changed.map(([n]) => n)).toEqual([item]);
      expect(now.get(item)).toBe(expected);
    }, 120000);
  }
});

describe.skipIf(why !== '')('a Windows Server 2022-like MBR (BIOS) disk', () => {
  let goodDisk: Promise<Report> | null = null;
  const good = () => (goodDisk ??= disk('good', 'mbr'));

  it('passes every one of the 16 Windows items, its BCD matched to an MBR partition', async () => {
    const r = await good();
    expect(r.platform).toBe('Windows');
    expect(r.image.partitionTable).toBe('mbr');
    expect(r.image.volumes.map((v) => [v.id, v.fs, v.label, v.mountedAt])).toEqual([['p1', 'ntfs', 'System Reserved', ''], ['p2', 'ntfs', 'Windows', '/']]);
    const by = new Map(r.findings.map((f) => [f.name, f]));
    for (const n of ITEMS) expect([n, by.get(n)?.status]).toEqual([n, 'pass']);
    expect(by.get('BCD')!.evidence).toContainEqual({ path: 'volume p1:/Boot/BCD {a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d}', text: '"Windows Server" path=\\Windows\\system32\\winload.exe device=partition → volume p2' });
    expect(by.get('BootMgr')).toMatchObject({ value: 'bootmgr', evidence: [{ path: 'volume p1:/bootmgr', text: expect.stringMatching(/^\d+ bytes$/) }] });
    expect(by.get('KernelVersion')!.value).toBe('10.0.20348.2340');
  }, 120000);

  // the same seven breakages as on GPT; these two depend on the layout (BCD device, BIOS bootmgr)
  const VARIANTS: [string, string, string][] = [
    ['bcd-missing-volume', 'BCD', 'fail DeviceNotFound BCD.DeviceNotFound'],
    ['no-bootmgr', 'BootMgr', 'fail NotFound BootMgr.NotFound'],
  ];
  for (const [variant, item, expected] of VARIANTS) {
    it(`${variant} fails ${item} and nothing else`, async () => {
      const before = outcome(await good());
      const report = await disk(variant, 'mbr');
      const now = outcome(report);
      expectRepair(report, variant, item);
      expect([...now.keys()]).toEqual([...before.keys()]);
      const changed = [...before.keys()].filter((n) => now.get(n) !== before.get(n));
      expect(changed).toEqual([item]);
      expect(now.get(item)).toBe(expected);
    }, 120000);
  }
});

const cliMain = new URL('dist/cli/main.js', root);
describe.skipIf(why !== '')('repair.ps1 leaves through the CLI and the page\'s zip', () => {
  it.skipIf(!existsSync(cliMain))('--repair-script writes the PowerShell script with a BOM; the zip holds repair.ps1', async () => {
    const report = await disk('xenvbd', 'gpt', true);
    const img = join(tmp, 'gpt-xenvbd.img');
    const out = join(tmp, 'repair.ps1');
    const r = spawnSync(process.execPath, [new URL('bin/guestcheck.js', root).pathname, img, '--repair-script', out], { encoding: 'utf8' });
    rmSync(img);
    expect(r.status, r.stderr).toBe(1);
    const written = readFileSync(out, 'utf8');
    expect(written.charCodeAt(0)).toBe(0xfeff);
    // the CLI's report names the image by its path, so compare the steps rather than the header
    expect(checkPowerShell(written.slice(1)).stepItems).toEqual(['Xen']);
    expect(written.slice(1).split('\n').slice(1)).toEqual(report.repair!.script.split('\n').slice(1));
    const { reportZip } = await import('../../src/ui/export');
    const { ZipReader, BlobReader, TextWriter } = await import('@zip.js/zip.js');
    const zip = new ZipReader(new BlobReader(await reportZip(report, 'en')));
    const entries = await zip.getEntries();
    expect(entries.map((e) => e.filename).sort()).toEqual(['repair-image-parameters.json', 'repair.ps1', 'report.json', 'report.md']);
    const ps1 = await (entries.find((e) => e.filename === 'repair.ps1') as any).getData(new TextWriter());
    expect(ps1.replace(/^\ufeff/, '')).toBe(report.repair!.script);
    const md = await (entries.find((e) => e.filename === 'report.md') as any).getData(new TextWriter());
    expect(md).toContain('```powershell\n# guestcheck repair script for xenvbd.img');
    await zip.close();
  }, 120000);
  if (!existsSync(cliMain)) it.skip('dist/cli is not built (npm run build:cli): the CLI part is skipped', () => {});
});
if (why) it.skip(why, () => {});
