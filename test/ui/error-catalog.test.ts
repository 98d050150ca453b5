// SPDX-License-Identifier: Apache-2.0
// Every error code the engine can emit (asm/, and the host's zip/tar/initramfs
// readers) is explained by the catalog: by its own entry, its family's or its
// format's — never only by the catalog's last resort, "err.unknown".
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { errorKey, errorMessage, splitCodedError } from '../../src/report/engine-error';
import { render, t } from '../../src/report/i18n';
import { reportErrorText, tableErrorText } from '../../src/report/finding-text';

const root = new URL('../../', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const asm = files(join(root, 'asm')).map((p) => readFileSync(p, 'utf8'));
const host = files(join(root, 'src')).map((p) => readFileSync(p, 'utf8'));
/** codes given straight to the error setters: they name every format family */
const direct = new Set(asm.flatMap((s) => [...s.matchAll(/\b(?:corrupt|unsupported|limit|ioError)\(\s*"([a-z0-9-]+(?:\.[a-z0-9*-]+)+)"/g)].map((m) => m[1])));
const families = new Set([...direct].map((c) => c.split('.')[0]));
/** and codes that reach a setter through a helper (this.fail("xz.index", ...)): any literal of a known family */
const indirect = asm.flatMap((s) => [...s.matchAll(/"([a-z0-9-]+(?:\.[a-z0-9-]+)+)"/g)].map((m) => m[1])).filter((c) => families.has(c.split('.')[0]));
const hostCodes = host.flatMap((s) => [...s.matchAll(/(?:code: |Error\()'([a-z0-9-]+(?:\.[a-z0-9-]+)+)'/g)].map((m) => m[1]));

describe('engine error catalog', () => {
  it('finds the codes in the sources', () => {
    expect(direct.size).toBeGreaterThan(400);
    expect(families.size).toBeGreaterThan(25);
    expect(hostCodes).toEqual(expect.arrayContaining(['zip.encrypted', 'tar.checksum', 'image.unreadable', 'initramfs.too-large']));
  });

  it('explains every code the engine emits', () => {
    const codes = [...new Set([...direct, ...indirect, ...hostCodes])];
    expect(codes.filter((c) => errorKey(c) === 'err.unknown')).toEqual([]);
  });

  it('takes the most specific entry', () => {
    expect(errorKey('xfs.inode.magic')).toBe('err.xfs');
    expect(errorKey('qcow2.encrypted')).toBe('err.qcow2.encrypted');
    expect(errorKey('hive.log.sequence')).toBe('err.hive.log');
    expect(errorKey('nosuch.thing')).toBe('err.unknown');
  });

  it('says what an error means in Japanese and keeps the engine detail as given', () => {
    const detail = 'inode 131: di_magic is 0x0000, not 0x494e ("IN") at byte 0x8300';
    const ja = render('ja', errorMessage('xfs.inode.magic', detail));
    expect(ja).toBe(`${t('ja', 'err.xfs')} 詳細: ${detail}（xfs.inode.magic）`);
    expect(reportErrorText('en', { code: 'xfs.inode.magic', message: detail })).toBe(detail);
    expect(reportErrorText('ja', { code: 'gzip.crc', message: 'x.gz: CRC mismatch' })).toMatch(/^gzip ファイルが破損しているか.*詳細: x\.gz: CRC mismatch（gzip\.crc）$/);
    expect(splitCodedError('gpt.header.crc: the primary header is damaged')).toEqual({ code: 'gpt.header.crc', detail: 'the primary header is damaged' });
    expect(tableErrorText('ja', 'gpt.header.crc: bad')).toMatch(/^GPT パーティションテーブルが破損しています。.*詳細: bad（gpt\.header\.crc）$/);
    expect(tableErrorText('ja', 'no code here')).toBe('no code here');
  });
});
