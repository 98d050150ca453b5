// SPDX-License-Identifier: Apache-2.0
// The 16 Windows items over fake guests and fake hives: every status each can give.
import { describe, it, expect } from 'vitest';
import { fakeHive, winCtx, type FakeValue } from '../helpers/fake-hive';
import type { FakeNode } from '../helpers/fake-guest';
import type { RuleContext } from '../../src/rules/rule';
import type { BcdStore } from '../../src/facts/windows/bcd';
import { runRules } from '../../src/rules/run-rules';
import { platform } from '../../src/rules/windows/platform';
import { osVersion } from '../../src/rules/windows/os-version';
import { architecture } from '../../src/rules/windows/architecture';
import { kernelVersion } from '../../src/rules/windows/kernel-version';
import { virtio } from '../../src/rules/windows/virtio';
import { bcd } from '../../src/rules/windows/bcd';
import { registry } from '../../src/rules/windows/registry';
import { hotfix } from '../../src/rules/windows/hotfix';
import { disk } from '../../src/rules/windows/disk';
import { sysprep } from '../../src/rules/windows/sysprep';
import { update } from '../../src/rules/windows/update';
import { xen } from '../../src/rules/windows/xen';
import { cloudAssistant } from '../../src/rules/windows/cloud-assistant';
import { server } from '../../src/rules/windows/server';
import { desktopConfig } from '../../src/rules/windows/desktop-config';
import { bootMgr } from '../../src/rules/windows/boot-mgr';
import { windowsVersion } from '../../src/facts/windows/windows-version';
import { readPeHeader } from '../../src/facts/windows/pe';
import { buildWindowsRepairScript, parseWindowsCommand, psq } from '../../src/report/repair-windows';
import { buildRepair } from '../../src/report/repair';
import { checkPowerShell } from './windows-ps-check';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const peFixture = (n: string) => new Uint8Array(gunzipSync(readFileSync(new URL(`../fixtures/pe/${n}.gz`, import.meta.url))));

const CFG = '/Windows/System32/config';
const CV = 'Microsoft\\Windows NT\\CurrentVersion';
const CBS = 'Microsoft\\Windows\\CurrentVersion\\Component Based Servicing';
type Keys = Record<string, Record<string, FakeValue>>;

const SYS: Keys = {
  'Select': { Current: 1 },
  'ControlSet001\\Services\\viostor': { Start: 0, ImagePath: 'System32\\drivers\\viostor.sys' },
  'ControlSet001\\Control\\Class\\{4d36e967-e325-11ce-bfc1-08002be10318}': { UpperFilters: ['partmgr'] },
  'ControlSet001\\Services\\AliyunService': { ImagePath: 'C:\\ProgramData\\aliyun\\assist\\aliyun_assist_service.exe' },
  'Setup': { SystemSetupInProgress: 0 },
};
const SOFT: Keys = {
  [CV]: { ProductName: 'Windows Server 2019 Datacenter', EditionID: 'ServerDatacenter', InstallationType: 'Server', CurrentBuild: '17763', CurrentMajorVersionNumber: 10, CurrentMinorVersionNumber: 0, UBR: 5329, DisplayVersion: '' },
  [`${CBS}\\Packages\\Package_for_KB5034127~31bf3856ad364e35~amd64~~17763.5329.1.5`]: { CurrentState: 0x70 },
  'Microsoft\\Windows\\CurrentVersion\\Setup\\State': { ImageState: 'IMAGE_STATE_COMPLETE' },
};

function pe(machine: number): Uint8Array {
  const b = new Uint8Array(512);
  b[0] = 0x4d; b[1] = 0x5a; b[0x3c] = 0x80;
  b.set([0x50, 0x45, 0, 0, machine & 0xff, machine >> 8], 0x80);
  b[0x80 + 20] = 0xf0; b[0x80 + 24] = 0x0b; b[0x80 + 25] = 0x02;
  return b;
}

