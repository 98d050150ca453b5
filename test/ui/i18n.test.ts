// SPDX-License-Identifier: Apache-2.0
// Every message the UI asks for exists in every language, and the two
// catalogs hold the same keys: a missing Japanese string would otherwise
// fall back to English silently.
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { LANGS, catalogKeys, formatBytes, pickLang, t } from '../../src/report/i18n';
import { fixParts } from '../../src/ui/findings-view';

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

describe('fix text', () => {
  it('splits commands written in backticks from the prose', () => {
    expect(fixParts('Run `update-initramfs -u` and reboot.')).toEqual([
      { text: 'Run ', code: false }, { text: 'update-initramfs -u', code: true }, { text: ' and reboot.', code: false },
    ]);
    expect(fixParts('nothing to run')).toEqual([{ text: 'nothing to run', code: false }]);
  });
});
