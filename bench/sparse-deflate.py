# SPDX-License-Identifier: Apache-2.0
# sparse-deflate.py SRC OUT: OUT.gz (gzip) or OUT.zip (deflate, level 6, zip64)
# of a sparse raw image, in a minute instead of hours.
#
# Why not gzip/zip themselves: they compress every zero of the holes, ~20 MB/s
# on the shared 2-core machine, so a 200 GiB image takes about 3 h each. This
# writes the same kind of stream with the same library (zlib, level 6, 32 KiB
# window) the way pigz --independent does: the image is cut into 16 MiB
# windows; a window that is all hole (SEEK_DATA) is emitted as one deflate
# segment of 16 MiB of zeros, compressed once and repeated, each segment
# ending in a full flush (an empty stored block) so that no match reaches
# back across it; windows holding data go through one zlib stream, fully
# flushed before each hole. Readers see one ordinary deflate stream with the
# CRC-32 and size of the whole image: gzip -dc, unzip -p and 7zz read it.
import os, sys, time, zlib

WINDOW = 16 << 20
POLY = 0xEDB88320


def gf2_times(mat, vec):
    out, i = 0, 0
    while vec:
        if vec & 1:
            out ^= mat[i]
        vec >>= 1
        i += 1
    return out


def gf2_square(mat):
    return [gf2_times(mat, mat[i]) for i in range(32)]


def zeros_operator(n):
    """The linear map that appending n zero bytes applies to a CRC-32 register
    (zlib's crc32_combine core: crc(A+B) = op_len(B)(crc(A)) ^ crc(B))."""
    one_bit = [POLY] + [1 << i for i in range(31)]
    op = gf2_square(gf2_square(gf2_square(one_bit)))  # one zero byte
    result = None
    while n:
        if n & 1:
            result = op if result is None else [gf2_times(op, c) for c in result]
        n >>= 1
        if n:
            op = gf2_square(op)
    return result if result is not None else [1 << i for i in range(32)]


def deflate_image(src, raw_out):
    """Writes the raw deflate stream of src to raw_out; returns (crc, size, compressed)."""
    fi = os.open(src, os.O_RDONLY)
    size = os.fstat(fi).st_size
    zero_seg = zlib.compressobj(6, zlib.DEFLATED, -15)
    zero_seg = zero_seg.compress(bytes(WINDOW)) + zero_seg.flush(zlib.Z_FULL_FLUSH)
    zero_crc = zlib.crc32(bytes(WINDOW))
    zero_op = zeros_operator(WINDOW)
    data = zlib.compressobj(6, zlib.DEFLATED, -15)
    crc, pending, holes, written = 0, False, 0, 0
    with open(raw_out, 'wb') as fo:
        pos = 0
        while pos < size:
            n = min(WINDOW, size - pos)
            try:
                next_data = os.lseek(fi, pos, os.SEEK_DATA)
            except OSError:  # ENXIO: only hole from here on
                next_data = size
            if n == WINDOW and next_data >= pos + n:
                if pending:
                    written += fo.write(data.flush(zlib.Z_FULL_FLUSH))
                    pending = False
                written += fo.write(zero_seg)
                crc = gf2_times(zero_op, crc) ^ zero_crc
                holes += 1
            else:
                b = os.pread(fi, n, pos)
                if len(b) != n:
                    sys.exit(f'sparse-deflate: short read at {pos} of {src}')
                crc = zlib.crc32(b, crc)
                written += fo.write(data.compress(b))
                pending = True
            pos += n
        written += fo.write(data.flush(zlib.Z_FULL_FLUSH))
        written += fo.write(b'\x03\x00')  # a final, empty fixed-Huffman block
    os.close(fi)
    sys.stderr.write(f'sparse-deflate: {size} bytes, {holes} of {(size + WINDOW - 1) // WINDOW} windows all hole, {written} bytes of deflate\n')
    return crc, size, written


def copy_into(fo, path):
    with open(path, 'rb') as f:
        while True:
            b = f.read(8 << 20)
            if not b:
                return
            fo.write(b)


def write_gzip(out, name, mtime, stream, crc, size):
    with open(out, 'wb') as fo:
        # FNAME set, like gzip -c FILE; XFL 0 (level 6), OS 3 (Unix)
        fo.write(b'\x1f\x8b\x08\x08' + mtime.to_bytes(4, 'little') + b'\x00\x03' + name.encode() + b'\x00')
        copy_into(fo, stream)
        fo.write(crc.to_bytes(4, 'little') + (size & 0xFFFFFFFF).to_bytes(4, 'little'))


def dos_time(t):
    tm = time.localtime(t)
    return ((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec // 2),
            ((tm.tm_year - 1980) << 9) | (tm.tm_mon << 5) | tm.tm_mday)


def u16(v): return v.to_bytes(2, 'little')
def u32(v): return v.to_bytes(4, 'little')
def u64(v): return v.to_bytes(8, 'little')


def write_zip(out, name, mtime, stream, crc, size, csize):
    # one entry, sizes in the zip64 extra field as Info-ZIP writes past 4 GiB
    t, d = dos_time(mtime)
    fname = name.encode()
    extra = u16(1) + u16(16) + u64(size) + u64(csize)
    with open(out, 'wb') as fo:
        fo.write(u32(0x04034b50) + u16(45) + u16(0) + u16(8) + u16(t) + u16(d) + u32(crc)
                 + u32(0xFFFFFFFF) + u32(0xFFFFFFFF) + u16(len(fname)) + u16(len(extra)) + fname + extra)
        copy_into(fo, stream)
        cd_off = fo.tell()
        cd = (u32(0x02014b50) + u16(0x031e) + u16(45) + u16(0) + u16(8) + u16(t) + u16(d) + u32(crc)
              + u32(0xFFFFFFFF) + u32(0xFFFFFFFF) + u16(len(fname)) + u16(len(extra)) + u16(0) + u16(0) + u16(0)
              + u32(0o100644 << 16) + u32(0) + fname + extra)
        fo.write(cd)
        z64_off = fo.tell()
        fo.write(u32(0x06064b50) + u64(44) + u16(0x031e) + u16(45) + u32(0) + u32(0) + u64(1) + u64(1)
                 + u64(len(cd)) + u64(cd_off))
        fo.write(u32(0x07064b50) + u32(0) + u64(z64_off) + u32(1))
        fo.write(u32(0x06054b50) + u16(0) + u16(0) + u16(1) + u16(1) + u32(len(cd))
                 + u32(min(cd_off, 0xFFFFFFFF)) + u16(0))


def main():
    if len(sys.argv) != 3 or not sys.argv[2].endswith(('.gz', '.zip')):
        sys.exit('usage: sparse-deflate.py SRC OUT.gz|OUT.zip')
    src, out = sys.argv[1:]
    name, mtime = os.path.basename(src), int(os.stat(src).st_mtime)
    stream, tmp = out + '.deflate.tmp', out + '.tmp'
    try:
        crc, size, csize = deflate_image(src, stream)
        if out.endswith('.gz'):
            write_gzip(tmp, name, mtime, stream, crc, size)
        else:
            write_zip(tmp, name, mtime, stream, crc, size, csize)
        os.rename(tmp, out)
    finally:
        for p in (stream, tmp):
            if os.path.exists(p):
                os.remove(p)


main()
