// SPDX-License-Identifier: Apache-2.0
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { checkImage, CheckCancelled } from '../client/checker';
import type { Phase, Progress, Report } from '../report/types';
import { LANGS, formatBytes, pickLang, t, type Lang } from '../report/i18n';
import { findingsStyles, renderFindings } from './findings-view';
import { layoutStyles, renderLayout } from './disk-layout';
import { baseName, download, reportJson, reportZip } from './export';
import { formatMarkdown } from '../report/markdown';
import { noteText, reportErrorText, tableErrorText } from '../report/finding-text';

const PHASES: Phase[] = ['opening', 'decompressing', 'partitions', 'filesystems', 'mounting', 'checking', 'done'];

/**
 * Checks a disk image the person drops or picks, in a worker; the image is
 * read in place and never leaves the page.
 *
 * @attr lang - `en` or `ja`; by default the browser's preferred language
 * @attr compact - hides the "How it works" section and the disk layout table
 * @attr page-drop - accept files dropped anywhere on the page, not only on the drop zone
 * @attr sample - URL of a sample disk image (gzipped or not), resolved against the page; shows "Try a sample image"
 * @fires check-start - detail: { files: string[] }
 * @fires check-progress - detail: Progress
 * @fires check-complete - detail: the Report
 * @slot intro - text above the drop zone
 * @slot about - replaces the built-in "How it works" section
 * @csspart drop-zone - the drop zone
 * @csspart progress - the progress bar
 * @csspart finding - every check item (also `finding-fail`, `finding-pass`, ...)
 * @csspart layout-bar - the disk drawn to scale
 * @cssprop --gc-accent - focus rings, buttons, the drop zone when active
 * @cssprop --gc-fail - failed items and High risk
 * @cssprop --gc-warn - warnings
 * @cssprop --gc-pass - passed items
 * @cssprop --gc-border - lines and borders
 */
@customElement('image-check')
export class ImageCheck extends LitElement {
  static styles = [css`
    :host {
      display: block; color-scheme: light dark; font: inherit;
      --gc-accent: #2563eb; --gc-fail: #c2182b; --gc-error: #7c3aed; --gc-warn: #a15c00; --gc-warn-strong: #a15c00;
      --gc-pass: #16803c; --gc-risk-high: #c2182b; --gc-muted: #5c6370; --gc-border: rgba(128, 128, 128, 0.45); --gc-code-bg: rgba(128, 128, 128, 0.14);
      --gc-seg-linux: #cfe3ff; --gc-seg-fat: #fde7b0; --gc-seg-swap: #e2d6ff; --gc-seg-other: #e5e7eb; --gc-seg-fg: #111;
    }
    @media (prefers-color-scheme: dark) {
      :host {
        --gc-accent: #7aa7ff; --gc-fail: #ff7b86; --gc-error: #c4a5ff; --gc-warn: #f0b54a; --gc-warn-strong: #8a5200;
        --gc-pass: #5fd38a; --gc-muted: #a8b0bd; --gc-seg-linux: #2b4a7a; --gc-seg-fat: #6b5218; --gc-seg-swap: #4b3a7a;
        --gc-seg-other: #3a3f47; --gc-seg-fg: #f3f4f6; --gc-risk-high: #a3121f;
      }
    }
    .top { display: flex; justify-content: flex-end; gap: 0.5rem; align-items: center; }
    .drop { border: 2px dashed var(--gc-border); border-radius: 10px; padding: 1.5rem; text-align: center; margin: 0.5rem 0; }
    .drop.over { border-color: var(--gc-accent); background: color-mix(in srgb, var(--gc-accent) 10%, transparent); }
    button, .pick { font: inherit; padding: 0.35rem 0.8rem; border-radius: 6px; border: 1px solid var(--gc-border); background: transparent; color: inherit; cursor: pointer; }
    button.primary { background: var(--gc-accent); color: #fff; border-color: var(--gc-accent); }
    @media (prefers-color-scheme: dark) { button.primary { color: #0b1220; } }
    button:focus-visible, .pick:focus-within, select:focus-visible { outline: 2px solid var(--gc-accent); outline-offset: 2px; }
    .pick input { position: absolute; width: 1px; height: 1px; opacity: 0; overflow: hidden; }
    .pick { position: relative; display: inline-block; }
    .status { margin: 0.75rem 0; min-height: 1.4em; }
    progress { width: 100%; height: 0.6rem; accent-color: var(--gc-accent); }
    .fail-text { color: var(--gc-fail); }
    .muted { color: var(--gc-muted); font-size: 0.9em; }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--gc-border); vertical-align: top; }
    code { overflow-wrap: anywhere; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    .exports { display: flex; gap: 0.5rem; flex-wrap: wrap; }
    :host([compact]) table.layout, :host([compact]) .about { display: none; }
  `, findingsStyles, layoutStyles];

