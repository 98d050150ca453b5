// SPDX-License-Identifier: Apache-2.0
// Two floors for one check, both from its read logs.
//
// The bytes floor: what any reader must fetch to answer the same questions —
// the partition table, each filesystem's superblock (and ext4 group
// descriptors), one inode-table block (ext4) or MFT record (NTFS) per file or
// directory the check touched, the directory blocks it needed (a listed
// directory whole; a directory only passed through: at most two blocks, an
// htree/B-tree root and one leaf), and the file ranges the rules read, each
// rounded out to whole filesystem blocks (the initramfs included). Geometry
// (block, inode and cluster sizes, inodes per group) comes from sleuthkit's
// fsstat, an independent reader; 4 KiB / 256 B are assumed without it.
//
// The time floor: on the same machine and the same (warm) page cache, the
// bytes guestcheck read fetched with one sequential read, and the same reads
// it made (offsets and lengths from the host read log) replayed with
// nothing done in between.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import type { GuestLog } from './node-run';
import type { VolumeBrief } from './peers';
import { median } from './peers';

interface Geometry { block: number; inodeSize: number; inodesPerGroup: number; kind: 'ext' | 'ntfs' | 'fat' | 'other' }

function geometry(raw: string, v: VolumeBrief): Geometry {
  const kind: Geometry['kind'] = /^ext/.test(v.fs) ? 'ext' : v.fs === 'ntfs' ? 'ntfs' : /fat/.test(v.fs) ? 'fat' : 'other';
  const g: Geometry = { block: 4096, inodeSize: kind === 'ntfs' ? 1024 : 256, inodesPerGroup: 8192, kind };
  const r = spawnSync('fsstat', ['-o', String(Math.floor(v.start / 512)), raw], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) return g;
  const num = (re: RegExp) => { const m = re.exec(r.stdout); return m ? Number(m[1]) : undefined; };
  g.block = num(/^(?:Block|Cluster) Size:\s*(\d+)/m) ?? g.block;
  g.inodeSize = num(/^Inode Size:\s*(\d+)/m) ?? num(/^MFT Entry Size:\s*(\d+)/m) ?? g.inodeSize;
  g.inodesPerGroup = num(/^Inodes per group:\s*(\d+)/im) ?? g.inodesPerGroup;
  return g;
}

export interface BytesFloor { bytes: number; parts: Record<string, number>; filesRead: number; dirsListed: number; nodes: number }

