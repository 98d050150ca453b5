// SPDX-License-Identifier: Apache-2.0
// Assembles the guest: finds the root filesystem among the volumes, then
// mounts what the guest's own /etc/fstab names, so /boot and /boot/efi
// resolve as they will on the running instance.

import { Disk, Volume } from "./disk";
import { Vfs, Mount } from "./vfs";
import { FstabEntry, parseFstab } from "./fstab";
import { FileKind, FileSystem } from "../fs/filesystem";
import { BtrfsFileSystem } from "../fs/btrfs/btrfs";
import { clearError, lastError } from "../util/error";

export class MountRecord {
  constructor(
    public line: i32,
    public spec: string,
    public path: string,
    public vfstype: string,
    public options: string,
    /** "mounted" | "root" | "unresolved" | "no-reader" | "skipped" | "failed" */
    public status: string,
    /** volume index or -1 */
    public volume: i32,
    public detail: string,
  ) {}
}

export class Guest {
  vfs: Vfs = new Vfs();
  root: Volume | null = null;
  /** "Linux" | "Windows" | "" */
  platform: string = "";
  mounts: MountRecord[] = [];
  rootReason: string = "";
  constructor(public disk: Disk) {}
}

const MAX_TEXT: i32 = 1 << 20;

/** Reads a small text file of one filesystem, or null. */
export function readText(vfs: Vfs, path: string): string | null {
  const loc = vfs.resolve(path, true);
  if (loc === null) return null;
  const st = loc.mount.fs.stat(loc.node);
  if (st === null || st.kind != FileKind.File) return null;
  const n = <i32>min(st.size, <u64>MAX_TEXT);
  const buf = new Uint8Array(n);
  const got = loc.mount.fs.read(loc.node, 0, n, buf.dataStart);
  if (got < 0) return null;
  return String.UTF8.decodeUnsafe(buf.dataStart, <usize>got, false);
}

function singleVfs(v: Volume, node: u64): Vfs {
  const vfs = new Vfs();
  const fs = v.probe.fs!;
  vfs.mount(new Mount("/", fs, node, v.index));
  return vfs;
}

/** Read errors met while looking for the root: when none is found, they say why a volume was not it. */
let probeErrors: string[] = [];

function exists(vfs: Vfs, path: string): bool {
  const r = vfs.resolve(path, true) !== null;
  const e = lastError();
  if (!r && e !== null && probeErrors.length < 8) probeErrors.push(path + ": " + e.message + " (" + e.code + ")");
  clearError();
  return r;
}

/** Scores how much the tree at `node` of a volume looks like a Linux root; 0 = not one. */
function linuxRootScore(v: Volume, node: u64): i32 {
  if (v.probe.fs === null) return 0;
  const vfs = singleVfs(v, node);
  if (!exists(vfs, "/etc")) return 0;
  let score = 1;
  // /bin may be a symlink to usr/bin whose target lives on a separate /usr: count either
  if (exists(vfs, "/bin") || exists(vfs, "/usr/bin")) score += 1;
  if (exists(vfs, "/etc/os-release") || exists(vfs, "/usr/lib/os-release") || exists(vfs, "/etc/redhat-release") ||
      exists(vfs, "/etc/debian_version") || exists(vfs, "/etc/SuSE-release") || exists(vfs, "/etc/alpine-release")) score += 2;
  if (exists(vfs, "/etc/fstab")) score += 1;
  if (exists(vfs, "/sbin/init") || exists(vfs, "/usr/lib/systemd/systemd") || exists(vfs, "/lib/systemd/systemd")) score += 1;
  return score >= 3 ? score : 0;
}

/** A Windows volume holds the registry hives (names compare case-insensitively on NTFS). */
function isWindowsRoot(v: Volume): bool {
  if (v.probe.fs === null || v.probe.type != "ntfs") return false;
  const vfs = singleVfs(v, v.probe.fs!.rootNode);
  return exists(vfs, "/Windows/System32/config/SYSTEM") && exists(vfs, "/Windows/System32/config/SOFTWARE");
}

function lower(s: string): string { return s.toLowerCase(); }

