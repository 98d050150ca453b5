// SPDX-License-Identifier: Apache-2.0
// Hives read through the NTFS reader as the Windows rules will: the NTFS
// fixture (test/fixtures/recipes/ntfs.sh) gets the corpus's dirty SYSTEM_B
// hive with its .LOG1/.LOG2 and another hive as SOFTWARE copied into its
// empty Windows/System32/config with ntfscp (ntfs-3g) at test time; the
// guest is then assembled as Windows and the hive opened by its guest path,
// with the logs beside it applied in memory.
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEngine } from '../helpers/engine';
import { fixture, hasTool } from './disk-fixtures';
import { corpusHive, hiveCorpusPresent, HIVE_CORPUS_ABSENT } from './hive-corpus';
import { wasmHiveView, HiveReadError } from '../../src/engine/wasm-guest-view';

const eng = await loadEngine();
const tmp = mkdtempSync(join(tmpdir(), 'gc-hive-ntfs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function windowsVolume(withLogs: boolean): Uint8Array {
  const img = join(tmp, `win-${withLogs}.img`);
  writeFileSync(img, fixture('ntfs/basic.img.gz'));
  const put = (bytes: Uint8Array, dest: string) => {
    const f = join(tmp, 'src');
    writeFileSync(f, bytes);
    const r = spawnSync('ntfscp', ['-f', img, f, dest], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  };
  put(corpusHive('regipy/SYSTEM_B.xz'), '/Windows/System32/config/SYSTEM');
  if (withLogs) {
    put(corpusHive('regipy/SYSTEM_B.LOG1.xz'), '/Windows/System32/config/SYSTEM.LOG1');
    put(corpusHive('regipy/SYSTEM_B.LOG2.xz'), '/Windows/System32/config/SYSTEM.LOG2');
  }
  put(corpusHive('regipy/SAM.xz'), '/Windows/System32/config/SOFTWARE');
  return new Uint8Array(readFileSync(img));
}

describe.skipIf(!hiveCorpusPresent || !hasTool('ntfscp'))('hives on an NTFS guest volume', () => {
  it('assembles the volume as a Windows guest and opens SYSTEM by its guest path, logs applied', async () => {
    const s = await eng.open([windowsVolume(true)]);
    s.inspect();
    const g = s.mount();
    expect(g).toMatchObject({ platform: 'Windows' });
    const hv = wasmHiveView(s.x, '/windows/system32/CONFIG/system')!;
    expect(hv.info).toMatchObject({ dirty: true, logsApplied: true, logEntriesApplied: 24, logs: ['/windows/system32/CONFIG/system.LOG1', '/windows/system32/CONFIG/system.LOG2'] });
    expect(hv.value('ControlSet001\\Control\\ComputerName\\ComputerName', 'computername')!.string).toBe('DESKTOP-PM6C56D');
    expect(hv.key('ControlSet001\\Services\\NoSuchDriver')).toBeNull();
    hv.close();
    expect(wasmHiveView(s.x, '/Windows/System32/config/SECURITY')).toBeNull();
    // a file that is not a hive throws with the reader's error
    expect(() => wasmHiveView(s.x, '/hello.txt')).toThrow(HiveReadError);
    try { wasmHiveView(s.x, '/hello.txt'); } catch (e) { expect((e as HiveReadError).info.code).toBe('hive.short'); }
    const st = s.stats();
    // the hive is read on demand, not whole: far fewer bytes than its 12 MiB
    expect(st.bytesRead).toBeLessThan(30 << 20);
  }, 60000);

  it('opens the dirty hive as it is when its logs are absent, and says so', async () => {
    const s = await eng.open([windowsVolume(false)]);
    s.inspect();
    s.mount();
    const hv = wasmHiveView(s.x, '/Windows/System32/config/SYSTEM')!;
    expect(hv.info).toMatchObject({ dirty: true, logsApplied: false, logs: [] });
  }, 60000);
});
if (!hiveCorpusPresent) it.skip(HIVE_CORPUS_ABSENT, () => {});
if (!hasTool('ntfscp')) it.skip('ntfscp (ntfs-3g) is missing: the NTFS hive test is skipped', () => {});
