// SPDX-License-Identifier: Apache-2.0
// Every finding of the committed guest disks (the Linux fixture disks, the
// rhel-like LVM disk, the SUSE-like Btrfs disk) and of fake Linux and Windows
// guests built to fail as many items as possible, rendered in Japanese, leaves
// no English-only prose: every fix is said from the Japanese catalog, every
// evidence text is either a catalog message or the guest's own text (a file
// line, a registry value, a command), and no value is English prose.
import { describe, it, expect } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { checkFiles } from '../../src/engine/check';
import { memoryFiles, type Instantiate } from '../../src/engine/wasm';
import type { Finding } from '../../src/report/types';
import { findingText } from '../../src/report/finding-text';
import { formatMarkdown } from '../../src/report/markdown';
import { runRules } from '../../src/rules/run-rules';
import { ctxOf, vol, OS_RELEASE } from '../helpers/rule-context';
import { linuxCtx, linuxTree } from '../helpers/linux-guest';
import { fakeHive, winCtx } from '../helpers/fake-hive';
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasTool, CORPUS } from '../asm/disk-fixtures';

const root = new URL('../../', import.meta.url);
const build = new URL('build/', root);
const mod = await WebAssembly.compile(readFileSync(new URL('guestcheck.wasm', build)));
const inst = (await import(/* @vite-ignore */ new URL('guestcheck.js', build).href)).instantiate as Instantiate;
const manifest = JSON.parse(readFileSync(new URL('test/fixtures/guest/manifest.json', root), 'utf8'));
const disks: string[] = [...manifest.images.map((i: { file: string }) => i.file), 'rhel-like.img.gz', 'suse-like-btrfs.img.gz'];