/** The volume an fstab spec names, or null. */
export function findVolume(disk: Disk, spec: string): Volume | null {
  let key = "", value = "";
  if (spec.startsWith("UUID=")) { key = "uuid"; value = spec.substring(5); }
  else if (spec.startsWith("LABEL=")) { key = "label"; value = spec.substring(6); }
  else if (spec.startsWith("PARTUUID=")) { key = "partuuid"; value = spec.substring(9); }
  else if (spec.startsWith("PARTLABEL=")) { key = "partlabel"; value = spec.substring(10); }
  else if (spec.startsWith("/dev/disk/by-uuid/")) { key = "uuid"; value = spec.substring(18); }
  else if (spec.startsWith("/dev/disk/by-label/")) { key = "label"; value = spec.substring(19); }
  else if (spec.startsWith("/dev/disk/by-partuuid/")) { key = "partuuid"; value = spec.substring(22); }
  else if (spec.startsWith("/dev/disk/by-partlabel/")) { key = "partlabel"; value = spec.substring(23); }
  else if (spec.startsWith("/dev/mapper/") || spec.startsWith("/dev/")) {
    // LVM2 logical volumes by their device-mapper or /dev/VG/LV name
    for (let i = 0; i < disk.volumes.length; i++) {
      const lv = disk.volumes[i].lv;
      if (lv !== null && (spec == lv.mapperPath || spec == lv.vgPath)) return disk.volumes[i];
    }
    if (spec.startsWith("/dev/mapper/")) return null;
  }
  if (key.length == 0) {
    const n = devicePartitionNumber(spec);
    if (n < 0) return null;
    for (let i = 0; i < disk.volumes.length; i++) {
      const v = disk.volumes[i];
      if (n == 0 && v.part === null) return v;
      const p = v.part;
      if (p !== null && p.number == n) return v;
    }
    return null;
  }
  if (value.startsWith("\"") && value.endsWith("\"") && value.length >= 2) value = value.substring(1, value.length - 1);
  for (let i = 0; i < disk.volumes.length; i++) {
    const v = disk.volumes[i];
    const p = v.part;
    if (key == "uuid" && v.probe.uuid.length > 0 && lower(v.probe.uuid) == lower(value)) return v;
    if (key == "label" && v.probe.label.length > 0 && v.probe.label == value) return v;
    if (key == "partuuid" && p !== null && p.partuuid.length > 0 && lower(p.partuuid) == lower(value)) return v;
    if (key == "partlabel" && p !== null && p.partlabel.length > 0 && p.partlabel == value) return v;
  }
  return null;
}

/**
 * The partition number a kernel device name means on a one-disk guest:
 * /dev/sda1, vda1, hda1, xvda1 → 1; /dev/nvme0n1p2, mmcblk0p2 → 2; a bare
 * /dev/sda → 0; anything else (a second disk, /dev/mapper) → -1.
 */
export function devicePartitionNumber(spec: string): i32 {
  if (!spec.startsWith("/dev/")) return -1;
  const name = spec.substring(5);
  let rest = "";
  if (name.startsWith("sda") || name.startsWith("vda") || name.startsWith("hda")) rest = name.substring(3);
  else if (name.startsWith("xvda")) rest = name.substring(4);
  else if (name.startsWith("nvme0n1")) { rest = name.substring(7); if (rest.startsWith("p")) rest = rest.substring(1); else if (rest.length > 0) return -1; }
  else if (name.startsWith("mmcblk0")) { rest = name.substring(7); if (rest.startsWith("p")) rest = rest.substring(1); else if (rest.length > 0) return -1; }
  else return -1;
  if (rest.length == 0) return 0;
  let n = 0;
  for (let i = 0; i < rest.length; i++) {
    const d = rest.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9 || i > 3) return -1;
    n = n * 10 + d;
  }
  return n;
}

const SKIP_TYPES = ["swap", "proc", "sysfs", "tmpfs", "devpts", "devtmpfs", "nfs", "nfs4", "cifs", "smbfs", "none", "bind", "efivarfs", "debugfs", "securityfs", "cgroup", "cgroup2", "hugetlbfs", "mqueue", "fuse", "sshfs", "glusterfs", "ceph", "9p", "virtiofs", "overlay", "squashfs", "iso9660", "udf"];

function normalise(path: string): string {
  const parts = path.split("/");
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.length == 0 || p == ".") continue;
    if (p == "..") { if (out.length > 0) out.pop(); continue; }
    out.push(p);
  }
  return "/" + out.join("/");
}

