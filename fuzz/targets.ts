// SPDX-License-Identifier: Apache-2.0
// One fuzz target per parser, each driving it the way the engine does: disk
// images through openImage → volumes → a bounded walk of the tree (stat,
// readdir, read, readlink) and the guest assembly; hives through the hive
// exports; decoders through the fuzzing build's fuzzDecode; the TypeScript
// parsers through their entry points over an in-memory guest.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { ROOT } from './paths';
import { gunzipSync, deflateRawSync, deflateSync } from 'node:zlib';
import type { FuzzEngine } from './wasm';
import { type Fixup, btrfsFixup, ext4Fixup, gptFixup, hiveLogFixup, lvmFixup, vhdFixup, vhdxFixup, xfsFixup } from './fixups';
import { fakeGuest } from '../test/helpers/fake-guest';
import { parseFstab } from '../src/facts/fstab';
import { parseGrubCfg, parseGrubenv, resolveDefault } from '../src/facts/grub';
import { parseGrubLegacy } from '../src/facts/grub-legacy';
import { parseIfcfg } from '../src/facts/network/ifcfg';
import { parseNetplan } from '../src/facts/network/netplan';
import { YamlError } from '../src/facts/network/yaml';
import { readInterfaces } from '../src/facts/network/ifupdown';
import { parseNetworkd } from '../src/facts/network/networkd';
import { parseNmKeyfile } from '../src/facts/network/nm-keyfile';
import { parseWickedXml } from '../src/facts/network/wicked';
import { readPackages } from '../src/facts/packages';
import { parseCpio, CpioError } from '../src/facts/cpio';
import { readInitramfs } from '../src/facts/initramfs';
import { initDecoders } from '../src/facts/decompress';
import { readPeHeader } from '../src/facts/windows/pe';
import { listTar, TarError } from '../src/engine/tar';
import { locateImage } from '../src/engine/locate';
import { memoryFiles } from '../src/engine/wasm';
import { parseOsRelease } from '../src/facts/os-release';

const FIX = ROOT + 'test/fixtures/';
const SEEDS = ROOT + 'test/fuzz/seeds/';

/** A finding that is not a trap: the engine failed without saying why, or threw something unclear. */
export class OracleError extends Error {}

export interface Target {
  name: string;
  engine: 'wasm' | 'js';
  /** inputs for the mutated file */
  seeds(): Uint8Array[];
  /** fixed extra files after the mutated one (backing files, extents) */
  extra?(): Uint8Array[];
  names?: string[];
  run(input: Uint8Array, e: FuzzEngine | null, extra: Uint8Array[]): void | Promise<void>;
  /** loop iterations allowed per execution before it counts as a hang */
  fuel?: number;
  maxLen?: number;
  dict?: Uint8Array[];
  fixup?: Fixup;
}

const fx = (p: string) => { const b = readFileSync(FIX + p); return new Uint8Array(p.endsWith('.gz') ? gunzipSync(b) : b); };
const seedDir = (d: string) => readdirSync(SEEDS + d).sort().map((f) => new Uint8Array(readFileSync(SEEDS + d + '/' + f)));
const seedText = (f: string) => new Uint8Array(readFileSync(SEEDS + 'text/' + f));
const seedFile = (f: string) => new Uint8Array(readFileSync(SEEDS + f));
const ascii = (...s: string[]) => s.map((x) => new TextEncoder().encode(x));
const text = (b: Uint8Array) => new TextDecoder('utf-8').decode(b);

/** A failure must leave a named error (kind + dotted code). */
function mustExplain(e: FuzzEngine, what: string): void {
  const err = e.lastError();
  if (err === null || !err.code || !err.kind) throw new OracleError(`${what} failed without a named error`);
}

const MAX_ENTRIES = 100;
const MAX_FILE_BYTES = 64 << 10;

