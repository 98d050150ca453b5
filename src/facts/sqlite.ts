// SPDX-License-Identifier: Apache-2.0
// Just enough of the SQLite database file format (sqlite.org/fileformat2.html)
// to read every row of one table from a Uint8Array, synchronously: the
// header, table b-tree pages (interior 0x05, leaf 0x0d), overflow chains and
// the record format. rpm's rpmdb.sqlite needs no more; sql.js would bring a
// 650 KB WebAssembly engine and an async start for this.

export class SqliteError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export type SqlValue = null | number | bigint | string | Uint8Array;

const MAGIC = 'SQLite format 3\0';
const MAX_DEPTH = 32;

export class SqliteFile {
  readonly pageSize: number;
  readonly usable: number;
  readonly pageCount: number;
  private visited = 0;

  constructor(private readonly b: Uint8Array) {
    if (b.length < 100 || new TextDecoder('latin1').decode(b.subarray(0, 16)) !== MAGIC) {
      throw new SqliteError('sqlite.header.magic', 'not an SQLite 3 database (no "SQLite format 3" header)');
    }
    const ps = (b[16] << 8) | b[17];
    this.pageSize = ps === 1 ? 65536 : ps;
    if (this.pageSize < 512 || this.pageSize > 65536 || (this.pageSize & (this.pageSize - 1)) !== 0) {
      throw new SqliteError('sqlite.header.page-size', `SQLite page size ${this.pageSize} is not a power of two in 512..65536`);
    }
    this.usable = this.pageSize - b[20];
    if (this.usable < 480) throw new SqliteError('sqlite.header.reserved', `SQLite reserves ${b[20]} bytes per page, leaving fewer than 480`);
    this.pageCount = Math.floor(b.length / this.pageSize);
  }

  private page(n: number): Uint8Array {
    if (n < 1 || n > this.pageCount) throw new SqliteError('sqlite.page.range', `SQLite page ${n} is outside the file's ${this.pageCount} pages`);
    // every page is visited at most once per walk; more visits mean a cycle
    if (++this.visited > this.pageCount * 2 + 16) throw new SqliteError('sqlite.page.cycle', 'SQLite b-tree or overflow chain loops');
    return this.b.subarray((n - 1) * this.pageSize, n * this.pageSize);
  }

  /** Every row (its record values) of the table b-tree rooted at `root`. */
  rows(root: number, visit: (values: SqlValue[], rowid: number) => void): void {
    this.visited = 0;
    this.walk(root, visit, 0);
  }

  private walk(n: number, visit: (values: SqlValue[], rowid: number) => void, depth: number): void {
    if (depth > MAX_DEPTH) throw new SqliteError('sqlite.btree.depth', `SQLite b-tree deeper than ${MAX_DEPTH} at page ${n}`);
    const p = this.page(n);
    const h = n === 1 ? 100 : 0;
    const type = p[h];
    const cells = (p[h + 3] << 8) | p[h + 4];
    if (type === 0x05) {
      for (let i = 0; i < cells; i++) {
        const c = this.cellPtr(p, h + 12, i, n);
        this.walk(u32(p, c), visit, depth + 1);
      }
      this.walk(u32(p, h + 8), visit, depth + 1);
      return;
    }
    if (type !== 0x0d) throw new SqliteError('sqlite.page.type', `SQLite page ${n} has type ${type}, not a table b-tree page`);
    for (let i = 0; i < cells; i++) {
      let c = this.cellPtr(p, h + 8, i, n);
      const [size, a] = varint(p, c); c += a;
      const [rowid, r] = varint(p, c); c += r;
      const payload = this.payload(p, c, Number(size), n);
      visit(record(payload, n), Number(rowid));
    }
  }

  private cellPtr(p: Uint8Array, arr: number, i: number, n: number): number {
    const c = (p[arr + 2 * i] << 8) | p[arr + 2 * i + 1];
    if (c < arr || c >= this.usable) throw new SqliteError('sqlite.cell.offset', `SQLite page ${n} cell ${i} points outside the page (${c})`);
    return c;
  }