const GOOD_BCD: BcdStore = {
  isBcd: true, objectCount: 5, hasBootManager: true, default: '{733b62e5-f608-11eb-825c-c112f60133ab}', defaultExists: true,
  bootManager: { guid: '{9dea862c-5cdd-4e70-acc1-f32b344d4795}', type: 0x10100002, typeName: 'Windows Boot Manager' },
  defaultEntry: { guid: '{733b62e5-f608-11eb-825c-c112f60133ab}', type: 0x10200003, typeName: 'Windows Boot Loader', description: 'Windows Server', path: '\\Windows\\system32\\winload.efi',
    device: { kind: 'partition', deviceType: 6, partitionStyle: 'gpt', partitionGuid: 'x', diskGuid: 'y', volume: 'p2', found: true } },
};

function ctx(o: { tree?: Record<string, FakeNode>; sys?: Keys; soft?: Keys; hives?: Record<string, any>; bcd?: Record<string, BcdStore | Error>; esp?: Record<string, FakeNode> | null } = {}): RuleContext {
  const tree: Record<string, FakeNode> = {
    '/Windows/System32/ntoskrnl.exe': pe(0x8664),
    '/Windows/System32/drivers/viostor.sys': 'x', '/Windows/System32/drivers/netkvm.sys': 'x',
    '/Windows/System32/drivers/partmgr.sys': 'x',
    '/ProgramData/aliyun/assist/aliyun_assist_service.exe': 'x',
    '/Users/Default/Desktop/desktop.ini': 'x', '/Users/Public/Desktop/desktop.ini': 'x',
    ...o.tree,
  };
  for (const [k, v] of Object.entries(tree)) if (v === '') delete tree[k];
  const hives: Record<string, any> = {
    [`${CFG}/SYSTEM`]: fakeHive(o.sys ?? SYS), [`${CFG}/SOFTWARE`]: fakeHive(o.soft ?? SOFT),
    [`${CFG}/SAM`]: fakeHive({ 'SAM': {} }), [`${CFG}/SECURITY`]: fakeHive({ 'Policy': {} }), [`${CFG}/DEFAULT`]: fakeHive({ 'Control Panel': {} }),
    ...o.hives,
  };
  for (const [k, v] of Object.entries(hives)) if (v === undefined) delete hives[k];
  const esp = o.esp === null ? undefined : o.esp ?? { '/EFI/Microsoft/Boot/BCD': 'regf', '/EFI/Microsoft/Boot/bootmgfw.efi': 'x' };
  return winCtx(tree, hives, { volumeTrees: esp ? { p1: esp } : {}, bcd: o.bcd ?? { 'p1:/EFI/Microsoft/Boot/BCD': GOOD_BCD } });
}
const withSys = (extra: Keys) => ({ sys: { ...SYS, ...extra } });
const withSoft = (extra: Keys) => ({ soft: { ...SOFT, ...extra } });

describe('a clean Windows guest', () => {
  it('passes all 16 items, in the console order, Platform once', () => {
    // SystemImage (an 'Any' item of the Linux list: ISO or disk) also runs; it is not one of the 16
    const f = runRules(ctx()).filter((x) => x.name !== 'SystemImage');
    expect(f.map((x) => x.name)).toEqual(['Platform', 'OSVersion', 'Architecture', 'KernelVersion', 'Virtio', 'BCD', 'Registry', 'Hotfix', 'Disk', 'Sysprep', 'Update', 'Xen', 'CloudAssistant', 'Server', 'DesktopConfig', 'BootMgr']);
    expect(f.filter((x) => x.status !== 'pass').map((x) => `${x.name}: ${x.value} ${JSON.stringify(x.evidence)}`)).toEqual([]);
    const by = Object.fromEntries(f.map((x) => [x.name, x.value]));
    expect(by).toMatchObject({ Platform: 'Windows', OSVersion: 'Windows Server 2019 Datacenter (10.0.17763.5329)', Architecture: 'x86_64', KernelVersion: '10.0.17763.5329', Virtio: 'Installed', BCD: 'Normal', BootMgr: 'bootmgfw.efi', Sysprep: 'IMAGE_STATE_COMPLETE' });
    expect(f.find((x) => x.name === 'Virtio')!.evidence).toContainEqual({ path: 'SYSTEM\\ControlSet001\\Services\\viostor', text: 'Start = REG_DWORD 0 (0x0)' });
  });
});

