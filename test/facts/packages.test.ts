// SPDX-License-Identifier: Apache-2.0
// Package databases: dpkg's status file, and real rpm databases made by
// test/fixtures/recipes/rpmdb.sh (rpm -i --justdb into rpm's sqlite backend;
// the same header blobs loaded into a Berkeley DB hash by db5.3_load).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fakeGuest } from '../helpers/fake-guest';
import { readPackages, findPackage } from '../../src/facts/packages';
import { parseDpkgStatus } from '../../src/facts/dpkg';
import { SqliteFile, SqliteError } from '../../src/facts/sqlite';
import { bdbHashValues, BdbError } from '../../src/facts/bdb-hash';
import { parseRpmHeaderBlob } from '../../src/facts/rpm-header';

const fixture = (n: string) => new Uint8Array(gunzipSync(readFileSync(new URL(`../fixtures/rpmdb/${n}.gz`, import.meta.url))));
const EXPECTED = [['cloud-init', '19.4-7.el7'], ['cloud-utils-growpart', '0.29-5.el7'], ['filler', '2:1.0-1'], ['kernel', '3.10.0-1160.el7']];

describe('dpkg status', () => {
  it('keeps installed packages with the line of their stanza', () => {
    const m = parseDpkgStatus('Package: a\nStatus: install ok installed\nVersion: 1\n\nPackage: b\nStatus: deinstall ok config-files\nVersion: 2\n\nPackage: c\nVersion: 3\nStatus: install ok unpacked\n');
    expect([...m.values()]).toEqual([{ name: 'a', version: '1', line: 1 }, { name: 'c', version: '3', line: 9 }]);
  });
});

describe('rpm sqlite database', () => {
  it('lists every package rpm installed, across overflow pages', () => {
    const db = readPackages(fakeGuest({ '/var/lib/rpm/rpmdb.sqlite': fixture('rpmdb.sqlite') }));
    expect(db.kind).toBe('rpm-sqlite');
    expect(db.error).toBeUndefined();
    expect([...db.packages.values()].map((l) => [l[0].name, l[0].version]).sort()).toEqual(EXPECTED);
    expect(findPackage(db, 'cloud-init')!.evidence).toEqual({ path: '/var/lib/rpm/rpmdb.sqlite', text: 'rpm package cloud-init-19.4-7.el7.x86_64' });
  });

  it('names a damaged file', () => {
    const b = fixture('rpmdb.sqlite');
    expect(() => new SqliteFile(b.subarray(0, 50))).toThrow(SqliteError);
    const bad = b.slice(); bad[16] = 0x03; bad[17] = 0x00;
    expect(() => new SqliteFile(bad)).toThrow(/page size 768/);
    const db = readPackages(fakeGuest({ '/var/lib/rpm/rpmdb.sqlite': b.subarray(0, 8192) }));
    expect(db.error).toMatch(/^sqlite\.page\.range: SQLite page \d+ is outside the file's 2 pages/);
  });
});

describe('rpm Berkeley DB Packages', () => {
  it('lists every package from the hash pages and overflow chains', () => {
    const db = readPackages(fakeGuest({ '/var/lib/rpm/Packages': fixture('Packages') }));
    expect(db.kind).toBe('rpm-bdb');
    expect(db.error).toBeUndefined();
    expect([...db.packages.values()].map((l) => [l[0].name, l[0].version]).sort()).toEqual(EXPECTED);
  });

  it('names a file that is not a hash database, and a broken overflow chain', () => {
    expect(() => bdbHashValues(new Uint8Array(4096), () => {})).toThrow(BdbError);
    const b = fixture('Packages');
    // point every overflow reference past the last page
    for (let p = 4096; p < b.length; p += 4096) {
      if (b[p + 25] !== 13) continue;
      const n = b[p + 20] | (b[p + 21] << 8);
      for (let i = 1; i < n; i += 2) {
        const off = b[p + 26 + 2 * i] | (b[p + 27 + 2 * i] << 8);
        if (b[p + off] === 3) b.set([0xff, 0xff, 0, 0], p + off + 4);
      }
    }
    expect(() => bdbHashValues(b, () => {})).toThrow(/overflow chain points at page 65535/);
  });
});

describe('rpm header blob', () => {
  it('refuses counts past the blob', () => {
    expect(parseRpmHeaderBlob(new Uint8Array([0, 0, 0, 9, 0, 0, 0, 9]))).toBeNull();
  });
});
