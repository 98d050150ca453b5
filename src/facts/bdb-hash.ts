// SPDX-License-Identifier: Apache-2.0
// The values of a Berkeley DB hash database, as rpm up to 4.15 keeps
// /var/lib/rpm/Packages (CentOS/RHEL 5–8, SUSE up to 15.2): a metadata page
// (magic 0x061561, page size, last page), hash pages (type 13, or 2 unsorted)
// holding key/data item pairs, and the data of big items on chains of
// overflow pages (type 7). Byte order is the writer's, told by the magic.
// (Berkeley DB's db_page.h / hash.h layouts.)

export class BdbError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

const HASH_MAGIC = 0x061561;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;
const PAGE_HEADER = 26;
const MAX_VALUE = 64 << 20;

/** Calls `visit` with every data item (the value of each key/value pair). */
export function bdbHashValues(b: Uint8Array, visit: (value: Uint8Array) => void): void {
  if (b.length < 512) throw new BdbError('bdb.truncated', `Berkeley DB file of ${b.length} bytes is too short for its metadata page`);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let le: boolean;
  if (v.getUint32(12, true) === HASH_MAGIC) le = true;
  else if (v.getUint32(12, false) === HASH_MAGIC) le = false;
  else throw new BdbError('bdb.meta.magic', 'not a Berkeley DB hash database (no magic 0x061561 at offset 12)');
  const pageSize = v.getUint32(20, le);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    throw new BdbError('bdb.meta.page-size', `Berkeley DB page size ${pageSize} is not a power of two in 512..65536`);
  }
  const pages = Math.floor(b.length / pageSize);
  const lastPgno = Math.min(v.getUint32(32, le), pages - 1);
  const u16 = (o: number) => v.getUint16(o, le);
  const u32 = (o: number) => v.getUint32(o, le);

  const overflow = (first: number, total: number): Uint8Array => {
    if (total > MAX_VALUE) throw new BdbError('bdb.item.size', `Berkeley DB item of ${total} bytes is larger than ${MAX_VALUE}`);
    const out = new Uint8Array(total);
    let got = 0, pg = first, hops = 0;
    while (got < total) {
      if (pg === 0 || pg > lastPgno) throw new BdbError('bdb.overflow.page', `Berkeley DB overflow chain points at page ${pg} (last is ${lastPgno})`);
      if (++hops > pages) throw new BdbError('bdb.overflow.cycle', `Berkeley DB overflow chain from page ${first} loops`);
      const p = pg * pageSize;
      if (b[p + 25] !== P_OVERFLOW) throw new BdbError('bdb.overflow.type', `Berkeley DB page ${pg} in an overflow chain has type ${b[p + 25]}`);
      // on overflow pages the "hf_offset" field holds the bytes used (OV_LEN)
      const len = Math.min(u16(p + 22), pageSize - PAGE_HEADER, total - got);
      out.set(b.subarray(p + PAGE_HEADER, p + PAGE_HEADER + len), got);
      got += len;
      pg = u32(p + 16);
      if (len === 0) throw new BdbError('bdb.overflow.short', `Berkeley DB overflow page ${pg} is empty`);
    }
    return out;
  };

  for (let pg = 1; pg <= lastPgno; pg++) {
    const p = pg * pageSize;
    const type = b[p + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(p + 20);
    if (PAGE_HEADER + entries * 2 > pageSize) throw new BdbError('bdb.page.entries', `Berkeley DB hash page ${pg} claims ${entries} items`);
    // items are key, data, key, data, ...; each item's bytes end where the previous one starts
    for (let i = 1; i < entries; i += 2) {
      const off = u16(p + PAGE_HEADER + i * 2);
      const end = u16(p + PAGE_HEADER + (i - 1) * 2);
      if (off < PAGE_HEADER || off >= pageSize || end > pageSize || end <= off) continue;
      const item = p + off;
      if (b[item] === H_OFFPAGE) {
        if (off + 12 > pageSize) continue;
        visit(overflow(u32(item + 4), u32(item + 8)));
      } else if (b[item] === H_KEYDATA) {
        visit(b.subarray(item + 1, p + end));
      }
    }
  }
}