/** three lowercase English words in a row: prose, not a file line or a value */
const PROSE = /\b[a-z]{2,}[,:;]? [a-z]{2,}[,:;]? [a-z]{2,}\b/;
/** a lowercase word followed by more words or a parenthesis: API values are single words, names and versions */
const VALUE_PROSE = /\b[a-z]{3,} [a-z(]/;

interface Seen { where: string; f: Finding }

function problems(seen: Seen[]): string[] {
  const out: string[] = [];
  for (const { where, f } of seen) {
    const en = findingText('en', f), ja = findingText('ja', f);
    const at = `${where} ${f.name} ${f.status}`;
    if (en.solution !== '' && ja.solution === en.solution) out.push(`${at}: fix not translated: ${en.solution}`);
    if (VALUE_PROSE.test(ja.value)) out.push(`${at}: value is English prose: ${ja.value}`);
    f.evidence.forEach((e, i) => {
      // a line of a guest file is the guest's own text
      if (e.line !== undefined && ja.evidence[i] === en.evidence[i]) return;
      if (ja.evidence[i] === en.evidence[i] && PROSE.test(ja.evidence[i])) out.push(`${at}: evidence not translated: ${e.path} ${e.text}`);
    });
  }
  return out;
}

function linuxFakes() {
  const empty = ctxOf({ '/etc/os-release': OS_RELEASE.rhel9 }, { image: { partitionTable: 'mbr', hasBootCode: false } });
  const broken = ctxOf({
    '/etc/os-release': OS_RELEASE.rhel9,
    '/etc/fstab': '/dev/sda1 / xfs defaults 0 0\nUUID=0000 /data xfs defaults 0 0\nnas:/x /mnt nfs defaults 0 0\n',
    '/etc/selinux/config': 'SELINUX=enforcing\n',
    '/etc/adjtime': '0.0 0 0.0\n0\nLOCAL\n',
    '/etc/sysconfig/network-scripts/ifcfg-eth0': 'DEVICE=eth0\nBOOTPROTO=static\nIPADDR=192.168.1.10\nONBOOT=yes\n',
    '/boot/grub2/grub.cfg': 'set default="0"\nmenuentry \'x\' {\n\tlinux /vmlinuz-5.14.0-1.el9.x86_64 root=/dev/sda1 ro\n}\n',
    '/usr/local/aegis/x': 'x',
    '/usr/bin/cloud-init': 'x', '/etc/cloud/cloud.cfg': 'datasource_list: [ NoCloud ]\ncloud_init_modules:\n  - bootcmd\n',
  }, { volumes: [vol('p1', { uuid: '11111111-2222-3333-4444-555555555555', mountedAt: '/', fs: 'xfs' }), vol('p2', { fs: 'swap', start: 2 << 30 })] });
  return [empty, broken];
}

async function driverFakes() {
  const noInitramfs = await linuxCtx(linuxTree({ family: 'centos7', inInitramfs: null }));
  const diskOnly = await linuxCtx(linuxTree({ family: 'debian12', inInitramfs: ['ext4'] }));
  const noDriver = await linuxCtx(linuxTree({ family: 'sles15', onDisk: ['ext4'], inInitramfs: ['ext4'] }));
  return [noInitramfs, diskOnly, noDriver];
}

function windowsFakes() {
  const CFG = '/Windows/System32/config';
  const sys = fakeHive({
    'Select': { Current: 1 },
    'ControlSet001\\Services\\vioscsi': { Start: 3 },
    'ControlSet001\\Services\\xenvbd': { Start: 0 },
    'ControlSet001\\Control\\Class\\{4d36e967-e325-11ce-bfc1-08002be10318}': { UpperFilters: ['partmgr', 'gonefilter'] },
    'ControlSet001\\Services\\DeviceInstall\\Parameters': { DeviceInstallDisabled: 1 },
    'Setup': { SystemSetupInProgress: 1 },
  });
  const soft = fakeHive({
    'Microsoft\\Windows NT\\CurrentVersion': { ProductName: 'Windows Server 2008', CurrentBuild: '6002', CurrentMajorVersionNumber: 6, CurrentMinorVersionNumber: 0 },
    'Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages\\Package_for_KB5009624~31bf3856ad364e35~amd64~~1.0': { CurrentState: 0x70 },
    'Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending': {},
    'Microsoft\\Windows\\CurrentVersion\\Setup\\State': { ImageState: 'IMAGE_STATE_UNDEPLOYABLE' },
  });
  const tree = { '/Windows/System32/drivers/vioscsi.sys': 'x', '/Windows/WinSxS/pending.xml': 'x', '/Users/Public/Desktop/x': 'x', '/ProgramData/aliyun/assist/x': 'x' };
  const broken = winCtx(tree, { [`${CFG}/SYSTEM`]: sys, [`${CFG}/SOFTWARE`]: soft, [`${CFG}/SAM`]: new Error('hive.base.magic: not a hive') },
    { volumeTrees: { p1: { '/EFI/Microsoft/Boot/BCD': 'regf' } }, bcd: { 'p1:/EFI/Microsoft/Boot/BCD': { isBcd: true, objectCount: 1, hasBootManager: false, default: '', defaultExists: false } as never } });
  const bare = winCtx({}, {});
  // ntoskrnl.exe for Itanium (PE machine 0x200): a processor guestcheck does not name
  const armnt = new Uint8Array(512);
  armnt.set([0x4d, 0x5a]); armnt[0x3c] = 0x80; armnt.set([0x50, 0x45, 0, 0, 0x00, 0x02], 0x80); armnt[0x80 + 20] = 0xf0; armnt.set([0x0b, 0x01], 0x80 + 24);
  const arm = winCtx({ '/Windows/System32/ntoskrnl.exe': armnt }, { [`${CFG}/SYSTEM`]: sys, [`${CFG}/SOFTWARE`]: soft });
  return [broken, bare, arm];
}

describe('Japanese findings', () => {
  it('are checked by a test that sees English prose', () => {
    const f: Finding = { id: 'GUESTOS.X', name: 'X', status: 'fail', value: 'unknown (weird thing)', riskLevel: 'High', riskCode: 'X.Y', solution: 'Do this and that.',
      evidence: [{ path: '/etc/x', text: 'no such file here' }, { path: '/etc/y', line: 3, text: 'a line of the file' }] };
    expect(problems([{ where: 'self-test', f }])).toHaveLength(3);
  });

  it('say every fix, evidence phrase and prose value from the Japanese catalog', async () => {
    const seen: Seen[] = [];
    for (const file of disks) {
      const bytes = gunzipSync(readFileSync(new URL(`test/fixtures/guest/${file}`, root)));
      const r = await checkFiles(inst, mod, memoryFiles([new Uint8Array(bytes)]), [file.replace(/\.gz$/, '')]);
      for (const f of r.findings) seen.push({ where: file, f });
    }
    const fakes = [...linuxFakes(), ...(await driverFakes()), ...windowsFakes()];
    fakes.forEach((c, i) => { for (const f of runRules(c)) seen.push({ where: `fake ${i}`, f }); });
    expect(problems(seen)).toEqual([]);
    if (process.env.GC_PEEK) {
      const same = new Set<string>();
      for (const { f } of seen) {
        const en = findingText('en', f), ja = findingText('ja', f);
        f.evidence.forEach((e, i) => { if (e.line === undefined && ja.evidence[i] === en.evidence[i]) same.add(`${f.name}: ${e.path} | ${e.text}`); });
        if (ja.value === en.value) same.add(`VALUE ${f.name}: ${f.value}`);
      }
      console.log([...same].join('\n'));
    }
    // the fake guests are there to fail: most items must have said a fix
    const fixed = new Set(seen.filter((s) => s.f.solution !== '').map((s) => `${s.f.name} ${s.f.riskCode}`));
    expect(fixed.size).toBeGreaterThan(40);
    expect(seen.some((s) => /^unknown \(/.test(s.f.value) && s.f.name === 'Architecture' && s.f.id && !s.f.messages?.value)).toBe(true);
  }, 120_000);

  it('render the Markdown report in Japanese, commands as they are', async () => {
    const file = 'debian12-cloud-static-ip.img.gz';
    const bytes = gunzipSync(readFileSync(new URL(`test/fixtures/guest/${file}`, root)));
    const r = await checkFiles(inst, mod, memoryFiles([new Uint8Array(bytes)]), ['static-ip.img']);
    const dhcp = r.findings.find((f) => f.name === 'Dhcp')!;
    expect(dhcp.solution).toMatch(/^The ifupdown configuration of eth0 sets the static address/);
    const md = formatMarkdown(r, 'ja');
    expect(md).toContain('## DHCP (Dhcp): 失敗 (Dhcp.StaticIp)');
    expect(md).toContain('**修正方法:** eth0 の ifupdown 設定は静的アドレス');
    expect(md).toContain(dhcp.command!);
    // the repair script is a shell script for the guest: its comments stay English (src/report/repair.ts)
    const prose = md.slice(0, md.indexOf('## 修復'));
    expect(prose).not.toContain('sets the static address');
  });
});

// the Windows disk of test/fixtures/recipes/guest-windows.sh, as test/rules/windows-disk.test.ts builds it
const recipe = new URL('test/fixtures/recipes/guest-windows.sh', root).pathname;
const minimal = CORPUS + 'hivex/minimal';
const missing = ['sgdisk', 'mkfs.vfat', 'mmd', 'mcopy', 'mkntfs', 'ntfs-3g', 'hivexsh', 'python3'].filter((x) => !hasTool(x));
const why = !existsSync(minimal) ? `${minimal} is absent: the Windows disk part is skipped`
  : missing.length ? `missing ${missing.join(', ')}: the Windows disk part is skipped`
  : !existsSync('/dev/fuse') || process.getuid?.() !== 0 ? 'the recipe needs root and /dev/fuse: the Windows disk part is skipped' : '';
if (why) console.warn(why);

describe.skipIf(why !== '')('Japanese findings of the Windows disk', () => {
  it('say every fix and evidence phrase from the Japanese catalog (good, BCD on a missing volume, dirty hive)', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'gc-win-ja-'));
    try {
      const seen: Seen[] = [];
      for (const variant of ['good', 'bcd-missing-volume', 'dirty-hive']) {
        const img = join(tmp, `${variant}.img`);
        const r = spawnSync('bash', [recipe, img, variant, minimal], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        const report = await checkFiles(inst, mod, memoryFiles([new Uint8Array(readFileSync(img))]), [`${variant}.img`]);
        rmSync(img);
        for (const f of report.findings) seen.push({ where: variant, f });
      }
      expect(seen.filter((s) => s.f.status !== 'pass').map((s) => s.f.name)).toEqual(expect.arrayContaining(['BCD', 'Registry']));
      expect(problems(seen)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 300_000);
});