describe('version naming', () => {
  const cv = (productName: string, build: number, installationType = 'Client') => windowsVersion({ productName, build, installationType, displayVersion: '', editionId: '', currentVersion: '6.3', major: 10, minor: 0, ubr: 1, csdVersion: '' });
  it('names Windows 11 by its build though ProductName says 10', () => {
    expect(cv('Windows 10 Pro', 22631).name).toBe('Windows 11 Pro');
    expect(cv('Windows 10 Enterprise', 19045).name).toBe('Windows 10 Enterprise');
  });
  it('names servers 2008 R2 to 2025', () => {
    expect(cv('Windows Server 2008 R2 Standard', 7601, 'Server').name).toBe('Windows Server 2008 R2 Standard');
    expect(cv('Windows Server 2012 R2 Datacenter', 9600, 'Server').family).toBe('Windows Server 2012 R2');
    expect(cv('Windows Server 2016 Standard', 14393, 'Server').family).toBe('Windows Server 2016');
    expect(cv('Windows Server 2022 Datacenter', 20348, 'Server').name).toBe('Windows Server 2022 Datacenter');
    expect(cv('Windows Server 2022 Datacenter', 26100, 'Server').name).toBe('Windows Server 2025 Datacenter');
    expect(cv('Windows 7 Professional', 7601).name).toBe('Windows 7 Professional');
  });
  it('reads the PE machine', () => {
    expect(readPeHeader(pe(0x14c))).toMatchObject({ arch: 'i386', optionalMagic: 0x20b });
    expect(readPeHeader(new Uint8Array(64))).toBeNull();
  });
});

