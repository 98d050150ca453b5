// SPDX-License-Identifier: Apache-2.0
// What the person takes away: the report as JSON (the contract), as Markdown
// in the page's language, and one .zip (made with @zip.js/zip.js) holding
// both plus the repair script and the ACS-ECS-RepairImage parameters when the
// report carries them. Everything is built in the page; nothing is sent.
import { BlobWriter, TextReader, ZipWriter, configure } from '@zip.js/zip.js';
import type { Report } from '../report/types';
import { STATUS_ORDER, statusCounts } from './findings-view';
import { formatBytes, itemName, t, type Lang } from './i18n';

// zip.js would otherwise start workers from blob: URLs, which the page's CSP
// forbids and which a few kilobytes of text do not need.
configure({ useWebWorkers: false });

export function reportJson(r: Report): string {
  return JSON.stringify(r, null, 2) + '\n';
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function reportMarkdown(r: Report, lang: Lang): string {
  const out: string[] = [];
  out.push(`# ${t(lang, 'app.title')}: ${r.image.files.join(', ')}`, '');
  out.push(t(lang, 'image.summary', {
    files: r.image.files.join(', '), format: r.image.format, size: formatBytes(r.image.virtualSize, lang), table: r.image.partitionTable,
  }), '');
  if (r.error) out.push(t(lang, 'image.error', { message: r.error.message }), '');
  if (r.image.volumes.length) {
    out.push(`## ${t(lang, 'layout.heading')}`, '');
    out.push(`| ${['volume', 'start', 'size', 'type', 'fs', 'label', 'mount'].map((k) => t(lang, `layout.col.${k}`)).join(' | ')} |`);
    out.push('|---|---:|---:|---|---|---|---|');
    for (const v of r.image.volumes) {
      out.push(`| ${v.id} | ${formatBytes(v.start, lang)} | ${formatBytes(v.size, lang)} | ${mdCell(v.typeName || v.type)} | ${v.fs} | ${mdCell([v.label, v.uuid].filter(Boolean).join(' '))} | ${v.mountedAt} |`);
    }
    out.push('');
  }
  if (r.findings.length) {
    out.push(`## ${t(lang, 'results.heading')}`, '', t(lang, 'results.counts', statusCounts(r.findings)), '');
    for (const s of STATUS_ORDER) {
      const fs = r.findings.filter((f) => f.status === s);
      if (!fs.length) continue;
      out.push(`### ${t(lang, `status.${s}`)}`, '');
      for (const f of fs) {
        out.push(`- **${itemName(lang, f.name)}** (\`${f.name}\`): ${f.value}${f.riskLevel ? ` — ${t(lang, 'results.risk', { level: f.riskLevel, code: f.riskCode })}` : ''}`);
        for (const e of f.evidence) out.push(`  - \`${e.path}${e.line ? `:${e.line}` : ''}\` ${e.text}`);
        if (f.status !== 'pass' && f.solution) out.push(`  - ${t(lang, 'results.fix')}: ${f.solution}`);
      }
      out.push('');
    }
  }
  out.push(t(lang, 'stats.line', { bytes: formatBytes(r.stats.bytesRead, lang), calls: r.stats.readCalls, ms: r.stats.elapsedMs }), '');
  return out.join('\n');
}

export function baseName(r: Report): string {
  const first = r.image.files[0] ?? 'image';
  return `guestcheck-${first.replace(/[^\w.-]+/g, '_')}`;
}

export async function reportZip(r: Report, lang: Lang): Promise<Blob> {
  const zip = new ZipWriter(new BlobWriter('application/zip'));
  await zip.add('report.json', new TextReader(reportJson(r)));
  await zip.add('report.md', new TextReader(reportMarkdown(r, lang)));
  const repair = r.repair;
  if (repair && repair.script) {
    await zip.add('repair.sh', new TextReader(repair.script), { unixMode: 0o100755 });
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