/** A bounded walk of volume `vol` (or the guest tree when vol < 0): every kind of call the rules make. */
function walk(e: FuzzEngine, vol: number, entries = MAX_ENTRIES): void {
  const x = e.x;
  let budget = entries;
  const stack: [string, number][] = [['/', 0]];
  while (stack.length > 0 && budget > 0) {
    const [dir, depth] = stack.pop()!;
    const s = x.fsReaddir(vol, dir);
    if (s === '') { mustExplain(e, `readdir ${dir}`); continue; }
    if (s === 'null') continue;
    const list = JSON.parse(s) as { name: string; kind: string }[];
    for (const ent of list) {
      if (--budget <= 0) break;
      const p = (dir === '/' ? '' : dir) + '/' + ent.name;
      const st = x.fsStat(vol, p, false);
      if (st === '') { x.lastErrorJson(); continue; }
      if (ent.kind === 'dir' && depth < 8 && ent.name !== '.' && ent.name !== '..') stack.push([p, depth + 1]);
      else if (ent.kind === 'file') { x.fsRead(vol, p, 0, MAX_FILE_BYTES); x.fsRead(vol, p, 4096 * 3 + 17, 4096); }
      else if (ent.kind === 'symlink') { x.fsReadlink(vol, p); x.fsStat(vol, p, true); }
    }
  }
}

/** openImage, then a few raw reads of the disk and each volume, then walk the volumes and the guest. */
function image(opts: { walk?: boolean; guest?: boolean } = {}) {
  return (input: Uint8Array, e: FuzzEngine | null, extra: Uint8Array[]): void => {
    const x = e!.x;
    void input; void extra;
    const s = x.openImage(1 + extra.length);
    if (s === '') { mustExplain(e!, 'openImage'); return; }
    const img = JSON.parse(s) as { virtualSize: number; volumes: { fs: string; size: number }[] };
    const vs = img.virtualSize;
    for (const off of [0, 512, vs / 2, vs - 4096, vs - 1]) if (off >= 0) x.rawRead(-1, Math.floor(off), 65536);
    const vols = img.volumes.slice(0, 6);
    vols.forEach((v, i) => { x.rawRead(i, 0, 4096); x.rawRead(i, Math.max(0, v.size - 4096), 8192); });
    if (opts.walk !== false) vols.forEach((v, i) => { if (v.fs !== '' && v.fs !== 'swap') walk(e!, i); });
    if (opts.guest) {
      const g = x.mountGuest();
      if (g !== '' && JSON.parse(g).root !== '') walk(e!, -1, opts.walk === false ? MAX_ENTRIES : 40);
    }
  };
}

/** An archive: locate its disk members (zip central directory or tar), then open them as the engine does. */
async function archive(input: Uint8Array, e: FuzzEngine | null): Promise<void> {
  const located = await locateImage(memoryFiles([input]), ['image.zip']);
  if ('error' in located) return; // a named error (code and message)
  await e!.beginHost(located.files, located.names, 50_000_000, 10_000);
  image()(input, e, new Array<Uint8Array>(Math.max(0, located.files.count - 1)));
}

/** Opens the input as a hive with its logs, then asks for keys, the info, and (BCD) the store. */
function hive(bcd: boolean, logFirst = false) {
  return (input: Uint8Array, e: FuzzEngine | null, extra: Uint8Array[]): void => {
    const x = e!.x;
    void input; void extra;
    // logFirst: file 0 (the mutated one) is the log of the hive in file 1
    const h = logFirst ? x.hiveOpenHost(1, 0, -1) : x.hiveOpenHost(0, -1, -1);
    if (h < 0) { mustExplain(e!, 'hiveOpenHost'); return; }
    x.hiveInfoJson(h);
    const visit = (path: string, depth: number, budget: { n: number }) => {
      const s = x.hiveKeyJson(h, path);
      if (s === '' || s === 'null' || depth > 6) return;
      const k = JSON.parse(s) as { subkeys?: { name: string }[] };
      for (const sk of (k.subkeys ?? []).slice(0, 16)) {
        if (--budget.n <= 0) return;
        visit(path === '' ? sk.name : path + '\\' + sk.name, depth + 1, budget);
      }
    };
    visit('', 0, { n: 64 });
    if (bcd) x.bcdJson(h);
    x.hiveClose(h);
  };
}