describe('each item fails or warns on its own', () => {
  const one = (rule: { run: (c: RuleContext) => any }, c: RuleContext) => rule.run(c);
  it('Platform', () => expect(one(platform, ctx({ hives: { [`${CFG}/SOFTWARE`]: undefined } }))).toMatchObject({ status: 'fail', riskCode: 'Platform.NotFound' }));
  it('OSVersion', () => {
    expect(one(osVersion, ctx({ soft: {} }))).toMatchObject({ status: 'fail', value: 'Unknown', riskCode: 'OSVersion.Unknown' });
    expect(one(osVersion, ctx(withSoft({ [CV]: { ProductName: 'Windows Server 2008 Standard', CurrentVersion: '6.0', CurrentBuild: '6002', InstallationType: 'Server' } })))).toMatchObject({ status: 'fail', riskCode: 'OSVersion.NotSupported' });
    const w11 = one(osVersion, ctx(withSoft({ [CV]: { ProductName: 'Windows 10 Pro', CurrentBuild: '22631', CurrentMajorVersionNumber: 10, CurrentMinorVersionNumber: 0, UBR: 3007, DisplayVersion: '23H2', InstallationType: 'Client' } })));
    expect(w11).toMatchObject({ status: 'pass', value: 'Windows 11 Pro 23H2 (10.0.22631.3007)' });
  });
  it('Architecture', () => {
    expect(one(architecture, ctx({ tree: { '/Windows/System32/ntoskrnl.exe': pe(0x1c4) } }))).toMatchObject({ status: 'fail', value: 'arm', riskCode: 'Architecture.NotSupported' });
    const env = ctx({ tree: { '/Windows/System32/ntoskrnl.exe': '' }, ...withSys({ 'ControlSet001\\Control\\Session Manager\\Environment': { PROCESSOR_ARCHITECTURE: 'x86' } }) });
    expect(one(architecture, env)).toMatchObject({ status: 'pass', value: 'i386' });
    expect(one(architecture, ctx({ tree: { '/Windows/System32/ntoskrnl.exe': '' } }))).toMatchObject({ status: 'error' });
    // the kernel's machine wins; the registry's word is a cross-check
    const x86env = withSys({ 'ControlSet001\\Control\\Session Manager\\Environment': { PROCESSOR_ARCHITECTURE: 'x86' } });
    const odd = one(architecture, ctx({ ...x86env, tree: { '/Windows/System32/ntoskrnl.exe': peFixture('ntoskrnl.exe') } }));
    expect(odd).toMatchObject({ status: 'pass', value: 'x86_64' });
    expect(odd.evidence[1].text).toBe('PROCESSOR_ARCHITECTURE = REG_SZ "x86", DISAGREES with the kernel\'s x86_64');
    expect(one(architecture, ctx({ ...x86env, tree: { '/Windows/System32/ntoskrnl.exe': peFixture('hal32.dll') } })).evidence[1].text).toBe('PROCESSOR_ARCHITECTURE = REG_SZ "x86", agrees with the kernel');
  });
  it('KernelVersion', () => {
    expect(one(kernelVersion, ctx({ soft: {} }))).toMatchObject({ status: 'error', value: 'Unknown' });
    // the registry alone (the fake ntoskrnl.exe has no resources)
    const reg = one(kernelVersion, ctx());
    expect(reg).toMatchObject({ status: 'pass', value: '10.0.17763.5329' });
    expect(reg.evidence).toEqual([
      { path: '/Windows/System32/ntoskrnl.exe', text: 'no version resource (RT_VERSION)' },
      { path: `SOFTWARE\\${CV}`, text: 'CurrentBuild 17763, UBR 5329: 10.0.17763.5329 (used: the kernel file gave no version)' },
    ]);
    // the mingw-built kernel (pe.sh): its resource wins, and the Server 2019 registry disagrees
    const kernel = peFixture('ntoskrnl.exe');
    const both = one(kernelVersion, ctx({ tree: { '/Windows/System32/ntoskrnl.exe': kernel } }));
    expect(both).toMatchObject({ status: 'pass', value: '10.0.20348.2340' });
    expect(both.evidence[0].text).toMatch(/^VS_FIXEDFILEINFO FileVersion 10\.0\.20348\.2340; StringFileInfo 040904B0: FileVersion "10\.0\.20348\.2340 \(WinBuild\.160101\.0800\)", ProductName "Microsoft® Windows® Operating System" \(RT_VERSION #1 language 0x0409, RVA 0x[0-9a-f]+, \d+ bytes\)$/);
    expect(both.evidence[1].text).toContain("DISAGREES with ntoskrnl.exe's 10.0.20348.2340");
    const agree = one(kernelVersion, ctx({ tree: { '/Windows/System32/ntoskrnl.exe': kernel }, ...withSoft({ [CV]: { ...SOFT[CV], CurrentBuild: '20348', UBR: 2340 } }) }));
    expect(agree.evidence[1].text).toBe('CurrentBuild 20348, UBR 2340: 10.0.20348.2340, agrees with ntoskrnl.exe');
    // a damaged resource tree: the registry is the value, the evidence says why
    const loop = one(kernelVersion, ctx({ tree: { '/Windows/System32/ntoskrnl.exe': peFixture('bad-loop.exe') } }));
    expect(loop).toMatchObject({ status: 'pass', value: '10.0.17763.5329' });
    expect(loop.evidence[0].text).toMatch(/^version resource unreadable: pe\.rsrc\.loop: /);
    expect(one(kernelVersion, ctx({ tree: { '/Windows/System32/ntoskrnl.exe': 'MZ but nothing more' } })).evidence[0].text).toMatch(/^not a readable PE image: pe\.not-pe/);
  });
  it('Virtio', () => {
    const none = one(virtio, ctx({ tree: { '/Windows/System32/drivers/viostor.sys': '' } }));
    expect(none).toMatchObject({ status: 'fail', value: 'NotInstalled', riskLevel: 'High', riskCode: 'Virtio.NotInstalled' });
    expect(none.command).toMatch(/pnputil \/add-driver/);
    const start = one(virtio, ctx(withSys({ 'ControlSet001\\Services\\viostor': { Start: 3 } })));
    expect(start).toMatchObject({ status: 'fail', riskLevel: 'High', riskCode: 'Virtio.NotBootStart' });
    expect(start.command).toBe('reg add "HKLM\\SYSTEM\\CurrentControlSet\\Services\\viostor" /v Start /t REG_DWORD /d 0 /f');
    expect(one(virtio, ctx({ tree: { '/Windows/System32/drivers/netkvm.sys': '' } }))).toMatchObject({ status: 'warn', riskCode: 'Virtio.NetKVMMissing' });
  });
  it('BCD', () => {
    const b = (s: Partial<BcdStore>) => one(bcd, ctx({ bcd: { 'p1:/EFI/Microsoft/Boot/BCD': { ...GOOD_BCD, ...s } } }));
    expect(one(bcd, ctx({ esp: null }))).toMatchObject({ status: 'fail', riskCode: 'BCD.NotFound' });
    expect(one(bcd, ctx({ bcd: { 'p1:/EFI/Microsoft/Boot/BCD': new Error('hive.magic: not a hive') } }))).toMatchObject({ status: 'fail', riskCode: 'BCD.Corrupt' });
    expect(b({ hasBootManager: false, bootManager: undefined })).toMatchObject({ status: 'fail', riskCode: 'BCD.NoBootManager' });
    expect(b({ defaultExists: false, defaultEntry: undefined })).toMatchObject({ status: 'fail', riskCode: 'BCD.NoDefaultEntry' });
    expect(b({ defaultEntry: { ...GOOD_BCD.defaultEntry!, path: '\\EFI\\ubuntu\\shimx64.efi' } })).toMatchObject({ status: 'fail', riskCode: 'BCD.BadLoaderPath' });
    const missing = b({ defaultEntry: { ...GOOD_BCD.defaultEntry!, device: { ...GOOD_BCD.defaultEntry!.device!, volume: '', found: false } } });
    expect(missing).toMatchObject({ status: 'fail', riskCode: 'BCD.DeviceNotFound' });
    expect(missing.command).toMatch(/^bcdboot C:\\Windows/);
    expect(b({ defaultEntry: { ...GOOD_BCD.defaultEntry!, device: { ...GOOD_BCD.defaultEntry!.device!, volume: 'p1' } } })).toMatchObject({ status: 'warn', riskCode: 'BCD.OtherVolume' });
  });
  it('Registry', () => {
    const dirty = fakeHive({ x: {} }, { dirty: true, primarySequence: 9, secondarySequence: 8 });
    expect(one(registry, ctx({ hives: { [`${CFG}/SAM`]: dirty } }))).toMatchObject({ status: 'fail', value: 'Abnormal', riskCode: 'Registry.Dirty' });
    const replayed = fakeHive({ x: {} }, { dirty: true, logsApplied: true, logEntriesApplied: 3, logs: ['SAM.LOG1'] });
    const ok = one(registry, ctx({ hives: { [`${CFG}/SAM`]: replayed } }));
    expect(ok).toMatchObject({ status: 'pass' });
    expect(ok.evidence.find((e: any) => e.path.endsWith('SAM')).text).toMatch(/3 log entries of SAM.LOG1 applied/);
    expect(one(registry, ctx({ hives: { [`${CFG}/DEFAULT`]: undefined } }))).toMatchObject({ status: 'fail', riskCode: 'Registry.Missing' });
    expect(one(registry, ctx({ hives: { [`${CFG}/SECURITY`]: new Error('hive.checksum: bad') } }))).toMatchObject({ status: 'fail', riskCode: 'Registry.Corrupt' });
  });
  it('Hotfix', () => {
    const bad = one(hotfix, ctx(withSoft({ [`${CBS}\\Packages\\Package_for_RollupFix_KB5009557~31bf3856ad364e35~amd64~~17763.2452.1.7`]: { CurrentState: 0x70 } })));
    expect(bad).toMatchObject({ status: 'fail', value: 'KB5009557', riskCode: 'Hotfix.KnownBad', command: 'wusa /uninstall /kb:5009557 /quiet /norestart' });
    expect(one(hotfix, ctx(withSoft({ [`${CBS}\\Packages\\Package_for_KB5009557~x`]: { CurrentState: 0x20 } })))).toMatchObject({ status: 'pass' });
    const r2 = withSoft({ [CV]: { ProductName: 'Windows Server 2008 R2 Standard', CurrentVersion: '6.1', CurrentBuild: '7601', InstallationType: 'Server' } });
    expect(one(hotfix, ctx(r2))).toMatchObject({ status: 'fail', riskCode: 'Hotfix.Missing' });
    expect(one(hotfix, ctx({ soft: { [CV]: {} } }))).toMatchObject({ status: 'error' });
  });
  it('Disk', () => {
    const k = 'ControlSet001\\Control\\Class\\{4d36e967-e325-11ce-bfc1-08002be10318}';
    const f = one(disk, ctx(withSys({ [k]: { UpperFilters: ['partmgr', 'EhStorClass'], LowerFilters: ['gone'] }, 'ControlSet001\\Services\\EhStorClass': { ImagePath: 'System32\\drivers\\EhStorClass.sys' } })));
    expect(f).toMatchObject({ status: 'fail', riskCode: 'Disk.FilterDriverMissing' });
    expect(f.command).toContain('/v UpperFilters /t REG_MULTI_SZ /d "partmgr" /f');
    expect(f.command).toContain('reg delete "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Class\\{4d36e967-e325-11ce-bfc1-08002be10318}" /v LowerFilters /f');
    const ok = one(disk, ctx({ ...withSys({ [k]: { UpperFilters: ['partmgr', 'EhStorClass'] }, 'ControlSet001\\Services\\EhStorClass': { ImagePath: '\\SystemRoot\\System32\\drivers\\EhStorClass.sys' } }), tree: { '/Windows/System32/drivers/EhStorClass.sys': 'x' } }));
    expect(ok).toMatchObject({ status: 'pass' });
    expect(one(disk, ctx({ sys: {} }))).toMatchObject({ status: 'error' });
  });
  it('Sysprep', () => {
    const st = (s: string) => withSoft({ 'Microsoft\\Windows\\CurrentVersion\\Setup\\State': { ImageState: s } });
    expect(one(sysprep, ctx(st('IMAGE_STATE_UNDEPLOYABLE')))).toMatchObject({ status: 'fail', riskCode: 'Sysprep.NotCompleted' });
    expect(one(sysprep, ctx(st('IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE')))).toMatchObject({ status: 'pass' });
    expect(one(sysprep, ctx({ sys: { ...SYS, Setup: { SystemSetupInProgress: 1 } } }))).toMatchObject({ status: 'fail', riskCode: 'Sysprep.SetupInProgress' });
    const ini = ctx({ soft: { [CV]: SOFT[CV] }, tree: { '/Windows/Setup/State/State.ini': '[State]\r\nImageState=IMAGE_STATE_SPECIALIZE\r\n' } });
    expect(one(sysprep, ini)).toMatchObject({ status: 'fail', value: 'IMAGE_STATE_SPECIALIZE' });
    expect(one(sysprep, ctx({ soft: { [CV]: SOFT[CV] } }))).toMatchObject({ status: 'pass', value: 'NotRun' });
  });
  it('Update', () => {
    expect(one(update, ctx({ tree: { '/Windows/WinSxS/pending.xml': '<x/>' } }))).toMatchObject({ status: 'fail', riskCode: 'Update.Pending' });
    expect(one(update, ctx(withSoft({ [`${CBS}\\RebootPending`]: {} })))).toMatchObject({ status: 'fail', riskCode: 'Update.Pending' });
    expect(one(update, ctx(withSys({ 'ControlSet001\\Control\\Session Manager': { PendingFileRenameOperations: ['\\??\\C:\\a', ''] } })))).toMatchObject({ status: 'warn', riskCode: 'Update.RebootRequired' });
  });
  it('Xen', () => {
    const f = one(xen, ctx(withSys({ 'ControlSet001\\Services\\xenvbd': { Start: 0 } })));
    expect(f).toMatchObject({ status: 'fail', riskCode: 'Xen.DriverInstalled', command: 'reg add "HKLM\\SYSTEM\\CurrentControlSet\\Services\\xenvbd" /v Start /t REG_DWORD /d 4 /f' });
    expect(one(xen, ctx(withSys({ 'ControlSet001\\Services\\xenvbd': { Start: 4 } })))).toMatchObject({ status: 'pass', value: 'Disabled' });
    expect(one(xen, ctx(withSys({ 'ControlSet001\\Services\\XenPCI\\Parameters': { hide_devices: 'ide' } })))).toMatchObject({ status: 'fail' });
    expect(one(xen, ctx({ sys: {} }))).toMatchObject({ status: 'error' });
  });
  it('CloudAssistant', () => {
    const noSvc = { ...SYS }; delete noSvc['ControlSet001\\Services\\AliyunService'];
    expect(one(cloudAssistant, ctx({ sys: noSvc }))).toMatchObject({ status: 'warn', riskCode: 'CloudAssistant.NotEnabled' });
    expect(one(cloudAssistant, ctx({ sys: noSvc, tree: { '/ProgramData/aliyun/assist/aliyun_assist_service.exe': '' } }))).toMatchObject({ status: 'warn', riskCode: 'CloudAssistant.NotInstalled' });
  });
  it('Server', () => {
    const f = one(server, ctx(withSys({ 'ControlSet001\\Services\\DeviceInstall\\Parameters': { DeviceInstallDisabled: 1 } })));
    expect(f).toMatchObject({ status: 'fail', riskCode: 'Server.DeviceInstallDisabled', command: 'reg add "HKLM\\SYSTEM\\CurrentControlSet\\Services\\DeviceInstall\\Parameters" /v DeviceInstallDisabled /t REG_DWORD /d 0 /f' });
    expect(one(server, ctx(withSoft({ 'Policies\\Microsoft\\Windows\\DeviceInstall\\Restrictions': { DenyUnspecified: 1 } })))).toMatchObject({ status: 'fail' });
    expect(one(server, ctx(withSys({ 'ControlSet001\\Services\\DeviceInstall\\Parameters': { DeviceInstallDisabled: 0 } })))).toMatchObject({ status: 'pass' });
  });
  it('DesktopConfig', () => {
    expect(one(desktopConfig, ctx({ tree: { '/Users/Public/Desktop/desktop.ini': '', '/Users/Public/Desktop': { dir: true } } }))).toMatchObject({ status: 'warn', riskCode: 'DesktopConfig.Missing' });
    expect(one(desktopConfig, ctx({ tree: { '/Users/Public/Desktop/desktop.ini': '', '/Users/Default/Desktop/desktop.ini': '' } }))).toMatchObject({ status: 'warn', riskCode: 'DesktopConfig.NotFound' });
  });
  it('BootMgr', () => {
    expect(one(bootMgr, ctx({ esp: null }))).toMatchObject({ status: 'fail', riskCode: 'BootMgr.NotFound' });
    expect(one(bootMgr, ctx({ esp: { '/bootmgr': 'x', '/Boot/BCD': 'regf' } }))).toMatchObject({ status: 'pass', value: 'bootmgr' });
  });
});

describe('repair.ps1 from the items at risk', () => {
  const noSvc = { ...SYS }; delete noSvc['ControlSet001\\Services\\AliyunService'];
  const K = 'ControlSet001\\Control\\Class\\{4d36e967-e325-11ce-bfc1-08002be10318}';
  // one guest with many things wrong at once: every kind of command the rules give
  const broken = ctx({
    sys: { ...noSvc, [K]: { UpperFilters: ['partmgr', 'gone'], LowerFilters: ['gone2'] }, 'ControlSet001\\Services\\xenvbd': { Start: 0 }, 'ControlSet001\\Services\\XenPCI\\Parameters': { hide_devices: 'ide' }, 'ControlSet001\\Services\\DeviceInstall\\Parameters': { DeviceInstallDisabled: 1 } },
    soft: { ...SOFT, [`${CBS}\\Packages\\Package_for_RollupFix_KB5009557~31bf3856ad364e35~amd64~~17763.2452.1.7`]: { CurrentState: 0x70 }, 'Microsoft\\Windows\\CurrentVersion\\Setup\\State': { ImageState: 'IMAGE_STATE_UNDEPLOYABLE' } },
    tree: { '/Windows/System32/drivers/viostor.sys': '', '/Windows/WinSxS/pending.xml': '<x/>', '/Users/Public/Desktop/desktop.ini': '', '/Users/Public/Desktop': { dir: true } },
    esp: { '/EFI/Microsoft/Boot/BCD': 'regf' },
    bcd: { 'p1:/EFI/Microsoft/Boot/BCD': { ...GOOD_BCD, defaultEntry: { ...GOOD_BCD.defaultEntry!, device: { ...GOOD_BCD.defaultEntry!.device!, volume: '', found: false } } } },
  });
  const findings = runRules(broken).filter((x) => x.name !== 'SystemImage');
  const risky = findings.filter((f) => f.status === 'fail' || (f.status === 'warn' && f.riskCode !== ''));
  const script = buildWindowsRepairScript(findings, ['w.vhdx']);

  it('has a step for exactly the items at risk, each fix a recognised command', () => {
    expect(risky.map((f) => f.name)).toEqual(['Virtio', 'BCD', 'Hotfix', 'Disk', 'Sysprep', 'Update', 'Xen', 'CloudAssistant', 'Server', 'DesktopConfig', 'BootMgr']);
    const shape = checkPowerShell(script);
    // BootMgr's fix is bcdboot, already run for BCD
    expect([...new Set(shape.stepItems)]).toEqual(risky.map((f) => f.name).filter((n) => n !== 'BootMgr'));
    expect(script).toContain('# (bcdboot already runs above, for BCD)');
    expect(script.match(/Invoke-Bcdboot \}/g)).toHaveLength(1);
    for (const f of risky) if (f.command) expect([f.name, parseWindowsCommand(f.command).filter((a) => a.kind === 'manual')]).toEqual([f.name, []]);
    expect(script).toContain("Add-VirtioDriver 'viostor'");
    expect(script).toContain("Add-VirtioDriver 'NetKVM'");
    expect(script).toContain("Invoke-Step 'Hotfix' 'uninstall KB5009557' { -not (Test-Hotfix '5009557') } { Uninstall-Hotfix '5009557' }");
    expect(script).toContain("Set-RegData 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Class\\{4d36e967-e325-11ce-bfc1-08002be10318}' 'UpperFilters' 'REG_MULTI_SZ' 'partmgr'");
    expect(script).toContain("Remove-RegData 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Class\\{4d36e967-e325-11ce-bfc1-08002be10318}' 'LowerFilters'");
    expect(script).toContain("Set-RegData 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\xenvbd' 'Start' 'REG_DWORD' '4'");
    expect(script).toContain("Remove-RegData 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\XenPCI\\Parameters' 'hide_devices'");
    expect(script).toContain("Set-RegData 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\DeviceInstall\\Parameters' 'DeviceInstallDisabled' 'REG_DWORD' '0'");
    expect(script).toContain("Invoke-PendingRevert 'Update'");
    expect(script).toContain("Install-Assist 'https://");
    // no automatic fix: said so, by hand
    expect(script).toMatch(/^Show-Manual 'Sysprep' 'Sysprep did not finish/m);
    expect(script).toMatch(/^Show-Manual 'DesktopConfig' /m);
    // a comment names each item before its steps
    for (const f of risky) expect(script).toContain(`# --- ${f.name}: ${f.value}`);
  });

  it('is a dry run unless -Apply, and tests before it changes', () => {
    expect(script).toMatch(/^\[CmdletBinding\(\)\]\nparam\(\n/m);
    expect(script).toContain('[switch]$Apply');
    expect(script).toContain("if (-not $Apply) { Write-Host ('[' + $Item + '] would ' + $What)");
    // every step has a test block and an action block
    for (const l of script.split('\n').filter((x) => x.startsWith('Invoke-Step '))) expect(l).toMatch(/^Invoke-Step '\w+' '[^']*(?:''[^']*)*' \{ .+ \} \{ .+ \}$/);
  });

  it('quotes whatever a rule put in a value, and nothing at risk gives no script', () => {
    expect(psq("it's")).toBe("'it''s'");
    expect(parseWindowsCommand('wusa Windows6.1-KB3033929-x64.msu /quiet /norestart')).toEqual([{ kind: 'installKb', kb: '3033929', file: 'Windows6.1-KB3033929-x64.msu' }]);
    expect(psq('a\u2019b')).toBe("'a\u2019\u2019b'");
    expect(checkPowerShell(buildWindowsRepairScript([{ ...risky[0], command: 'reg add "HKLM\\SOFTWARE\\O\'Brien" /v "A B" /t REG_SZ /d "x\'y" /f', name: 'Server' }], ["o'brien.img"])).stepItems).toEqual(['Server']);
    expect(buildWindowsRepairScript(findings.filter((f) => f.status === 'pass'), ['w.img'])).toBe('');
    // an unknown command stays a manual step, never code
    const odd = buildWindowsRepairScript([{ ...risky[0], command: 'format C: <really>' }], []);
    expect(checkPowerShell(odd).stepItems).toEqual(['Virtio']);
    expect(odd).toContain("Show-Manual 'Virtio' 'run by hand: format C: <really>'");
    expect(() => checkPowerShell(odd.replace("'run by hand: format C: <really>'", 'format C: <really>'))).toThrow(/< in code/);
  });

  it('keeps the Linux script and the RepairImage items', () => {
    const r = buildRepair(findings, null, ['w.vhdx'], 'Windows');
    expect(r.repairItems).toEqual(['assist', 'virtio']);
    expect(r.script).toBe(script);
  });
});