  @property({ reflect: true }) lang = '';
  @property({ type: Boolean, reflect: true }) compact = false;
  @property({ type: Boolean, attribute: 'page-drop' }) pageDrop = false;
  @property() sample = '';

  @state() private progress: Progress | null = null;
  @state() private loading = false;
  /** one report, or one per image when separate images were given together */
  @state() private reports: Report[] = [];
  @state() private failure = '';
  @state() private notice = '';
  @state() private over = false;
  private abort: AbortController | null = null;
  private phaseStart: { phase: Phase; at: number } | null = null;

  /** The language the element shows: its `lang` attribute, else the browser's preferred one. */
  get currentLang(): Lang {
    return this.language;
  }

  private get language(): Lang {
    return (LANGS as string[]).includes(this.lang) ? (this.lang as Lang) : pickLang(navigator.languages ?? [navigator.language]);
  }

  private readonly onWindowDragOver = (e: DragEvent) => { e.preventDefault(); this.over = true; };
  private readonly onWindowDragLeave = (e: DragEvent) => { if (e.relatedTarget === null) this.over = false; };
  private readonly onWindowDrop = (e: DragEvent) => this.onDrop(e);

  connectedCallback() {
    super.connectedCallback();
    if (this.pageDrop) {
      window.addEventListener('dragover', this.onWindowDragOver);
      window.addEventListener('dragleave', this.onWindowDragLeave);
      window.addEventListener('drop', this.onWindowDrop);
    }
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    window.removeEventListener('dragover', this.onWindowDragOver);
    window.removeEventListener('dragleave', this.onWindowDragLeave);
    window.removeEventListener('drop', this.onWindowDrop);
    this.abort?.abort();
  }

  private emit<T>(type: 'check-start' | 'check-progress' | 'check-complete', detail: T) {
    this.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
  }

  /** Checks these files (an image and the files it refers to). */
  async check(files: File[]): Promise<Report | null> {
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    this.reports = [];
    this.failure = '';
    this.notice = '';
    this.progress = { phase: 'opening', bytesRead: 0, readCalls: 0 };
    this.phaseStart = null;
    this.emit('check-start', { files: files.map((f) => f.name) });
    try {
      const run = (set: File[]) => checkImage(set, {
        signal: abort.signal,
        onProgress: (p) => { this.progress = p; this.emit('check-progress', p); },
      });
      const report = await run(files);
      if (this.abort !== abort) return null;
      // Files that are not parts of one disk (no backing file, parent or
      // extent between them) are separate images: check each, one after another.
      if (files.length > 1 && report.error?.code === 'container.several-images') {
        this.notice = t(this.language, 'several', { count: files.length });
        for (const f of files) {
          const one = await run([f]);
          if (this.abort !== abort) return null;
          this.reports = [...this.reports, one];
          this.emit('check-complete', one);
        }
        return this.reports[0] ?? null;
      }
      this.reports = [report];
      this.emit('check-complete', report);
      return report;
    } catch (e) {
      if (e instanceof CheckCancelled) this.notice = t(this.language, 'cancelled');
      else this.failure = t(this.language, 'failed', { message: (e as Error).message });
      return null;
    } finally {
      if (this.abort === abort) { this.abort = null; this.progress = null; }
    }
  }

