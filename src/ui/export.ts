// SPDX-License-Identifier: Apache-2.0
// What the person takes away: the report as JSON (the contract), as Markdown
// in the page's language (src/report/markdown.ts, the CLI's too), and one .zip (made with @zip.js/zip.js) holding
// both plus the repair script (repair.sh, or repair.ps1 for Windows) and the ACS-ECS-RepairImage parameters when the
// report carries them. Everything is built in the page; nothing is sent.
import { BlobWriter, TextReader, ZipWriter, configure } from '@zip.js/zip.js';
import type { Report } from '../report/types';
import { formatMarkdown } from '../report/markdown';
import type { Lang } from '../report/i18n';

// zip.js would otherwise start workers from blob: URLs, which the page's CSP
// forbids and which a few kilobytes of text do not need.
configure({ useWebWorkers: false });

export function reportJson(r: Report): string {
  return JSON.stringify(r, null, 2) + '\n';
}

export function baseName(r: Report): string {
  const first = r.image.files[0] ?? 'image';
  return `guestcheck-${first.replace(/[^\w.-]+/g, '_')}`;
}

export async function reportZip(r: Report, lang: Lang): Promise<Blob> {
  const zip = new ZipWriter(new BlobWriter('application/zip'));
  await zip.add('report.json', new TextReader(reportJson(r)));
  await zip.add('report.md', new TextReader(formatMarkdown(r, lang)));
  const repair = r.repair;
  if (repair && repair.script) {
    // Windows PowerShell 5.1 reads a script without a byte order mark in the ANSI code page
    if (r.platform === 'Windows') await zip.add('repair.ps1', new TextReader(`\ufeff${repair.script}`));
    else await zip.add('repair.sh', new TextReader(repair.script), { unixMode: 0o100755 });
    // the ACS-ECS-RepairImage template's parameter, as the console takes it
    await zip.add('repair-image-parameters.json', new TextReader(JSON.stringify({ repairItems: repair.repairItems.join(',') }, null, 2) + '\n'));
  }
  return zip.close();
}

/** Saves a blob through a temporary object URL and <a download>. */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