export function assembleGuest(disk: Disk): Guest {
  const g = new Guest(disk);
  let best: Volume | null = null;
  let bestScore = 0;
  let bestNode: u64 = 0;
  const unreadable: string[] = [];
  for (let i = 0; i < disk.volumes.length; i++) {
    const v = disk.volumes[i];
    const fs = v.probe.fs;
    if (fs === null) continue;
    let node = fs.rootNode;
    probeErrors = [];
    let s = linuxRootScore(v, node);
    if (s == 0 && probeErrors.length > 0) unreadable.push("volume " + v.id + " (" + v.probe.type + ") could not be read: " + probeErrors.join("; "));
    if (s == 0 && fs instanceof BtrfsFileSystem) {
      // Btrfs: the root may be a subvolume other than the default one (Fedora's "root")
      node = subvolumeRoot(v, changetype<BtrfsFileSystem>(fs));
      if (node != 0) s = linuxRootScore(v, node);
    }
    if (s > bestScore) { best = v; bestScore = s; bestNode = node; }
  }
  if (best === null) {
    for (let i = 0; i < disk.volumes.length; i++) {
      const v = disk.volumes[i];
      if (!isWindowsRoot(v)) continue;
      g.root = v;
      g.platform = "Windows";
      const fs = v.probe.fs!;
      g.vfs.mount(new Mount("/", fs, fs.rootNode, v.index));
      v.mountedAt = "/";
      g.rootReason = "volume " + v.id + " holds Windows/System32/config/SYSTEM and SOFTWARE";
      return g;
    }
    g.rootReason = noRootReason(disk);
    if (unreadable.length > 0) g.rootReason += "; " + unreadable.join("; ");
    return g;
  }
  g.root = best;
  g.platform = "Linux";
  const rootFs = best.probe.fs!;
  g.vfs.mount(new Mount("/", rootFs, bestNode, best.index));
  best.mountedAt = "/";
  g.rootReason = "volume " + best.id + " holds /etc, /bin or /usr/bin and a release file";
  if (rootFs instanceof BtrfsFileSystem) {
    const sub = changetype<BtrfsFileSystem>(rootFs);
    g.rootReason += " (Btrfs subvolume " + subvolumeName(sub, bestNode) + (bestNode == sub.rootNode ? ", the default" : "") + ")";
  }

  const fstab = readText(g.vfs, "/etc/fstab");
  clearError();
  if (fstab === null) return g;
  const entries = parseFstab(fstab);
  // Parents before children: /boot before /boot/efi, whatever order the file uses.
  const order: FstabEntry[] = [];
  for (let i = 0; i < entries.length; i++) order.push(entries[i]);
  order.sort((a: FstabEntry, b: FstabEntry): i32 => normalise(a.file).length - normalise(b.file).length);
  for (let i = 0; i < order.length; i++) {
    const e = order[i];
    const path = normalise(e.file);
    if (!e.file.startsWith("/")) {
      g.mounts.push(new MountRecord(e.line, e.spec, e.file, e.vfstype, e.options, "skipped", -1, "not a mount point (swap or pseudo)"));
      continue;
    }
    if (SKIP_TYPES.includes(e.vfstype) || e.option("bind") !== null) {
      g.mounts.push(new MountRecord(e.line, e.spec, path, e.vfstype, e.options, "skipped", -1, e.vfstype + " is not a filesystem of this disk"));
      continue;
    }
    const v = findVolume(disk, e.spec);
    if (path == "/") {
      const same = v !== null && v.index == best.index;
      if (same && g.mounts.length == 0 && (e.option("subvol") !== null || e.option("subvolid") !== null)) {
        // the guest mounts / from a named subvolume: use that one, as the kernel will
        const node = mountNode(rootFs, e);
        if (node <= 0) {
          g.mounts.push(new MountRecord(e.line, e.spec, path, e.vfstype, e.options, "failed", best.index, errorText("the subvolume it names cannot be found")));
          clearError();
          continue;
        }
        if (<u64>node != bestNode) {
          g.vfs.remount("/", new Mount("/", rootFs, <u64>node, best.index));
          bestNode = <u64>node;
        }
      }
      g.mounts.push(new MountRecord(e.line, e.spec, path, e.vfstype, e.options, same ? "root" : (v === null ? "unresolved" : "failed"), v !== null ? v.index : -1,
        same ? "" : (v === null ? "no volume of this image matches " + e.spec : e.spec + " names volume " + v.id + ", but the root found is " + best.id)));
      continue;
    }
    if (v === null) {
      g.mounts.push(new MountRecord(e.line, e.spec, path, e.vfstype, e.options, "unresolved", -1, "no volume of this image matches " + e.spec));
      continue;
    }
    const fs = v.probe.fs;
    if (fs === null) {
      g.mounts.push(new MountRecord(e.line, e.spec, path, e.vfstype, e.options, "no-reader", v.index,
        "volume " + v.id + " holds " + (v.probe.type.length > 0 ? v.probe.type : "an unknown filesystem") + (v.probe.error.length > 0 ? " (" + v.probe.error + ")" : "")));
      continue;
    }
    if (g.vfs.isMountPoint(path)) {
      g.mounts.push(new MountRecord(e.line, e.spec, path, e.vfstype, e.options, "skipped", v.index, "a filesystem is already mounted at " + path));
      continue;
    }
    const node = mountNode(fs, e);
    if (node <= 0) {
      g.mounts.push(new MountRecord(e.line, e.spec, path, e.vfstype, e.options, "failed", v.index, errorText("the subvolume it names cannot be found")));
      clearError();
      continue;
    }
    g.vfs.mount(new Mount(path, fs, <u64>node, v.index));
    if (v.mountedAt.length == 0) v.mountedAt = path;
    g.mounts.push(new MountRecord(e.line, e.spec, path, e.vfstype, e.options, "mounted", v.index, ""));
  }
  clearError();
  return g;
}