  private cancel() {
    this.abort?.abort();
  }

  /** The app's sample (test/fixtures/recipes/guest-disks.sh) ships gzipped; the browser inflates it into a File. */
  private async trySample() {
    this.failure = '';
    this.loading = true;
    try {
      const url = new URL(this.sample, document.baseURI);
      const res = await fetch(url);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      let blob = await res.blob();
      // A server may already have undone the gzip (Content-Encoding): inflate only what is still gzip.
      const magic = new Uint8Array(await blob.slice(0, 2).arrayBuffer());
      if (magic[0] === 0x1f && magic[1] === 0x8b) blob = await new Response(blob.stream().pipeThrough(new DecompressionStream('gzip'))).blob();
      this.loading = false;
      const name = decodeURIComponent(url.pathname.split('/').pop() || 'sample.img').replace(/\.gz$/, '');
      await this.check([new File([blob], name)]);
    } catch (e) {
      this.failure = t(this.language, 'failed', { message: (e as Error).message });
    } finally {
      this.loading = false;
    }
  }

  private onPick(e: Event) {
    const input = e.target as HTMLInputElement;
    if (input.files?.length) void this.check([...input.files]);
    input.value = '';
  }

  private onDrop(e: DragEvent) {
    e.preventDefault();
    e.stopPropagation();
    this.over = false;
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length) void this.check(files);
  }

  private async exportAs(r: Report, kind: 'json' | 'md' | 'zip') {
    const lang = this.language, base = baseName(r);
    if (kind === 'json') download(new Blob([reportJson(r)], { type: 'application/json' }), `${base}.json`);
    else if (kind === 'md') download(new Blob([formatMarkdown(r, lang)], { type: 'text/markdown' }), `${base}.md`);
    else download(await reportZip(r, lang), `${base}.zip`);
  }

  private renderProgress(lang: Lang) {
    if (this.loading) return html`<span>${t(lang, 'phase.loading')}…</span>`;
    const p = this.progress;
    if (!p || !this.abort) return nothing;
    // A phase that knows its total (the one pass over a compressed image) gets
    // its own bar and an estimate from the rate so far; the others are steps.
    if (p.total && p.total > 0) {
      const started = (this.phaseStart ??= { phase: p.phase, at: performance.now() });
      if (started.phase !== p.phase) this.phaseStart = { phase: p.phase, at: performance.now() };
      const secs = (performance.now() - this.phaseStart!.at) / 1000;
      const left = p.bytesRead > 0 ? Math.max(0, Math.round((secs * (p.total - p.bytesRead)) / p.bytesRead)) : '…';
      return html`
        <div>${t(lang, `phase.${p.phase}`)}… <span class="muted">${t(lang, 'progress.of', { done: formatBytes(p.bytesRead, lang), total: formatBytes(p.total, lang), seconds: left })}</span></div>
        <progress part="progress" max=${p.total} value=${p.bytesRead} aria-label=${t(lang, 'progress.label')}></progress>`;
    }
    const step = Math.max(0, PHASES.indexOf(p.phase));
    return html`
      <div>${t(lang, `phase.${p.phase}`)}… <span class="muted">${t(lang, 'progress.read', { bytes: formatBytes(p.bytesRead, lang), calls: p.readCalls })}</span></div>
      <progress part="progress" max=${PHASES.length - 1} value=${step} aria-label=${t(lang, 'progress.label')}></progress>`;
  }

  private renderReport(r: Report, lang: Lang, i: number, total: number) {
    const img = r.image;
    // ids stay plain for the first (or only) image, so links and tests find it
    const id = (name: string) => (i === 0 ? name : `${name}-${i + 1}`);
    return html`
      <section class="report" aria-labelledby=${id('image-heading')}>
        <h2 id=${id('image-heading')}>${total > 1 ? t(lang, 'image.headingOf', { n: i + 1, total, name: img.files.join(', ') }) : t(lang, 'image.heading')}</h2>
        <p id=${id('summary')}>${t(lang, 'image.summary', { files: img.files.join(', '), format: img.format, size: formatBytes(img.virtualSize, lang), table: img.partitionTable })}${r.platform ? html`<br />${t(lang, 'image.platform', { platform: r.platform })}` : nothing}</p>
        ${img.notes.map((n) => html`<p class="muted">${noteText(lang, n)}</p>`)}
        ${img.tableError ? html`<p class="fail-text">${t(lang, 'image.tableError', { message: tableErrorText(lang, img.tableError) })}</p>` : nothing}
        ${r.error ? html`<p class="fail-text" id=${id('error')}>${t(lang, 'image.error', { message: reportErrorText(lang, r.error) })}</p>` : nothing}
        ${renderLayout(img, lang)}
        ${r.error ? nothing : renderFindings(r.findings, lang, id('results'))}
        <h3>${t(lang, 'export.heading')}</h3>
        <div class="exports">
          <button type="button" id=${id('export-json')} @click=${() => this.exportAs(r, 'json')}>${t(lang, 'export.json')}</button>
          <button type="button" id=${id('export-md')} @click=${() => this.exportAs(r, 'md')}>${t(lang, 'export.md')}</button>
          <button type="button" id=${id('export-zip')} @click=${() => this.exportAs(r, 'zip')}>${t(lang, 'export.zip')}</button>
        </div>
        <p class="muted" id=${id('stats')}>${t(lang, 'stats.line', { bytes: formatBytes(r.stats.bytesRead, lang), calls: r.stats.readCalls, ms: r.stats.elapsedMs })}</p>
      </section>`;
  }

  render() {
    const lang = this.language;
    const busy = this.abort !== null || this.loading;
    return html`
      <div class="top">
        <label>${t(lang, 'lang.label')}
          <select id="lang" @change=${(e: Event) => (this.lang = (e.target as HTMLSelectElement).value)}>
            ${LANGS.map((l) => html`<option value=${l} ?selected=${l === lang}>${t(l, `lang.${l}`)}</option>`)}
          </select>
        </label>
      </div>
      <slot name="intro"></slot>
      <div class="drop ${this.over ? 'over' : ''}" part="drop-zone"
        @dragover=${(e: DragEvent) => { e.preventDefault(); this.over = true; }}
        @dragleave=${() => (this.over = false)}
        @drop=${this.onDrop}>
        <p>${this.over ? t(lang, 'drop.active') : t(lang, 'drop.prompt')}
          <label class="pick">${t(lang, 'drop.pick')}<input id="file" type="file" multiple @change=${this.onPick} /></label></p>
        ${this.sample ? html`<button type="button" id="sample" class="primary" ?disabled=${busy} @click=${this.trySample}>${t(lang, 'drop.sample')}</button>` : nothing}
        ${this.abort ? html`<button type="button" id="cancel" @click=${this.cancel}>${t(lang, 'drop.cancel')}</button>` : nothing}
      </div>
      <div class="status" role="status" aria-live="polite">
        ${this.renderProgress(lang)}
        ${this.notice ? html`<span>${this.notice}</span>` : nothing}
        ${this.failure ? html`<span class="fail-text" id="failure">${this.failure}</span>` : nothing}
      </div>
      ${this.reports.map((r, i) => this.renderReport(r, lang, i, this.reports.length))}
      <slot name="about"><section class="about" aria-labelledby="about-heading">
        <h2 id="about-heading">${t(lang, 'privacy.heading')}</h2>
        <p>${t(lang, 'privacy.body1')}</p>
        <p>${t(lang, 'privacy.body2')}</p>
      </section></slot>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'image-check': ImageCheck }
}
