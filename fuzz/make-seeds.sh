#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Makes the fuzz seeds that no committed fixture holds as such (decoder
# streams, a registry hive and a BCD store, cpio/tar archives, a PE header)
# with the real tools; the outputs are small and committed in
# test/fuzz/seeds/. Disk-image targets read test/fixtures/ directly.
# Needs: zstd xz lzop cpio tar gzip hivexsh python3.
set -euo pipefail
cd "$(dirname "$0")/.."
out=test/fuzz/seeds
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p $out/{zstd,lzma2,lzo,hive,bcd,cpio,tar,pe}
# decoder input: the first 6 KiB of the fstab/grub seed texts plus some binary bytes
{ cat test/fuzz/seeds/text/*; head -c 2048 /usr/bin/cpio; } > "$work/plain"
zstd -q -19 -c "$work/plain" > $out/zstd/text.zst
zstd -q -1 --no-check -c "$work/plain" > $out/zstd/fast.zst
head -c 300 "$work/plain" | zstd -q -c > $out/zstd/small.zst
# LZMA2: the property byte of the xz filter, then the block's LZMA2 data
xz -q --format=raw --lzma2=dict=64KiB -c "$work/plain" > "$work/l2"
{ printf '\x08'; cat "$work/l2"; } > $out/lzma2/text.lzma2
head -c 500 "$work/plain" | xz -q --format=raw --lzma2=preset=0,dict=4KiB -c > "$work/l2s"
{ printf '\x00'; cat "$work/l2s"; } > $out/lzma2/small.lzma2
# LZO1X: lzop's first block, without its header and block header
python3 - "$work/plain" $out/lzo <<'PY'
import subprocess, struct, sys
src, dst = sys.argv[1], sys.argv[2]
data = open(src, 'rb').read()[:4096]
lz = subprocess.run(['lzop', '-c', '-F', '--no-name'], input=data, capture_output=True, check=True).stdout
# header: magic(9) version(2) libversion(2) needed(2) method(1) level(1) flags(4) mode(4) mtime(8) name len(1)+name, header crc(4)
p = 9 + 2 + 2 + 2 + 1 + 1
flags = struct.unpack('>I', lz[p:p + 4])[0]; p += 4 + 4 + 8
p += 1 + lz[p] + 4
ulen, clen = struct.unpack('>II', lz[p:p + 8]); p += 8
if flags & 1: p += 4  # adler32 of the uncompressed data (F_ADLER32_D)
if flags & 0x100 and clen < ulen: p += 4
open(dst + '/text.lzo', 'wb').write(lz[p:p + clen])
PY
# a registry hive: a base block, one hbin with a root key and a security cell, keys added by hivexsh
python3 - "$work/base" <<'PY'
import struct, sys
hb = bytearray(4096)
hb[0:4] = b'hbin'; struct.pack_into('<II', hb, 4, 0, 4096)
sd = struct.pack('<BBHIIII', 1, 0, 0x8004, 0, 0, 0, 0)
nk_off, sk_off = 0x20, 0x20 + 0x60
name = b'ROOT'
nk = struct.pack('<i2sHQIIIIIIIIIIIIIIIHH', -0x60, b'nk', 0x2c, 0, 0, 0xffffffff, 0, 0, 0xffffffff, 0xffffffff, 0, 0xffffffff,
                 sk_off, 0xffffffff, 0, 0, 0, 0, 0, len(name), 0) + name
hb[nk_off:nk_off + len(nk)] = nk
sk = struct.pack('<i2sHIIII', -((0x18 + len(sd) + 7) & ~7), b'sk', 0, sk_off, sk_off, 1, len(sd)) + sd
hb[sk_off:sk_off + len(sk)] = sk
free_off = sk_off + ((len(sk) + 7) & ~7)
struct.pack_into('<i', hb, free_off, 4096 - free_off)
base = bytearray(4096)
struct.pack_into('<4sIIQIIIIIII', base, 0, b'regf', 1, 1, 0, 1, 5, 0, 1, nk_off, 4096, 1)
x = 0
for i in range(0, 508, 4): x ^= struct.unpack_from('<I', base, i)[0]
struct.pack_into('<I', base, 508, x if x not in (0, 0xffffffff) else 1)
open(sys.argv[1], 'wb').write(bytes(base + hb))
PY
cp "$work/base" $out/hive/plain.hive; chmod u+w $out/hive/plain.hive
hivexsh -w $out/hive/plain.hive <<'HX'
add Software
cd Software
add Vendor
cd Vendor
setval 4
Name
string:guestcheck fuzz seed
Count
dword:0x2a
Big
hex:3:00,01,02,03,04,05,06,07,08,09,0a,0b,0c,0d,0e,0f,10,11,12,13,14,15,16,17,18,19,1a,1b,1c,1d,1e,1f
Paths
hex:7:41,00,00,00,42,00,00,00,00,00
cd \
add System
cd System
add Select
cd Select
setval 1
Current
dword:1
commit
HX
cp "$work/base" $out/bcd/store.hive; chmod u+w $out/bcd/store.hive
dev=$(python3 -c 'import struct,uuid; d=struct.pack("<IIII",6,0,0x48,0)+uuid.UUID("8e0f2c38-e4ea-47ba-b7fc-9d8c74dccf0b").bytes_le+struct.pack("<II",0,0)+uuid.UUID("0b2394a9-095e-487d-8d48-719ecd4d78ca").bytes_le+bytes(0x48-0x38); print("hex:3:"+",".join("%02x"%x for x in bytes(16)+d))')
hivexsh -w $out/bcd/store.hive <<HX
add Description
cd Description
setval 1
KeyName
string:BCD00000000
cd \\
add Objects
cd Objects
add {9dea862c-5cdd-4e70-acc1-f32b344d4795}
cd {9dea862c-5cdd-4e70-acc1-f32b344d4795}
add Description
cd Description
setval 1
Type
dword:0x10100002
cd ..
add Elements
cd Elements
add 12000004
cd 12000004
setval 1
Element
string:Windows Boot Manager
cd ..
add 23000003
cd 23000003
setval 1
Element
string:{733b62e5-f608-11eb-825c-c112f60133ab}
cd \\Objects
add {733b62e5-f608-11eb-825c-c112f60133ab}
cd {733b62e5-f608-11eb-825c-c112f60133ab}
add Description
cd Description
setval 1
Type
dword:0x10200003
cd ..
add Elements
cd Elements
add 11000001
cd 11000001
setval 1
Element
$dev
cd ..
add 12000002
cd 12000002
setval 1
Element
string:\\Windows\\system32\\winload.efi
cd ..
add 21000001
cd 21000001
setval 1
Element
$dev
commit
HX
# cpio (newc) and a gzip-compressed initramfs-like archive; a tar
mkdir -p "$work/tree/usr/lib/modules/6.1.0/kernel/drivers/block" "$work/tree/etc"
printf 'virtio_blk\n' > "$work/tree/etc/modules"
printf 'x' > "$work/tree/usr/lib/modules/6.1.0/kernel/drivers/block/virtio_blk.ko"
ln -s usr/lib "$work/tree/lib"
(cd "$work/tree" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > $out/cpio/newc.cpio
gzip -9 -n -c $out/cpio/newc.cpio > $out/cpio/initrd.gz
(cd "$work/tree" && tar --format=ustar --owner=0 --group=0 --mtime=@0 -cf - etc lib) > $out/tar/ustar.tar
# a minimal AMD64 PE32+ header
python3 - $out/pe/amd64.exe <<'PY'
import struct, sys
b = bytearray(1024)
b[0:2] = b'MZ'; struct.pack_into('<I', b, 0x3c, 0x80)
struct.pack_into('<4sHHIIIHH', b, 0x80, b'PE\0\0', 0x8664, 1, 0, 0, 0, 240, 0x22)
o = 0x98
struct.pack_into('<HBBIIIIIQIIHHHHHHIIIIHHQQQQII', b, o, 0x20b, 14, 0, 0x200, 0, 0, 0x1000, 0x1000, 0x140000000, 0x1000, 0x200,
                 6, 0, 0, 0, 6, 0, 0, 0x2000, 0x200, 0, 2, 0x8160, 0x100000, 0x1000, 0x100000, 0x1000, 0, 16)
s = o + 240
struct.pack_into('<8sIIIIIIHHI', b, s, b'.text', 0x100, 0x1000, 0x200, 0x200, 0, 0, 0, 0, 0x60000020)
open(sys.argv[1], 'wb').write(b)
PY
ls -la $out/*
# a zstd-compressed disk image (the engine opens .zst files in place)
mkdir -p $out/zstd-file
gzip -dc test/fixtures/probe/swap-4k.img.gz | zstd -q -19 -c > $out/zstd-file/swap-4k.img.zst
# a dirty hive and its transaction logs: a new-format LOG1 (one HvLE entry
# rewriting the first hive-bins page) and an old-format one (DIRT bitmap)
mkdir -p $out/regf-log
python3 - $out/hive/plain.hive $out/regf-log <<'PY'
import struct, sys
hive = bytearray(open(sys.argv[1], 'rb').read())
out = sys.argv[2]
def xsum(b):
    x = 0
    for i in range(0, 508, 4): x ^= struct.unpack_from('<I', b, i)[0]
    return x if x not in (0, 0xffffffff) else 1
def marvin(data, seed=0x82ef4d887a4e55c5):
    M = 0xffffffff
    rotl = lambda x, n: ((x << n) | (x >> (32 - n))) & M
    a, b = seed & M, seed >> 32
    def mix(a, b):
        b ^= a; a = rotl(a, 20); a = (a + b) & M; b = rotl(b, 9); b ^= a; a = rotl(a, 27); a = (a + b) & M; b = rotl(b, 19)
        return a, b
    i = 0
    while i + 4 <= len(data):
        a = (a + struct.unpack_from('<I', data, i)[0]) & M; a, b = mix(a, b); i += 4
    last = 0x80
    for k in range(len(data) - i - 1, -1, -1): last = ((last << 8) | data[i + k]) & M
    a = (a + last) & M
    for _ in range(2): a, b = mix(a, b)
    return (b << 32) | a
# the primary: dirty (sequence numbers 5 and 4)
struct.pack_into('<II', hive, 4, 5, 4)
struct.pack_into('<I', hive, 508, xsum(hive))
open(out + '/SYSTEM', 'wb').write(hive)
bins = struct.unpack_from('<I', hive, 40)[0]
page = bytearray(hive[4096:8192])
# the log's base block: file type 6, sequence numbers 5/5
lb = bytearray(hive[:512]); struct.pack_into('<II', lb, 4, 5, 5); struct.pack_into('<I', lb, 28, 6); struct.pack_into('<I', lb, 508, xsum(lb))
body = struct.pack('<II', 0, 4096) + page
size = (40 + len(body) + 511) & ~511
ent = bytearray(size)
ent[0:4] = b'HvLE'; struct.pack_into('<IIIII', ent, 4, size, 0, 4, bins, 1)
ent[40:40 + len(body)] = body
struct.pack_into('<Q', ent, 24, marvin(bytes(ent[40:size])))
struct.pack_into('<Q', ent, 32, marvin(bytes(ent[0:32])))
open(out + '/SYSTEM.LOG1', 'wb').write(bytes(lb) + bytes(ent))
# old format: file type 1, "DIRT", a bitmap with the first 512-byte page of the bins dirty
ob = bytearray(hive[:512]); struct.pack_into('<II', ob, 4, 5, 5); struct.pack_into('<I', ob, 28, 1); struct.pack_into('<I', ob, 508, xsum(ob))
bitmap = bytearray((bins // 512 + 7) // 8); bitmap[0] = 1
dirt = bytearray(b'DIRT' + bitmap); dirt += bytes((-len(dirt)) % 512)
open(out + '/SYSTEM.LOG-old', 'wb').write(bytes(ob) + bytes(dirt) + bytes(hive[4096:4608]))
PY
