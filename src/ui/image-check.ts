// SPDX-License-Identifier: Apache-2.0
import { LitElement, html, css, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { checkImage, CheckCancelled } from '../client/checker';
import type { Progress, Report, Finding } from '../report/types';

/**
 * @summary Checks a disk image dropped or picked by the person, in a worker.
 * @event check-complete - detail: the Report
 */
@customElement('image-check')
export class ImageCheck extends LitElement {
  static styles = css`
    :host { display: block; }
    .drop { border: 2px dashed #888; border-radius: 8px; padding: 1.5rem; text-align: center; }
    .drop.over { border-color: #2a6fdb; background: rgba(42, 111, 219, 0.08); }
    table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
    th, td { text-align: left; padding: 0.35rem 0.5rem; border-bottom: 1px solid rgba(128, 128, 128, 0.3); vertical-align: top; }
    .pass { color: #1a7f37; } .fail { color: #cf222e; } .warn { color: #9a6700; } .error { color: #8250df; } .info { color: inherit; }
    .ev { font-family: ui-monospace, monospace; font-size: 0.85em; opacity: 0.8; }
    [role='status'] { margin-top: 0.75rem; min-height: 1.4em; }
  `;

  @state() private progress: Progress | null = null;
  @state() private report: Report | null = null;
  @state() private failure = '';
  @state() private over = false;
  private abort: AbortController | null = null;

  private async run(files: File[]) {
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    this.report = null;
    this.failure = '';
    try {
      this.report = await checkImage(files, { signal: abort.signal, onProgress: (p) => (this.progress = p) });
      this.dispatchEvent(new CustomEvent('check-complete', { detail: this.report, bubbles: true, composed: true }));
    } catch (e) {
      if (!(e instanceof CheckCancelled)) this.failure = (e as Error).message;
    } finally {
      if (this.abort === abort) { this.abort = null; this.progress = null; }
    }
  }

  /** The sample (test/fixtures/recipes/guest-disks.sh) ships gzipped; the browser inflates it into a File. */
  private async trySample() {
    this.failure = '';
    try {
      const res = await fetch(new URL('samples/sample-debian12.img.gz', document.baseURI));
      if (!res.ok) throw new Error(`could not load the sample image (HTTP ${res.status})`);
      let blob = await res.blob();
      // A server may already have undone the gzip (Content-Encoding): inflate only what is still gzip.
      const magic = new Uint8Array(await blob.slice(0, 2).arrayBuffer());
      if (magic[0] === 0x1f && magic[1] === 0x8b) blob = await new Response(blob.stream().pipeThrough(new DecompressionStream('gzip'))).blob();
      await this.run([new File([blob], 'sample-debian12.img')]);
    } catch (e) {
      this.failure = (e as Error).message;
    }
  }

  private onPick(e: Event) {
    const input = e.target as HTMLInputElement;
    if (input.files?.length) void this.run([...input.files]);
  }

  private onDrop(e: DragEvent) {
    e.preventDefault();
    this.over = false;
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length) void this.run(files);
  }

  private row(f: Finding) {
    return html`<tr>
      <td>${f.name}</td>
      <td class=${f.status}>${f.status}${f.riskLevel ? html` (${f.riskLevel})` : nothing}</td>
      <td>${f.value}</td>
      <td>${f.evidence.map((e) => html`<div class="ev">${e.path}${e.line ? `:${e.line}` : ''} ${e.text}</div>`)}</td>
      <td>${f.status === 'pass' ? '' : f.solution}</td>
    </tr>`;
  }

  render() {
    const r = this.report;
    return html`
      <div class="drop ${this.over ? 'over' : ''}"
        @dragover=${(e: DragEvent) => { e.preventDefault(); this.over = true; }}
        @dragleave=${() => (this.over = false)}
        @drop=${this.onDrop}>
        <label>Drop a disk image here, or pick one: <input type="file" multiple @change=${this.onPick} /></label>
        <button id="sample" @click=${this.trySample}>Try a sample image</button>
        ${this.abort ? html`<button @click=${() => this.abort?.abort()}>Cancel</button>` : nothing}
      </div>
      <div role="status" aria-live="polite">
        ${this.progress && this.abort ? `${this.progress.phase}… ${this.progress.bytesRead} bytes read in ${this.progress.readCalls} calls` : ''}
        ${this.failure ? html`<span class="fail">${this.failure}</span>` : nothing}
      </div>
      ${r ? html`
        <p>${r.image.files.join(', ')}: ${r.image.format}, ${r.image.virtualSize} bytes, partition table ${r.image.partitionTable}${r.platform ? `, ${r.platform}` : ''}</p>
        ${r.error ? html`<p class="fail" id="error">${r.error.message}</p>` : html`
        <table id="results">
          <thead><tr><th>Item</th><th>Status</th><th>Value</th><th>Evidence</th><th>Fix</th></tr></thead>
          <tbody>${r.findings.map((f) => this.row(f))}</tbody>
        </table>`}
        <p class="ev">Read ${r.stats.bytesRead} bytes in ${r.stats.readCalls} calls, ${r.stats.elapsedMs} ms.</p>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'image-check': ImageCheck }
}