/** The output capacity varies with the input's length, so the output-overrun paths run too. */
function decoder(kind: number, dst: number) {
  return (input: Uint8Array, e: FuzzEngine | null): void => {
    const cap = [dst, dst >> 2, dst, 1 + (input.length * 7) % dst][input.length & 3];
    e!.x.fuzzDecode(kind, input, cap);
  };
}

/** Only the named error classes of a JS parser are a pass; anything else it throws is a finding. */
function jsOnly(ok: (err: unknown) => boolean, f: (b: Uint8Array) => unknown | Promise<unknown>) {
  return async (input: Uint8Array): Promise<void> => {
    try {
      await f(input);
    } catch (err) {
      if (!ok(err)) throw err;
    }
  };
}
const none = () => false;

// --- hand-made decoder seeds for the codecs no tool here writes ---

/** LZNT1: one compressed chunk (literals and one back-reference), one stored chunk, the end marker. */
function lznt1Seed(): Uint8Array {
  const lit = new TextEncoder().encode('abcdefgh');
  // flags 0x00: 8 literals; flags 0x01: a back-reference (offset 8, length 8) then 7 literals
  const body = [0x00, ...lit, 0x01, 0x00, 0x70, ...lit.subarray(0, 7)];
  const h = 0xb000 | (body.length - 1);
  const stored = new TextEncoder().encode('stored chunk');
  return Uint8Array.from([h & 0xff, h >> 8, ...body, (stored.length - 1) & 0xff, 0x30 | ((stored.length - 1) >> 8), ...stored, 0, 0]);
}

/** XPRESS Huffman: all 256 literals with 8-bit codes (the canonical code of a literal is itself). */
function xpressSeed(): Uint8Array {
  const msg = new TextEncoder().encode('xpress huffman seed, xpress huffman seed');
  const b = new Uint8Array(256 + msg.length + (msg.length & 1) + 4);
  b.fill(0x88, 0, 128);
  for (let i = 0; i + 1 < msg.length; i += 2) { b[256 + i] = msg[i + 1]; b[256 + i + 1] = msg[i]; }
  return b;
}

/** LZX (WIM variant): an uncompressed block of 32768 bytes, then random bytes for the fuzzer. */
function lzxSeed(): Uint8Array {
  const b = new Uint8Array(2 + 2 + 12 + 64);
  // 16-bit words, bits MSB first: block type 3 (3 bits), default-size flag 1, then padding
  b[0] = 0; b[1] = 0x70;
  return b;
}

const vmdkDesc = (file: string) => fx('containers/' + file + '.gz');

