// SPDX-License-Identifier: Apache-2.0
// BCD stores over the corpus's real BCD (Windows 10 + systemd-boot, UEFI) read
// in place: objects, the boot manager, its default loader, the loader's
// device and path; and the device matched to a volume of a disk image built
// here with sgdisk + mkntfs + ntfscp, whose GPT carries the disk and partition
// GUIDs the store names (and a variant whose partition GUID differs).
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEngine } from '../helpers/engine';
import { hasTool } from './disk-fixtures';
import { corpusHive, hiveCorpusPresent, HIVE_CORPUS_ABSENT } from './hive-corpus';

const eng = await loadEngine();
const tmp = mkdtempSync(join(tmpdir(), 'gc-bcd-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DISK_GUID = '0b2394a9-095e-487d-8d48-719ecd4d78ca';
const WIN_PART = '8e0f2c38-e4ea-47ba-b7fc-9d8c74dccf0b';
const BOOTMGR = '{9dea862c-5cdd-4e70-acc1-f32b344d4795}';
const DEFAULT = '{733b62e5-f608-11eb-825c-c112f60133ab}';

describe.skipIf(!hiveCorpusPresent)('BCD: the corpus store', () => {
  it('decodes the boot manager, its default loader, device and path', async () => {
    const s = await eng.open([corpusHive('regipy/BCD.xz')]);
    const h = s.hiveOpenHost(0);
    const b = s.bcd(h);
    expect(b, JSON.stringify(s.lastError())).not.toBeNull();
    expect(b).toMatchObject({ isBcd: true, objectCount: 17, hasBootManager: true, default: DEFAULT, defaultExists: true });
    expect(b.bootManager).toMatchObject({ guid: BOOTMGR, type: 0x10100002, typeName: 'boot manager', description: 'Windows Boot Manager', path: '\\EFI\\Microsoft\\Boot\\bootmgfw.efi', default: DEFAULT });
    expect(b.bootManager.displayOrder).toEqual([DEFAULT]);
    expect(b.defaultEntry).toMatchObject({
      guid: DEFAULT, type: 0x10200003, typeName: 'OS loader', description: 'Windows 10', path: '\\Windows\\system32\\winload.efi', systemRoot: '\\Windows',
      device: { kind: 'partition', deviceType: 6, partitionStyle: 'gpt', partitionGuid: WIN_PART, diskGuid: DISK_GUID },
      osDevice: { kind: 'partition', partitionGuid: WIN_PART, diskGuid: DISK_GUID },
    });
    // with no disk open, nothing is matched
    expect(b.defaultEntry.device.found).toBeUndefined();
    // applications (type 0x1xxxxxxx): both boot managers, 3 firmware entries, 2 OS loaders, resume, memory test
    const apps = b.objects.filter((o: any) => (o.type >>> 28) === 1);
    expect(apps.length).toBe(9);
    expect(b.objects.filter((o: any) => o.typeName === 'OS loader').map((o: any) => o.description).sort()).toEqual(['Windows 10', 'Windows Recovery Environment']);
    // the recovery loader boots a ramdisk: Winre.wim on another partition of the same disk
    const re = b.objects.find((o: any) => o.description === 'Windows Recovery Environment');
    expect(re.device).toMatchObject({ kind: 'ramdisk', path: '\\Recovery\\WindowsRE\\Winre.wim', parent: { kind: 'partition', diskGuid: DISK_GUID } });
  });

  it('says a hive without Objects is not a BCD store', async () => {
    const s = await eng.open([corpusHive('regipy/SAM.xz')]);
    expect(s.bcd(s.hiveOpenHost(0))).toEqual({ isBcd: false });
  });
});
if (!hiveCorpusPresent) it.skip(HIVE_CORPUS_ABSENT, () => {});

const haveTools = hasTool('sgdisk') && hasTool('mkntfs') && hasTool('ntfscp');
describe.skipIf(!hiveCorpusPresent || !haveTools)('BCD: devices matched to the volumes of an image', () => {
  /** A 48 MiB GPT disk (disk GUID as in the store) with one NTFS partition at 1 MiB holding /BCD. */
  function disk(partGuid: string): Uint8Array {
    const img = join(tmp, `disk-${partGuid}.img`);
    const vol = join(tmp, `vol-${partGuid}.img`);
    const bcd = join(tmp, 'BCD');
    writeFileSync(bcd, corpusHive('regipy/BCD.xz'));
    const run = (cmd: string, args: string[]) => {
      const r = spawnSync(cmd, args, { encoding: 'utf8' });
      expect(r.status, `${cmd} ${args.join(' ')}: ${r.stderr}`).toBe(0);
    };
    run('truncate', ['-s', '48M', img]);
    run('sgdisk', ['-o', '-U', DISK_GUID, '-n', '1:2048:+40M', '-t', '1:0700', '-u', `1:${partGuid}`, img]);
    run('truncate', ['-s', '40M', vol]);
    run('mkntfs', ['-F', '-Q', '-q', '-s', '512', '-p', '2048', '-H', '255', '-S', '63', vol]);
    run('ntfscp', ['-f', vol, bcd, '/BCD']);
    const d = readFileSync(img);
    d.set(readFileSync(vol), 2048 * 512);
    return new Uint8Array(d);
  }

  it("finds the default loader's partition among the image's volumes", async () => {
    const s = await eng.open([disk(WIN_PART)]);
    const info = s.inspect();
    expect(info.volumes[0]).toMatchObject({ fs: 'ntfs', partuuid: WIN_PART });
    const h = s.hiveOpen(0, '/BCD');
    expect(h, JSON.stringify(s.lastError())).toBeGreaterThanOrEqual(0);
    const b = s.bcd(h);
    expect(b.defaultEntry.device).toMatchObject({ partitionGuid: WIN_PART, found: true, volume: info.volumes[0].id });
    // the boot manager lives on the ESP, which this image lacks
    expect(b.bootManager.device).toMatchObject({ found: false, volume: '' });
  }, 60000);

  it('reports the device as missing when no partition carries its GUID', async () => {
    const s = await eng.open([disk('11111111-2222-4333-8444-555555555555')]);
    s.inspect();
    const b = s.bcd(s.hiveOpen(0, '/BCD'));
    expect(b.defaultEntry.device).toMatchObject({ partitionGuid: WIN_PART, found: false });
  }, 60000);
});
if (!haveTools) it.skip('sgdisk, mkntfs or ntfscp is missing: the BCD volume-matching test is skipped', () => {});