  private payload(p: Uint8Array, off: number, size: number, n: number): Uint8Array {
    const U = this.usable, X = U - 35;
    if (size > 1 << 30) throw new SqliteError('sqlite.cell.size', `SQLite page ${n}: a cell of ${size} bytes`);
    if (size <= X) {
      if (off + size > U) throw new SqliteError('sqlite.cell.size', `SQLite page ${n}: cell runs past the page`);
      return p.subarray(off, off + size);
    }
    const M = Math.floor(((U - 12) * 32) / 255) - 23;
    const K = M + ((size - M) % (U - 4));
    const local = K <= X ? K : M;
    if (off + local + 4 > U) throw new SqliteError('sqlite.cell.size', `SQLite page ${n}: cell runs past the page`);
    const out = new Uint8Array(size);
    out.set(p.subarray(off, off + local));
    let got = local, next = u32(p, off + local);
    while (got < size) {
      if (next === 0) throw new SqliteError('sqlite.overflow.short', `SQLite overflow chain from page ${n} ends after ${got} of ${size} bytes`);
      const o = this.page(next);
      const take = Math.min(U - 4, size - got);
      out.set(o.subarray(4, 4 + take), got);
      got += take;
      next = u32(o, 0);
    }
    return out;
  }

  /** rootpage of a table named in sqlite_master */
  tableRoot(name: string): number | null {
    let root: number | null = null;
    this.rows(1, (v) => {
      if (v[0] === 'table' && typeof v[1] === 'string' && v[1].toLowerCase() === name.toLowerCase()) root = Number(v[3]);
    });
    return root;
  }
}

function u32(p: Uint8Array, o: number): number {
  return ((p[o] << 24) | (p[o + 1] << 16) | (p[o + 2] << 8) | p[o + 3]) >>> 0;
}

function varint(p: Uint8Array, o: number): [bigint, number] {
  let v = 0n;
  for (let i = 0; i < 9; i++) {
    const c = p[o + i];
    if (c === undefined) throw new SqliteError('sqlite.varint', `SQLite varint at ${o} runs past its page`);
    if (i === 8) return [(v << 8n) | BigInt(c), 9];
    v = (v << 7n) | BigInt(c & 0x7f);
    if (!(c & 0x80)) return [v, i + 1];
  }
  return [v, 9];
}

const utf8 = new TextDecoder();

function record(b: Uint8Array, n: number): SqlValue[] {
  const [hs, a] = varint(b, 0);
  const headerSize = Number(hs);
  if (headerSize > b.length) throw new SqliteError('sqlite.record.header', `SQLite record on page ${n} has a header larger than the record`);
  const types: number[] = [];
  for (let o = a; o < headerSize;) {
    const [t, l] = varint(b, o);
    types.push(Number(t)); o += l;
  }
  const out: SqlValue[] = [];
  let o = headerSize;
  for (const t of types) {
    const len = t >= 12 ? (t - (t & 1 ? 13 : 12)) / 2 : [0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0][t];
    if (o + len > b.length) throw new SqliteError('sqlite.record.value', `SQLite record on page ${n}: a value runs past the record`);
    if (t === 0) out.push(null);
    else if (t === 8 || t === 9) out.push(t - 8);
    else if (t <= 6) {
      let v = BigInt(b[o]);
      for (let i = 1; i < len; i++) v = (v << 8n) | BigInt(b[o + i]);
      v = BigInt.asIntN(len * 8, v);
      out.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
    } else if (t === 7) out.push(new DataView(b.buffer, b.byteOffset + o, 8).getFloat64(0));
    else if (t >= 12 && !(t & 1)) out.push(b.subarray(o, o + len));
    else if (t >= 13) out.push(utf8.decode(b.subarray(o, o + len)));
    else throw new SqliteError('sqlite.record.type', `SQLite record on page ${n}: reserved serial type ${t}`);
    o += len;
  }
  return out;
}