export const TARGETS: Target[] = [
  // ---- containers ----
  { name: 'qcow2', engine: 'wasm', seeds: () => [fx('containers/pattern-v2.qcow2.gz'), fx('containers/pattern-v3-4k.qcow2.gz'), fx('containers/pattern-deflate.qcow2.gz'), fx('containers/pattern-zstd.qcow2.gz')],
    run: image({ walk: false }), dict: ascii('QFI\xfb') },
  { name: 'qcow2-chain', engine: 'wasm', seeds: () => [fx('containers/chain-top.qcow2.gz')], extra: () => [fx('containers/chain-mid.qcow2.gz'), fx('containers/chain-base.qcow2.gz')],
    names: ['chain-top.qcow2', 'chain-mid.qcow2', 'chain-base.qcow2'], run: image({ walk: false }) },
  { name: 'vhd', engine: 'wasm', seeds: () => [fx('containers/pattern-dynamic.vhd.gz')], run: image({ walk: false }), fixup: vhdFixup, dict: ascii('conectix', 'cxsparse') },
  { name: 'vhdx', engine: 'wasm', seeds: () => [fx('containers/pattern.vhdx.gz')], run: image({ walk: false }), fixup: vhdxFixup, dict: ascii('vhdxfile', 'head', 'regi', 'loge', 'metadata') },
  { name: 'vmdk-sparse', engine: 'wasm', seeds: () => [fx('containers/pattern-sparse.vmdk.gz')], run: image({ walk: false }), dict: ascii('KDMV', 'createType=') },
  { name: 'vmdk-stream', engine: 'wasm', seeds: () => [fx('containers/pattern-stream.vmdk.gz')], run: image({ walk: false }) },
  { name: 'vmdk-descriptor', engine: 'wasm', seeds: () => [vmdkDesc('pattern-split.vmdk'), vmdkDesc('pattern-mflat.vmdk')],
    extra: () => [fx('containers/pattern-split-s001.vmdk.gz'), fx('containers/pattern-mflat-flat.vmdk.gz')],
    names: ['pattern-split.vmdk', 'pattern-split-s001.vmdk', 'pattern-mflat-flat.vmdk'], run: image({ walk: false }), maxLen: 4096,
    dict: ascii('RW ', 'SPARSE', 'FLAT', 'VMFS', 'ddb.', 'parentFileNameHint=', 'createType="monolithicSparse"', '"\n') },
  { name: 'vdi', engine: 'wasm', seeds: () => [fx('containers/pattern-dynamic.vdi.gz')], run: image({ walk: false }) },
  { name: 'gzip', engine: 'wasm', seeds: () => [new Uint8Array(readFileSync(FIX + 'probe/swap-4k.img.gz')), new Uint8Array(readFileSync(FIX + 'probe/cd.iso.gz'))], run: image({ walk: false }) },
  { name: 'xz', engine: 'wasm', seeds: () => [fx('compressed/mbr-logical-crc32.img.xz'), fx('compressed/mbr-logical-blocks.img.xz')], run: image({ walk: false }) },
  { name: 'zstd-file', engine: 'wasm', seeds: () => seedDir('zstd-file'), run: image({ walk: false }) },
  // ---- partition tables and LVM ----
  { name: 'mbr', engine: 'wasm', seeds: () => [fx('partitions/mbr-logical.img.gz')], run: image({ walk: false }) },
  { name: 'gpt', engine: 'wasm', seeds: () => [fx('partitions/gpt-multi.img.gz'), fx('partitions/gpt-4k.img.gz')], run: image({ walk: false }), fixup: gptFixup, dict: ascii('EFI PART') },
  { name: 'lvm', engine: 'wasm', seeds: () => [fx('lvm/lvm-two-pvs.img.gz')], run: image(), fixup: lvmFixup, dict: ascii('LABELONE', 'LVM2 001', ' = ', '{', '}', '[', ']', 'stripes', 'extent_count') },
  // ---- filesystems ----
  { name: 'ext4', engine: 'wasm', seeds: () => [fx('ext/ext4-1k.img.gz'), fx('ext/ext4-inline.img.gz')], run: image({ guest: true }), fixup: ext4Fixup },
  { name: 'ext2', engine: 'wasm', seeds: () => [fx('ext/ext2-1k.img.gz')], run: image({ guest: true }) },
  { name: 'xfs', engine: 'wasm', seeds: () => [fx('xfs/xfs-v5.img.gz')], run: image(), fixup: xfsFixup },
  { name: 'xfs-v4', engine: 'wasm', seeds: () => [fx('xfs/xfs-v4.img.gz')], run: image() },
  { name: 'btrfs', engine: 'wasm', seeds: () => [fx('btrfs/btrfs-dup.img.gz')], run: image(), fixup: btrfsFixup },
  { name: 'fat', engine: 'wasm', seeds: () => [fx('fat/fat12.img.gz'), fx('fat/fat16.img.gz')], run: image() },
  { name: 'ntfs', engine: 'wasm', seeds: () => [fx('ntfs/basic.img.gz')], run: image(), dict: ascii('FILE', 'INDX', '$MFT') },
  { name: 'symlinks', engine: 'wasm', seeds: () => [fx('vfs/symlinks.img.gz')], run: image({ guest: true }) },
  // a whole guest: partitions, LVM, XFS, the fstab mounts, the guest tree
  { name: 'guest-rhel', engine: 'wasm', seeds: () => [fx('guest/rhel-like.img.gz')], fixup: lvmFixup, run: (i, e, x) => { image({ walk: false, guest: true })(i, e, x); } },
  // ---- registry ----
  { name: 'regf', engine: 'wasm', seeds: () => seedDir('hive'), run: hive(false), dict: ascii('regf', 'hbin', 'nk', 'vk', 'lf', 'lh', 'ri', 'li', 'sk', 'db') },
  { name: 'regf-log', engine: 'wasm', seeds: () => [seedFile('regf-log/SYSTEM.LOG1'), seedFile('regf-log/SYSTEM.LOG-old')], extra: () => [seedFile('regf-log/SYSTEM')],
    run: hive(false, true), fixup: hiveLogFixup, maxLen: 16384, dict: ascii('HvLE', 'DIRT', 'regf') },
  { name: 'bcd', engine: 'wasm', seeds: () => seedDir('bcd'), run: hive(true), dict: ascii('nk', 'vk', 'lf', 'lh', 'Objects', 'Elements') },
  // ---- decoders ----
  { name: 'inflate', engine: 'wasm', seeds: () => [deflateRawSync(seedText('grub.cfg')), deflateRawSync(seedText('dpkg-status'), { level: 1 }), deflateRawSync(new Uint8Array(3000), { strategy: 3 })], run: decoder(0, 65536), maxLen: 8192 },
  { name: 'zlib', engine: 'wasm', seeds: () => [deflateSync(seedText('fstab'))], run: decoder(1, 65536), maxLen: 8192 },
  { name: 'zstd', engine: 'wasm', seeds: () => seedDir('zstd'), run: decoder(2, 65536), maxLen: 8192 },
  { name: 'lznt1', engine: 'wasm', seeds: () => [lznt1Seed()], run: decoder(3, 16384), maxLen: 8192 },
  { name: 'xpress', engine: 'wasm', seeds: () => [xpressSeed()], run: decoder(4, 8192), maxLen: 8192 },
  { name: 'lzx', engine: 'wasm', seeds: () => [lzxSeed()], run: decoder(5, 32768), maxLen: 8192 },
  { name: 'lzo', engine: 'wasm', seeds: () => seedDir('lzo'), run: decoder(6, 8192), maxLen: 8192 },
  { name: 'lzma2', engine: 'wasm', seeds: () => seedDir('lzma2'), run: decoder(7, 16384), maxLen: 8192 },
  // ---- TypeScript parsers ----
  { name: 'fstab', engine: 'js', seeds: () => [seedText('fstab')], run: jsOnly(none, (b) => parseFstab(text(b))), maxLen: 4096 },
  { name: 'grub-cfg', engine: 'js', seeds: () => [seedText('grub.cfg')], maxLen: 8192,
    run: jsOnly(none, (b) => { const c = parseGrubCfg(text(b)); resolveDefault(c, '0'); resolveDefault(c, 'gnulinux-advanced-4f2b>gnulinux-6.1.0-17-amd64-advanced-4f2b'); }) },
  { name: 'grubenv', engine: 'js', seeds: () => [seedText('grubenv')], run: jsOnly(none, (b) => parseGrubenv(text(b))), maxLen: 4096 },
  { name: 'grub-legacy', engine: 'js', seeds: () => [seedText('menu.lst')], run: jsOnly(none, (b) => parseGrubLegacy(text(b))), maxLen: 4096 },
  { name: 'ifcfg', engine: 'js', seeds: () => [seedText('ifcfg-eth0')], run: jsOnly(none, (b) => { parseIfcfg('/etc/sysconfig/network-scripts/ifcfg-eth0', text(b), false); parseIfcfg('/etc/sysconfig/network/ifcfg-eth0', text(b), true); }), maxLen: 4096 },
  { name: 'netplan', engine: 'js', seeds: () => [seedText('netplan.yaml')], run: jsOnly((err) => err instanceof YamlError, (b) => parseNetplan('/etc/netplan/50-cloud-init.yaml', text(b))), maxLen: 4096 },
  { name: 'ifupdown', engine: 'js', seeds: () => [seedText('interfaces')], run: jsOnly(none, (b) => readInterfaces(fakeGuest({ '/etc/network/interfaces': text(b), '/etc/network/interfaces.d/eth1': 'auto eth1\niface eth1 inet dhcp\n' }))), maxLen: 4096 },
  { name: 'networkd', engine: 'js', seeds: () => [seedText('eth0.network')], run: jsOnly(none, (b) => parseNetworkd('/etc/systemd/network/10-eth0.network', text(b))), maxLen: 4096 },
  { name: 'nm-keyfile', engine: 'js', seeds: () => [seedText('eth0.nmconnection')], run: jsOnly(none, (b) => parseNmKeyfile('/etc/NetworkManager/system-connections/eth0.nmconnection', text(b))), maxLen: 4096 },
  { name: 'wicked', engine: 'js', seeds: () => [seedText('ifcfg-eth0.xml')], run: jsOnly(none, (b) => parseWickedXml('/etc/wicked/ifconfig/eth0.xml', text(b))), maxLen: 4096 },
  { name: 'os-release', engine: 'js', seeds: () => [seedText('os-release')], run: jsOnly(none, (b) => parseOsRelease(text(b))), maxLen: 4096 },
  { name: 'dpkg', engine: 'js', seeds: () => [seedText('dpkg-status')], run: jsOnly(none, (b) => readPackages(fakeGuest({ '/var/lib/dpkg/status': text(b) }))), maxLen: 8192 },
  { name: 'rpm-sqlite', engine: 'js', seeds: () => [fx('rpmdb/rpmdb.sqlite.gz')], run: jsOnly(none, (b) => readPackages(fakeGuest({ '/var/lib/rpm/rpmdb.sqlite': b }))) },
  { name: 'rpm-bdb', engine: 'js', seeds: () => [fx('rpmdb/Packages.gz')], run: jsOnly(none, (b) => readPackages(fakeGuest({ '/var/lib/rpm/Packages': b }))) },
  { name: 'cpio', engine: 'js', seeds: () => [seedDir('cpio')[1]], run: jsOnly((err) => err instanceof CpioError, (b) => parseCpio(b)), maxLen: 8192, dict: ascii('070701', '070702', 'TRAILER!!!') },
  { name: 'initramfs', engine: 'js', seeds: () => seedDir('cpio'), run: jsOnly(none, async (b) => { await initDecoders(); await readInitramfs(b, '/boot/initrd.img'); }), maxLen: 8192, dict: ascii('070701', 'TRAILER!!!', '\x1f\x8b', '\x28\xb5\x2f\xfd', '\xfd7zXZ') },
  { name: 'pe', engine: 'js', seeds: () => seedDir('pe'), run: jsOnly(none, (b) => readPeHeader(b)), maxLen: 4096, dict: ascii('MZ', 'PE\0\0') },
  { name: 'tar', engine: 'js', seeds: () => seedDir('tar'), run: jsOnly((err) => err instanceof TarError, (b) => listTar((o, l) => b.subarray(o, o + l), b.length)), maxLen: 16384, dict: ascii('ustar', 'ustar\x0000', '././@LongLink') },
  { name: 'zip', engine: 'wasm', seeds: () => ['mbr-logical.zip', 'mbr-logical-zip64.zip', 'mbr-logical.ova'].map((f) => new Uint8Array(readFileSync(FIX + 'compressed/' + f))),
    run: archive, dict: ascii('PK\x03\x04', 'PK\x01\x02', 'PK\x05\x06', 'PK\x06\x06', 'PK\x06\x07', 'ustar') },
  { name: 'locate', engine: 'js', seeds: () => [new Uint8Array(readFileSync(FIX + 'compressed/mbr-logical.zip')), new Uint8Array(readFileSync(FIX + 'compressed/mbr-logical.ova'))],
    run: jsOnly(none, async (b) => { await locateImage(memoryFiles([b]), ['image.zip']); }), dict: ascii('PK\x03\x04', 'PK\x01\x02', 'PK\x05\x06', 'PK\x06\x06', 'ustar') },
];

export function targetByName(name: string): Target | undefined { return TARGETS.find((t) => t.name === name); }
export const fixturesPresent = () => existsSync(FIX + 'ext/ext4-1k.img.gz');
