// SPDX-License-Identifier: Apache-2.0
// Every message the UI asks for exists in every language, and the two
// catalogs hold the same keys: a missing Japanese string would otherwise
// fall back to English silently.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LANGS, catalogKeys, formatBytes, pickLang, render, t } from '../../src/report/i18n';
import { fixParts } from '../../src/ui/findings-view';
import { findingText, knownSentence } from '../../src/report/finding-text';
import { finding } from '../../src/rules/rule';
import { msg, said } from '../../src/report/message';
import { runRules } from '../../src/rules/run-rules';
import { ctxOf } from '../helpers/rule-context';

const uiDir = new URL('../../src/ui/', import.meta.url);

describe('message catalogs', () => {
  it('hold the same keys in every language', () => {
    const en = catalogKeys('en').sort();
    for (const l of LANGS) expect(catalogKeys(l).sort()).toEqual(en);
  });

  it('have every key the UI templates use', () => {
    const used = new Set<string>();
    const files = [...readdirSync(uiDir).filter((n) => n.endsWith('.ts')).map((n) => new URL(n, uiDir)), new URL('../report/markdown.ts', uiDir)];
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(/\bt\(\s*\w+,\s*'([\w.]+)'/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(30);
    const en = new Set(catalogKeys('en'));
    expect([...used].filter((k) => !en.has(k))).toEqual([]);
  });

  it('names every check item of CHECKS.md in both languages', () => {
    const items = ['Platform', 'OSVersion', 'Architecture', 'RtcTimeMode', 'BootMode', 'KernelVersion', 'Virtio', 'Nvme', 'Fstab', 'Grub',
      'Dhcp', 'Selinux', 'OnlineResizeFS', 'SystemImage', 'CloudAssistant', 'CloudInit', 'SecurityCenterAgent', 'SupportMocInstanceTypes',
      'BCD', 'Registry', 'Hotfix', 'Disk', 'Sysprep', 'Update', 'Xen', 'Server', 'DesktopConfig', 'BootMgr'];
    for (const l of LANGS) for (const i of items) expect(catalogKeys(l)).toContain(`item.${i}`);
  });

  it('follows the first preferred language it has, else English', () => {
    expect(pickLang(['ja-JP', 'en-US'])).toBe('ja');
    expect(pickLang(['fr-FR', 'en-GB'])).toBe('en');
    expect(pickLang(['de'])).toBe('en');
    expect(pickLang([])).toBe('en');
  });

  it('fills placeholders and formats sizes', () => {
    expect(t('en', 'progress.read', { bytes: '2 MiB', calls: 24 })).toBe('2 MiB read in 24 reads');
    expect(t('ja', 'progress.read', { bytes: '2 MiB', calls: 24 })).toBe('24 回の読み取りで 2 MiB');
    expect(formatBytes(268435456, 'en')).toBe('256 MiB');
    expect(formatBytes(1536, 'en')).toBe('1.5 KiB');
    expect(formatBytes(512, 'en')).toBe('512 B');
    expect(() => t('en', 'no.such.key')).toThrow(/no\.such\.key/);
  });
});

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const srcDir = new URL('../../src/', import.meta.url).pathname;
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []);
}

