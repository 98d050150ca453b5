// SPDX-License-Identifier: Apache-2.0
// PE headers and version resources over the mingw-w64-built files of
// test/fixtures/pe/ (recipe pe.sh: windres VERSIONINFO, a 32-bit DLL, a file
// without resources, and damaged copies), compared with python3-pefile when it
// is installed (also over whatever other PE files this machine has).
import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { readPe, readPeFile, PeError, parseVersionInfo, type PeInfo } from '../../src/facts/windows/pe';
import { fakeGuest } from '../helpers/fake-guest';

const FILES = ['ntoskrnl.exe', 'viostor.sys', 'hal32.dll', 'noversion.exe', 'bad-truncated.exe', 'bad-loop.exe', 'bad-outside.exe', 'bad-depth.exe'];
const fixture = (n: string) => new Uint8Array(gunzipSync(readFileSync(new URL(`../fixtures/pe/${n}.gz`, import.meta.url))));
const pe = (b: Uint8Array) => readPe((off, len) => b.subarray(off, off + len), b.length);

describe('PE headers and version resources (mingw-w64 fixtures)', () => {
  it('reads ntoskrnl.exe: AMD64, native subsystem, version 10.0.20348.2340 and its strings', () => {
    const p = pe(fixture('ntoskrnl.exe'));
    expect(p).toMatchObject({ machine: 0x8664, arch: 'x86_64', optionalMagic: 0x20b, subsystem: 1, versionError: null });
    expect(p.version).toMatchObject({ fileVersion: '10.0.20348.2340', productVersion: '10.0.20348.2340', fileType: 1, stringTable: '040904B0' });
    expect(p.version!.strings.FileVersion).toBe('10.0.20348.2340 (WinBuild.160101.0800)');
    expect(p.version!.strings.ProductName).toBe('Microsoft® Windows® Operating System');
    expect(p.version!.location).toMatch(/^RT_VERSION #1 language 0x0409, RVA 0x[0-9a-f]+, \d+ bytes$/);
  });

  it('reads a driver, a 32-bit DLL and a file without resources', () => {
    const v = pe(fixture('viostor.sys'));
    expect(v).toMatchObject({ arch: 'x86_64', subsystem: 1, version: { fileVersion: '100.94.104.24900', fileType: 3, fileSubtype: 7, stringTable: '040904E4' } });
    expect(v.version!.strings.ProductName).toBe('VirtIO Storage Driver');
    const h = pe(fixture('hal32.dll'));
    expect(h).toMatchObject({ machine: 0x14c, arch: 'i386', optionalMagic: 0x10b, version: { fileVersion: '6.1.7601.24545', productVersion: '6.1.7601.0', fileType: 2, stringTable: '041104B0' } });
    expect(h.version!.location).toContain('language 0x0411');
    expect(h.version!.strings.FileVersion).toBe('6.1.7601.24545 (win7sp1_ldr.191010-1700)');
    const n = pe(fixture('noversion.exe'));
    expect(n).toMatchObject({ arch: 'x86_64', subsystem: 3, version: null, versionError: null });
  });

  it('names each damaged resource tree and still reads the header', () => {
    const t = pe(fixture('bad-truncated.exe'));
    expect(t.arch).toBe('x86_64');
    expect(t.versionError?.code).toBe('pe.rsrc.truncated');
    expect(t.versionError?.message).toMatch(/resource directory at offset 0x0 \(level 1\) lists \d+ entries, which run past the resource section's 20 bytes/);
    expect(pe(fixture('bad-loop.exe')).versionError).toEqual({ code: 'pe.rsrc.loop', message: 'resource directory at offset 0x0 of the resource table is reached twice (level 2): the tree loops' });
    expect(pe(fixture('bad-outside.exe')).versionError).toEqual({ code: 'pe.rsrc.outside', message: 'version resource data at RVA 0x7fff0000 lies in no section of the image' });
    expect(pe(fixture('bad-depth.exe')).versionError).toEqual({ code: 'pe.rsrc.depth', message: "the version resource's language entry 0x409 points at a fourth directory level; the tree has three" });
  });

  it('refuses what is not a PE image, and damaged headers, with the place', () => {
    const good = fixture('ntoskrnl.exe');
    const err = (b: Uint8Array): PeError => { try { pe(b); } catch (e) { return e as PeError; } throw new Error('no error'); };
    expect(err(new TextEncoder().encode('#!/bin/sh\n'.repeat(10))).code).toBe('pe.not-pe');
    const lfanew = good.slice(); new DataView(lfanew.buffer).setUint32(0x3c, 0x10000000, true);
    expect(err(lfanew)).toMatchObject({ code: 'pe.truncated', message: expect.stringContaining('PE signature and COFF header (e_lfanew) at offset 0x10000000') });
    const e = new DataView(good.buffer).getUint32(0x3c, true);
    const sig = good.slice(); sig[e] = 0x4e;
    expect(err(sig).code).toBe('pe.signature');
    const secs = good.slice(); new DataView(secs.buffer).setUint16(e + 6, 4000, true);
    expect(err(secs).message).toContain('claims 4000 sections');
    expect(err(good.subarray(0, e + 30)).code).toBe('pe.truncated');
  });

  it('bounds every node of the version block by its parent', () => {
    const p = pe(fixture('ntoskrnl.exe'));
    const m = /RVA 0x([0-9a-f]+), (\d+) bytes/.exec(p.version!.location)!;
    const b = fixture('ntoskrnl.exe');
    // find the block through its key rather than re-deriving the section mapping
    const key = new Uint8Array(Buffer.from('VS_VERSION_INFO', 'utf16le'));
    const at = Buffer.from(b).indexOf(Buffer.from(key)) - 6;
    const len = Number(m[2]);
    const block = b.slice(at, at + len);
    const dv = () => new DataView(block.buffer);
    expect(parseVersionInfo(dv()).fileVersion).toBe('10.0.20348.2340');
    const long = block.slice(); new DataView(long.buffer).setUint16(0, len + 100, true);
    expect(() => parseVersionInfo(new DataView(long.buffer))).toThrow(/VS_VERSIONINFO at offset 0 of the version block claims \d+ bytes; its parent leaves \d+/);
    const sigBad = block.slice(); sigBad[40] ^= 0xff;
    expect(() => parseVersionInfo(new DataView(sigBad.buffer))).toThrow(/VS_FIXEDFILEINFO signature/);
    // a StringFileInfo child whose length runs past VS_VERSIONINFO's end
    const sfi = Buffer.from(block).indexOf(Buffer.from('StringFileInfo', 'utf16le')) - 6;
    const child = block.slice(); new DataView(child.buffer).setUint16(sfi, 0xfff0, true);
    expect(() => parseVersionInfo(new DataView(child.buffer))).toThrow(PeError);
    // a zero-length node cannot stall the walk
    const zero = block.slice(); new DataView(zero.buffer).setUint16(sfi, 0, true);
    expect(() => parseVersionInfo(new DataView(zero.buffer))).toThrow(/claims 0 bytes/);
  });

  it('reads a guest file in small pieces, never the whole of it', () => {
    const b = fixture('noversion.exe');
    const reads: number[] = [];
    const g = fakeGuest({ '/Windows/System32/ntoskrnl.exe': fixture('ntoskrnl.exe'), '/big.exe': b });
    const orig = g.readBytes.bind(g);
    g.readBytes = (p, off, len) => { reads.push(len ?? -1); return orig(p, off, len); };
    expect(readPeFile(g, '/Windows/System32/ntoskrnl.exe')!.version!.fileVersion).toBe('10.0.20348.2340');
    expect(Math.max(...reads)).toBeLessThan(1200);
    expect(readPeFile(g, '/absent.exe')).toBeNull();
    expect(readPeFile(g, '/Windows')).toBeNull();
  });
});

// python3-pefile, the independent reader (Debian's package lives in /usr/lib/python3/dist-packages)
const PY = '/usr/bin/python3';
const hasPefile = existsSync(PY) && spawnSync(PY, ['-c', 'import pefile'], { encoding: 'utf8' }).status === 0;
const DUMP = `
import json, sys, pefile
out = {}
for f in sys.argv[1:]:
    try:
        p = pefile.PE(f)
    except Exception as e:
        out[f] = {'error': str(e)}; continue
    r = {'machine': p.FILE_HEADER.Machine, 'magic': p.OPTIONAL_HEADER.Magic, 'subsystem': p.OPTIONAL_HEADER.Subsystem}
    if hasattr(p, 'VS_FIXEDFILEINFO') and p.VS_FIXEDFILEINFO:
        x = p.VS_FIXEDFILEINFO[0]
        d = lambda ms, ls: '%d.%d.%d.%d' % (ms >> 16, ms & 0xffff, ls >> 16, ls & 0xffff)
        r['fileVersion'] = d(x.FileVersionMS, x.FileVersionLS); r['productVersion'] = d(x.ProductVersionMS, x.ProductVersionLS)
    for fi in getattr(p, 'FileInfo', None) or []:
        for e in fi:
            if getattr(e, 'Key', b'') == b'StringFileInfo' and e.StringTable and 'strings' not in r:
                t = e.StringTable[0]
                r['table'] = t.LangID.decode(); r['strings'] = {k.decode('utf-8', 'replace'): v.decode('utf-8', 'replace') for k, v in t.entries.items()}
    out[f] = r
print(json.dumps(out))
`;

function compare(ours: PeInfo, theirs: Record<string, unknown>) {
  expect({ machine: ours.machine, magic: ours.optionalMagic, subsystem: ours.subsystem }).toEqual({ machine: theirs.machine, magic: theirs.magic, subsystem: theirs.subsystem });
  if (theirs.fileVersion !== undefined) {
    expect(ours.versionError).toBeNull();
    expect([ours.version?.fileVersion, ours.version?.productVersion]).toEqual([theirs.fileVersion, theirs.productVersion]);
  }
  if (theirs.strings !== undefined) {
    expect(ours.version?.stringTable.toUpperCase()).toBe((theirs.table as string).toUpperCase());
    expect(ours.version?.strings).toEqual(theirs.strings);
  }
}

describe.skipIf(!hasPefile)('PE readers agree: guestcheck and python3-pefile', () => {
  it('on every fixture (the damaged ones: pefile finds no version either)', () => {
    const dir = new URL('../fixtures/pe/', import.meta.url).pathname;
    const tmp = spawnSync('mktemp', ['-d'], { encoding: 'utf8' }).stdout.trim();
    try {
      const paths = FILES.map((f) => {
        const p = `${tmp}/${f}`;
        spawnSync('sh', ['-c', `gunzip -c '${dir}${f}.gz' > '${p}'`]);
        return p;
      });
      const r = spawnSync(PY, ['-c', DUMP, ...paths], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const theirs = JSON.parse(r.stdout) as Record<string, Record<string, unknown>>;
      for (const [i, f] of FILES.entries()) {
        const ours = pe(fixture(f));
        compare(ours, theirs[paths[i]]);
        if (f.startsWith('bad-')) expect([f, ours.version, theirs[paths[i]].fileVersion]).toEqual([f, null, undefined]);
      }
    } finally {
      spawnSync('rm', ['-rf', tmp]);
    }
  });

  it('on the PE files this machine happens to hold (MSVC-built launchers, EFI binaries, mingw DLLs)', () => {
    const found = spawnSync('sh', ['-c', 'find /usr/lib /usr/share /usr/x86_64-w64-mingw32 /root/.pyenv -xdev -type f \\( -iname "*.exe" -o -iname "*.dll" -o -iname "*.efi" -o -iname "*.sys" \\) -size -8M 2>/dev/null | sort | head -80'], { encoding: 'utf8', timeout: 20000 });
    const paths = found.stdout.split('\n').filter(Boolean);
    if (paths.length === 0) { console.log('no PE files on this machine besides the fixtures: host comparison skipped'); return; }
    const r = spawnSync(PY, ['-c', DUMP, ...paths], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(r.status, r.stderr).toBe(0);
    const theirs = JSON.parse(r.stdout) as Record<string, Record<string, unknown>>;
    let compared = 0, withVersion = 0;
    for (const p of paths) {
      if ('error' in theirs[p]) continue;
      const b = new Uint8Array(readFileSync(p));
      let ours: PeInfo;
      try { ours = pe(b); } catch (e) { throw new Error(`${p}: ${(e as Error).message}`); }
      compare(ours, theirs[p]);
      compared++;
      if (ours.version) withVersion++;
    }
    console.log(`pefile agreed on ${compared} host PE files (${withVersion} with a version resource)`);
    expect(compared).toBeGreaterThan(0);
  }, 60000);
});
if (!hasPefile) it.skip('python3-pefile is not installed (apt-get install python3-pefile): the differential PE test is skipped', () => {});
