// SPDX-License-Identifier: Apache-2.0
// The guest's installed packages, from whichever database it keeps: dpkg's
// status file, rpm's sqlite database (rpm ≥ 4.16: RHEL 9, Fedora 33+), rpm's
// Berkeley DB Packages file (older rpm), or rpm's ndb (SUSE 15.3+, named as
// not read). Rules fall back to files on disk when no database answers.

import type { GuestView } from '../rules/guest-view';
import { readText } from '../rules/guest-view';
import type { Evidence } from '../report/types';
import { parseDpkgStatus } from './dpkg';
import { parseRpmHeaderBlob, rpmEvr } from './rpm-header';
import { SqliteError, SqliteFile } from './sqlite';
import { BdbError, bdbHashValues } from './bdb-hash';
import { said } from '../report/message';

export interface Package {
  name: string;
  version: string;
  evidence: Evidence;
}

export interface PackageDb {
  kind: 'dpkg' | 'rpm-sqlite' | 'rpm-bdb' | 'none';
  path: string;
  packages: Map<string, Package[]>;
  /** why a database that exists could not be read */
  error?: string;
}

const MAX_DB = 256 << 20;
const RPM_DIRS = ['/var/lib/rpm', '/usr/lib/sysimage/rpm'];

function add(db: PackageDb, p: Package): void {
  const l = db.packages.get(p.name);
  if (l) l.push(p); else db.packages.set(p.name, [p]);
}

function readRpm(g: GuestView, dir: string): PackageDb | null {
  const sq = `${dir}/rpmdb.sqlite`;
  const sst = g.stat(sq);
  if (sst?.kind === 'file') {
    const db: PackageDb = { kind: 'rpm-sqlite', path: sq, packages: new Map() };
    try {
      const bytes = g.readBytes(sq, 0, Math.min(sst.size, MAX_DB));
      if (!bytes) throw new SqliteError('sqlite.read', `${sq} could not be read`);
      const f = new SqliteFile(bytes);
      const root = f.tableRoot('Packages');
      if (root === null) throw new SqliteError('sqlite.table', `${sq} has no Packages table`);
      f.rows(root, (values) => {
        const blob = values.find((x): x is Uint8Array => x instanceof Uint8Array);
        const p = blob ? parseRpmHeaderBlob(blob) : null;
        if (p) add(db, { name: p.name, version: rpmEvr(p), evidence: said(sq, 'ev.pkg.rpm', { nevra: `${p.name}-${rpmEvr(p)}${p.arch ? `.${p.arch}` : ''}` }) });
      });
    } catch (e) {
      if (!(e instanceof SqliteError)) throw e;
      db.error = `${e.code}: ${e.message}`;
    }
    return db;
  }
  const bdb = `${dir}/Packages`;
  const bst = g.stat(bdb);
  if (bst?.kind === 'file') {
    const db: PackageDb = { kind: 'rpm-bdb', path: bdb, packages: new Map() };
    try {
      const bytes = g.readBytes(bdb, 0, Math.min(bst.size, MAX_DB));
      if (!bytes) throw new BdbError('bdb.read', `${bdb} could not be read`);
      bdbHashValues(bytes, (value) => {
        const p = parseRpmHeaderBlob(value);
        if (p) add(db, { name: p.name, version: rpmEvr(p), evidence: said(bdb, 'ev.pkg.rpm', { nevra: `${p.name}-${rpmEvr(p)}${p.arch ? `.${p.arch}` : ''}` }) });
      });
    } catch (e) {
      if (!(e instanceof BdbError)) throw e;
      db.error = `${e.code}: ${e.message}`;
    }
    return db;
  }
  if (g.stat(`${dir}/Packages.db`)?.kind === 'file') {
    return { kind: 'none', path: `${dir}/Packages.db`, packages: new Map(), error: 'rpm ndb databases (Packages.db) are not read; files on disk decide instead' };
  }
  return null;
}

/** The guest's package database (the first one found). */
export function readPackages(g: GuestView): PackageDb {
  const status = readText(g, '/var/lib/dpkg/status', MAX_DB);
  if (status !== null) {
    const db: PackageDb = { kind: 'dpkg', path: '/var/lib/dpkg/status', packages: new Map() };
    for (const p of parseDpkgStatus(status).values()) {
      add(db, { name: p.name, version: p.version, evidence: said(db.path, 'ev.pkg.deb', { name: p.name, version: p.version }, p.line) });
    }
    return db;
  }
  for (const dir of RPM_DIRS) {
    const db = readRpm(g, dir);
    if (db) return db;
  }
  return { kind: 'none', path: '', packages: new Map() };
}

/** The newest installed version of `name`, or null. */
export function findPackage(db: PackageDb, name: string): Package | null {
  const l = db.packages.get(name);
  return l && l.length ? l[l.length - 1] : null;
}