// ---- Btrfs subvolumes and encrypted volumes ----------------------------------

function errorText(fallback: string): string {
  const e = lastError();
  return e !== null ? e.message : fallback;
}

/** The node an fstab entry mounts: a Btrfs subvol=/subvolid= option picks a subvolume; 0 / -1 when absent. */
function mountNode(fs: FileSystem, e: FstabEntry): i64 {
  if (!(fs instanceof BtrfsFileSystem)) return <i64>fs.rootNode;
  const b = changetype<BtrfsFileSystem>(fs);
  const id = e.option("subvolid");
  if (id !== null && id.length > 0) {
    const n = I64.parseInt(id, 10);
    if (n <= 0) return -1;
    return b.subvolumeById(<u64>n);
  }
  const sv = e.option("subvol");
  if (sv !== null && sv.length > 0) return b.subvolumeByPath(sv);
  return <i64>b.rootNode;
}

/** The first subvolume whose tree looks like a Linux root, or 0. */
function subvolumeRoot(v: Volume, fs: BtrfsFileSystem): u64 {
  const subs = fs.subvolumes();
  clearError();
  if (subs === null) return 0;
  for (let i = 0; i < subs.length && i < 64; i++) {
    const n = fs.subvolumeById(subs[i].id);
    clearError();
    if (n > 0 && linuxRootScore(v, <u64>n) > 0) return <u64>n;
  }
  return 0;
}

function subvolumeName(fs: BtrfsFileSystem, node: u64): string {
  const id = node >> 40;
  const subs = fs.subvolumes();
  clearError();
  if (subs !== null) for (let i = 0; i < subs.length; i++) if (subs[i].id == id) return subs[i].path + " (id " + id.toString() + ")";
  return "id " + id.toString();
}

/** Why no root was found; an encrypted volume is named, since its files cannot be read at all. */
function noRootReason(disk: Disk): string {
  for (let i = 0; i < disk.volumes.length; i++) {
    const v = disk.volumes[i];
    if (v.probe.type == "crypto_LUKS") {
      return "volume " + v.id + " is encrypted (LUKS, UUID " + v.probe.uuid + "): its files cannot be inspected without the passphrase, " +
        "so the checks that read the guest's files cannot run; an image whose root is encrypted also cannot boot unattended " +
        "on a cloud instance unless it unlocks itself (e.g. a TPM or network-bound key)";
    }
  }
  return "no volume holds a Linux root filesystem (/etc with /bin or /usr/bin and a release file)";
}
