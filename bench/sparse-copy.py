# SPDX-License-Identifier: Apache-2.0
# sparse-copy.py SRC OFFSET SIZE DST: copies SIZE bytes of SRC from OFFSET into
# a new sparse file DST, reading only SRC's data extents (SEEK_DATA/SEEK_HOLE),
# so a partition of a 200 GiB sparse image comes out in seconds.
import os, sys

src, off, size, dst = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
fi = os.open(src, os.O_RDONLY)
fo = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.ftruncate(fo, size)
pos, end = off, off + size
while pos < end:
    try:
        data = os.lseek(fi, pos, os.SEEK_DATA)
    except OSError:  # ENXIO: no data after pos
        break
    if data >= end:
        break
    hole = min(os.lseek(fi, data, os.SEEK_HOLE), end)
    p = data
    while p < hole:
        n = min(hole - p, 4 << 20)
        os.pwrite(fo, os.pread(fi, n, p), p - off)
        p += n
    pos = hole
os.close(fo)
