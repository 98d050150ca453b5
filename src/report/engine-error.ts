// SPDX-License-Identifier: Apache-2.0
// The engine's errors carry a dotted code ("xfs.inode.magic") and an English
// detail that names the structure and offset. In another language the reader
// gets the catalog's sentence for the code — the most specific one the catalog
// has: the code itself, its family ("xfs.inode"), or its format ("xfs") — and
// then the detail exactly as the engine gave it.
import type { Evidence, Message } from './types';
import { hasMessage } from './i18n';
import { explained, msg } from './message';

/** The catalog key that explains this code. */
export function errorKey(code: string): string {
  const parts = code.split('.');
  for (let n = parts.length; n > 0; n--) {
    const key = `err.${parts.slice(0, n).join('.')}`;
    if (hasMessage('en', key)) return key;
  }
  return 'err.unknown';
}

/** An engine error as a message: what it means, then the technical detail and code as given. */
export function errorMessage(code: string, detail: string): Message {
  return msg('err.explained', { what: msg(errorKey(code)), detail, code });
}

/** "gpt.header.crc: the primary GPT header's CRC ..." (ImageInfo.tableError) split into its code and detail. */
export function splitCodedError(s: string): { code: string; detail: string } | null {
  const m = /^([a-z0-9_-]+(?:\.[a-z0-9_-]+)+): ([\s\S]*)$/i.exec(s);
  return m ? { code: m[1], detail: m[2] } : null;
}

/** Evidence for the partition table's error: the engine's text in English, explained in other languages. */
export function tableErrorEvidence(tableError: string): Evidence {
  const c = splitCodedError(tableError);
  return c ? explained('partition table', tableError, errorMessage(c.code, c.detail)) : { path: 'partition table', text: tableError };
}