export function bytesFloor(raw: string, volumes: VolumeBrief[], log: GuestLog, gpt: boolean): BytesFloor {
  const parts: Record<string, number> = { 'partition table': gpt ? 512 + 512 + 128 * 128 : 512, superblocks: 0, 'inodes / MFT records': 0, directories: 0, 'file data': 0 };
  // (vol, asked) -> [volume index, resolved path, kind, size, node]
  const info = new Map<string, [number, string, string, number, number]>();
  for (const [vol, asked, path, mount, kind, size, node] of log.paths) {
    const v = vol >= 0 ? vol : volumes.findIndex((x) => x.mountedAt === mount);
    if (v >= 0) info.set(vol + '\0' + asked, [v, path, kind, size, node]);
  }
  const geo = new Map<number, Geometry>();
  const g = (v: number) => { if (!geo.has(v)) geo.set(v, geometry(raw, volumes[v])); return geo.get(v)!; };
  const up = (n: number, b: number) => Math.ceil(n / b) * b;
  const touched = new Set<number>();
  const nodeKeys = new Set<string>();
  const gdtKeys = new Set<string>();
  const dirs = new Map<string, number>(); // volume+path -> bytes needed
  const listed = new Set<string>();
  for (const [vol, path] of log.lists) { const i = info.get(vol + '\0' + path); if (i) listed.add(i[0] + '\0' + i[1]); }
  for (const [v, path, kind, size, node] of info.values()) {
    touched.add(v);
    const ge = g(v);
    if (ge.kind === 'ext') {
      const perBlock = ge.block / ge.inodeSize;
      nodeKeys.add(`${v}:${Math.floor((node - 1) / perBlock)}`);
      gdtKeys.add(`${v}:${Math.floor(Math.floor((node - 1) / ge.inodesPerGroup) * 64 / ge.block)}`);
    } else if (ge.kind === 'ntfs') nodeKeys.add(`${v}:${node}`);
    if (kind === 'dir') {
      const k = v + '\0' + path;
      const need = listed.has(k) ? up(size, ge.block) : Math.min(up(size, ge.block), 2 * ge.block);
      dirs.set(k, Math.max(dirs.get(k) ?? 0, ge.kind === 'fat' && size === 0 ? ge.block : need));
    }
  }
  // a boot sector / superblock block each; NTFS also needs $MFT's own record and
  // $UpCase (128 KiB: name collation in directory B-trees)
  for (const v of touched) parts.superblocks += 4096 + (g(v).kind === 'ntfs' ? 1024 + 131072 : 0);
  parts.superblocks += gdtKeys.size * 4096;
  for (const k of nodeKeys) { const v = Number(k.split(':')[0]); parts['inodes / MFT records'] += g(v).kind === 'ext' ? g(v).block : g(v).inodeSize; }
  for (const b of dirs.values()) parts.directories += b;
  // file data: the union of the ranges read per file, rounded out to blocks
  const ranges = new Map<string, [number, number][]>();
  for (const [vol, path, off, n] of log.reads) {
    const i = info.get(vol + '\0' + path);
    if (!i || n <= 0) continue;
    const b = g(i[0]).block;
    const k = i[0] + '\0' + i[1];
    if (!ranges.has(k)) ranges.set(k, []);
    ranges.get(k)!.push([Math.floor(off / b) * b, up(off + n, b)]);
  }
  for (const [vol, path] of log.hives) {
    const i = info.get(vol + '\0' + path);
    if (!i) continue;
    const k = i[0] + '\0' + i[1];
    if (!ranges.has(k)) ranges.set(k, []);
    ranges.get(k)!.push([0, up(i[3], g(i[0]).block)]);
  }
  for (const rs of ranges.values()) {
    rs.sort((a, b) => a[0] - b[0]);
    let end = -1;
    for (const [s, e] of rs) {
      if (s >= end) { parts['file data'] += e - s; end = e; } else if (e > end) { parts['file data'] += e - end; end = e; }
    }
  }
  const bytes = Object.values(parts).reduce((a, b) => a + b, 0);
  return { bytes, parts, filesRead: ranges.size, dirsListed: listed.size, nodes: nodeKeys.size };
}

export interface TimeFloor { sequentialMs: number; replayMs: number; reads: number; bytes: number }

/** The host reads of one check, replayed against the same files; and their total as one read. */
export function timeFloor(paths: string[], hostReads: [number, number, number][], runs: number): TimeFloor {
  const fds = paths.map((p) => openSync(p, 'r'));
  try {
    const total = hostReads.reduce((a, r) => a + r[2], 0);
    const max = hostReads.reduce((a, r) => Math.max(a, r[2]), 0);
    const buf = Buffer.allocUnsafe(Math.max(total, 1));
    // one sequential read of the same byte count, from where the largest read began (real data, not a hole)
    const big = hostReads.find((r) => r[2] === max) ?? [0, 0, 0];
    const start = Math.max(0, Math.min(big[1], fstatSync(fds[big[0]]).size - total));
    const seq: number[] = [], rep: number[] = [];
    const scratch = Buffer.allocUnsafe(Math.max(max, 1));
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      let done = 0;
      while (done < total) {
        const n = readSync(fds[big[0]], buf, done, total - done, start + done);
        if (n <= 0) break;
        done += n;
      }
      seq.push(performance.now() - t);
      t = performance.now();
      for (const [id, off, n] of hostReads) readSync(fds[id], scratch, 0, n, off);
      rep.push(performance.now() - t);
    }
    return { sequentialMs: +median(seq).toFixed(2), replayMs: +median(rep).toFixed(2), reads: hostReads.length, bytes: total };
  } finally {
    fds.forEach((fd) => closeSync(fd));
  }
}
