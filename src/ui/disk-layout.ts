// SPDX-License-Identifier: Apache-2.0
// The disk drawn to scale: one bar with a segment per volume (and the gaps
// between them), then the same facts as a table, which is what screen readers
// read — the bar itself is decoration (aria-hidden). Widths are set
// through CSSOM (style.setProperty), which the page's CSP allows where a style
// attribute is not (lit's styleMap writes the attribute on first render).
import { html, css, nothing, type TemplateResult } from 'lit';
import { ref } from 'lit/directives/ref.js';
import type { ImageInfo, VolumeInfo } from '../report/types';
import { formatBytes, t, type Lang } from '../report/i18n';
import { volumeErrorText } from '../report/finding-text';

const ESP = 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b';

export const layoutStyles = css`
  .bar { display: flex; height: 2.25rem; border: 1px solid var(--gc-border); border-radius: 6px; overflow: hidden; margin: 0.5rem 0; }
  .seg { min-width: 3px; display: flex; align-items: center; justify-content: center; font-size: 0.75rem; overflow: hidden;
         white-space: nowrap; border-right: 1px solid var(--gc-border); color: var(--gc-seg-fg); }
  .seg:last-child { border-right: none; }
  .seg.free { background: repeating-linear-gradient(45deg, transparent 0 4px, var(--gc-border) 4px 5px); color: var(--gc-muted); }
  .seg.fs-ext4, .seg.fs-ext3, .seg.fs-ext2, .seg.fs-xfs, .seg.fs-btrfs { background: var(--gc-seg-linux); }
  .seg.fs-vfat, .seg.fs-ntfs, .seg.fs-exfat { background: var(--gc-seg-fat); }
  .seg.fs-swap { background: var(--gc-seg-swap); }
  .seg.other { background: var(--gc-seg-other); }
  table.layout td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .tag { display: inline-block; font-size: 0.75em; padding: 0 0.4em; border-radius: 4px; border: 1px solid var(--gc-border); margin-left: 0.3em; }
`;

interface Segment { v: VolumeInfo | null; start: number; size: number }

function segments(image: ImageInfo): Segment[] {
  const vols = image.volumes.filter((v) => v.id !== 'disk' || image.volumes.length === 1)
    .slice().sort((a, b) => a.start - b.start);
  const out: Segment[] = [];
  let pos = 0;
  for (const v of vols) {
    if (v.start > pos) out.push({ v: null, start: pos, size: v.start - pos });
    out.push({ v, start: v.start, size: v.size });
    pos = Math.max(pos, v.start + v.size);
  }
  if (image.virtualSize > pos) out.push({ v: null, start: pos, size: image.virtualSize - pos });
  return out;
}

function roles(v: VolumeInfo, lang: Lang): string[] {
  const r: string[] = [];
  if (v.mountedAt === '/') r.push(t(lang, 'layout.root'));
  if (v.type.toLowerCase() === ESP || v.type === '0xef') r.push(t(lang, 'layout.esp'));
  if (v.fs === 'swap') r.push(t(lang, 'layout.swap'));
  return r;
}

export function renderLayout(image: ImageInfo, lang: Lang): TemplateResult | typeof nothing {
  if (image.virtualSize <= 0 || image.volumes.length === 0) return nothing;
  const segs = segments(image);
  const total = image.virtualSize;
  return html`
    <h3 id="layout-heading">${t(lang, 'layout.heading')}</h3>
    <div class="bar" part="layout-bar" aria-hidden="true">
      ${segs.map((s) => {
        const pct = (s.size / total) * 100;
        const cls = s.v === null ? 'free' : s.v.fs ? `fs-${s.v.fs}` : 'other';
        const text = s.v === null ? '' : `${s.v.id}${s.v.fs ? ` ${s.v.fs}` : ''}`;
        return html`<div class="seg ${cls}" ${ref((el) => (el as HTMLElement | undefined)?.style.setProperty('flex', `${pct} 0 0`))} title=${s.v === null ? t(lang, 'layout.free') : text}>${pct > 6 ? text : ''}</div>`;
      })}
    </div>
    <table class="layout" aria-labelledby="layout-heading">
      <caption class="visually-hidden">${t(lang, 'layout.caption')}</caption>
      <thead><tr>
        <th scope="col">${t(lang, 'layout.col.volume')}</th><th scope="col">${t(lang, 'layout.col.start')}</th>
        <th scope="col">${t(lang, 'layout.col.size')}</th><th scope="col">${t(lang, 'layout.col.type')}</th>
        <th scope="col">${t(lang, 'layout.col.fs')}</th><th scope="col">${t(lang, 'layout.col.label')}</th>
        <th scope="col">${t(lang, 'layout.col.mount')}</th>
      </tr></thead>
      <tbody>${image.volumes.map((v) => html`<tr>
        <th scope="row">${v.id}${roles(v, lang).map((r) => html`<span class="tag">${r}</span>`)}</th>
        <td class="num">${formatBytes(v.start, lang)}</td>
        <td class="num">${formatBytes(v.size, lang)}</td>
        <td>${v.typeName || v.type}</td>
        <td>${v.fs}${v.error ? html`<div class="muted">${volumeErrorText(lang, v)}</div>` : nothing}</td>
        <td>${v.label ? html`<div>${v.label}</div>` : nothing}<code>${v.uuid}</code></td>
        <td>${v.mountedAt}</td>
      </tr>`)}</tbody>
    </table>`;
}