describe('finding messages', () => {
  it('use the same placeholders in every language', () => {
    const bad = catalogKeys('en').filter((k) => LANGS.some((l) => placeholders(t(l, k)).join() !== placeholders(t('en', k)).join()));
    expect(bad).toEqual([]);
  });

  it('exist for every key the rules and facts say', () => {
    const en = new Set(catalogKeys('en'));
    const used = new Set<string>();
    for (const f of [...sources(join(srcDir, 'rules')), ...sources(join(srcDir, 'facts'))]) {
      for (const m of readFileSync(f, 'utf8').matchAll(/'((?:fix|ev|value|place)\.[\w.-]+)'/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(200);
    expect([...used].filter((k) => !en.has(k))).toEqual([]);
    for (const p of ['builtin', 'initramfs', 'disk-only', 'absent', 'unknown']) expect(en.has(`place.${p}`)).toBe(true);
  });

  it('are Japanese in the Japanese catalog', () => {
    // the few whose words are all file syntax, placeholders or product names
    const same = new Set(['ev.Architecture.elf', 'ev.drivers.place', 'ev.Fstab.problem', 'ev.win.BCD.entry', 'ev.win.BCD.device', 'ev.Nvme.ioTimeout']);
    const keys = catalogKeys('en').filter((k) => /^(fix|ev|value|err|engine)\./.test(k) && !same.has(k));
    expect(keys.filter((k) => t('ja', k) === t('en', k))).toEqual([]);
    expect(keys.filter((k) => !/[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]/.test(t('ja', k)))).toEqual([]);
  });

  it('keep the English of the report contract and carry the message beside it', () => {
    const e = said('/etc/adjtime', 'ev.RtcTimeMode.absent');
    const f = finding('RtcTimeMode', 'warn', 'local', [e, { path: '/etc/adjtime', line: 3, text: 'LOCAL' }], { solution: msg('fix.RtcTimeMode.local', { path: '/etc/adjtime', command: 'x' }) });
    expect(e).toEqual({ path: '/etc/adjtime', text: 'absent: hwclock defaults to UTC' });
    expect(f.solution).toMatch(/^The hardware clock is read as local time/);
    expect(f.messages).toEqual({ solution: { key: 'fix.RtcTimeMode.local', params: { path: '/etc/adjtime', command: 'x' } }, evidence: [{ key: 'ev.RtcTimeMode.absent' }, null] });
    // the report travels as JSON (worker messages, --json): the messages survive it
    const ja = findingText('ja', JSON.parse(JSON.stringify(f)));
    expect(ja.solution).toMatch(/^ハードウェアクロックがローカル時刻として読まれますが/);
    expect(ja.evidence).toEqual(['ありません: hwclock は UTC とみなします', 'LOCAL']);
    expect(findingText('en', f).evidence).toEqual(['absent: hwclock defaults to UTC', 'LOCAL']);
  });

  it('render nested messages and lists in the same language', () => {
    const m = msg('fix.SupportMocInstanceTypes.unsupported', { reasons: [msg('fix.SupportMocInstanceTypes.kernelOlder', { version: '2.6.18', min: '2.6.32' }), msg('fix.SupportMocInstanceTypes.os', { name: 'Alpine' })] });
    expect(render('en', m)).toBe('Not for X-Dragon instance types (ecs.g6, g7, ...): kernel 2.6.18 is older than 2.6.32; Alpine is not supported for custom images. Fix the Virtio and Nvme items (see their commands), or pick an instance type without NVMe disks.');
    expect(render('ja', m)).toMatch(/^X-Dragon インスタンスタイプ（ecs\.g6、g7 など）では使用できません: カーネル 2\.6\.18 は 2\.6\.32 より古いバージョンです。Alpine はカスタムイメージでサポートされていません。/);
  });

  it('translate the fixed sentences of rules that still write English', () => {
    expect(knownSentence('ja', 'ECS runs x86_64, arm64 and i386 Windows images; this one is for another processor.')).toMatch(/^ECS で実行できるのは/);
    expect(knownSentence('ja', 'SYSTEM\\Select unreadable')).toBe('SYSTEM\\Select を読み取れません');
    expect(knownSentence('ja', 'UpperFilters = REG_MULTI_SZ ["partmgr"]')).toBe('UpperFilters = REG_MULTI_SZ ["partmgr"]');
    expect(knownSentence('en', 'not a PE image')).toBe('not a PE image');
    // and the parameterised forms of the Windows KernelVersion and Architecture items
    expect(knownSentence('ja', 'CurrentBuild 20348, UBR 2113: 10.0.20348.2113, agrees with ntoskrnl.exe')).toBe('CurrentBuild 20348, UBR 2113: 10.0.20348.2113（ntoskrnl.exe と一致）');
    expect(knownSentence('ja', 'PROCESSOR_ARCHITECTURE = REG_SZ "AMD64", DISAGREES with the kernel\'s arm64')).toBe('PROCESSOR_ARCHITECTURE = REG_SZ "AMD64"（カーネルの arm64 と不一致）');
  });

  it('turn a rule that throws into a finding whose fix is translated too', () => {
    const ctx = ctxOf({});
    ctx.guest = new Proxy(ctx.guest!, { get: () => () => { throw new Error('boom'); } });
    const f = runRules(ctx).find((x) => x.status === 'error')!;
    expect(f.solution).toBe('The check could not run: boom');
    expect(findingText('ja', f).solution).toBe('このチェックを実行できませんでした: boom');
  });
});

describe('fix text', () => {
  it('splits commands written in backticks from the prose', () => {
    expect(fixParts('Run `update-initramfs -u` and reboot.')).toEqual([
      { text: 'Run ', code: false }, { text: 'update-initramfs -u', code: true }, { text: ' and reboot.', code: false },
    ]);
    expect(fixParts('nothing to run')).toEqual([{ text: 'nothing to run', code: false }]);
  });
});
