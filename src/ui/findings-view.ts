// SPDX-License-Identifier: Apache-2.0
// The findings grouped by status, most urgent first. Each item is a native
// <details> (keyboard and screen-reader support come with it) that opens to
// the evidence and the fix; commands in the fix (written in `backticks` by
// the rules) get a copy button.
import { html, css, nothing, type TemplateResult } from 'lit';
import type { Finding, Status } from '../report/types';
import { itemName, t, type Lang } from '../report/i18n';
import { findingText } from '../report/finding-text';

export const STATUS_ORDER: Status[] = ['fail', 'error', 'warn', 'info', 'pass'];

export const findingsStyles = css`
  .group h4 { margin: 1rem 0 0.25rem; }
  details { border: 1px solid var(--gc-border); border-left-width: 4px; border-radius: 6px; margin: 0.3rem 0; padding: 0.1rem 0.6rem; }
  details.fail { border-left-color: var(--gc-fail); } details.error { border-left-color: var(--gc-error); }
  details.warn { border-left-color: var(--gc-warn); } details.pass { border-left-color: var(--gc-pass); }
  details.info { border-left-color: var(--gc-muted); }
  summary { cursor: pointer; padding: 0.35rem 0; display: flex; gap: 0.75rem; align-items: baseline; flex-wrap: wrap; }
  summary::-webkit-details-marker { display: none; }
  summary::before { content: '▸'; width: 0.8em; color: var(--gc-muted); }
  details[open] > summary::before { content: '▾'; }
  summary:focus-visible { outline: 2px solid var(--gc-accent); outline-offset: 2px; }
  .name { font-weight: 600; min-width: 14rem; }
  .value { font-family: ui-monospace, monospace; }
  .risk { font-size: 0.8em; padding: 0 0.45em; border-radius: 4px; color: #fff; }
  .risk.High { background: var(--gc-risk-high); } .risk.Medium { background: var(--gc-warn-strong); }
  .ev { list-style: none; padding: 0; margin: 0.25rem 0; }
  .ev li { font-family: ui-monospace, monospace; font-size: 0.85em; margin: 0.15rem 0; overflow-wrap: anywhere; }
  .ev .path { color: var(--gc-muted); }
  .cmd { display: flex; gap: 0.5rem; align-items: flex-start; margin: 0.3rem 0; }
  .cmd pre { margin: 0; padding: 0.4rem 0.6rem; background: var(--gc-code-bg); border-radius: 4px; overflow-x: auto; flex: 1; }
`;

/** Splits a fix text into prose and the `commands` inside it. */
export function fixParts(solution: string): { text: string; code: boolean }[] {
  const parts: { text: string; code: boolean }[] = [];
  const re = /`([^`]+)`/g;
  let last = 0, m: RegExpExecArray | null;
  while ((m = re.exec(solution)) !== null) {
    if (m.index > last) parts.push({ text: solution.slice(last, m.index), code: false });
    parts.push({ text: m[1], code: true });
    last = m.index + m[0].length;
  }
  if (last < solution.length) parts.push({ text: solution.slice(last), code: false });
  return parts;
}

function copyButton(text: string, lang: Lang): TemplateResult {
  const onClick = async (e: Event) => {
    const b = e.currentTarget as HTMLButtonElement;
    try {
      await navigator.clipboard.writeText(text);
      b.textContent = t(lang, 'results.copied');
    } catch {
      // no clipboard permission (e.g. file://): select the text so Ctrl+C works
      const pre = b.previousElementSibling;
      if (pre) getSelection()?.selectAllChildren(pre);
    }
  };
  return html`<button type="button" class="copy" @click=${onClick}>${t(lang, 'results.copy')}</button>`;
}

function renderFinding(f: Finding, lang: Lang): TemplateResult {
  const text = findingText(lang, f);
  const showFix = f.status !== 'pass' && text.solution !== '';
  return html`<details class=${f.status} part="finding finding-${f.status}" data-item=${f.name}>
    <summary>
      <span class="name">${itemName(lang, f.name)}</span>
      <span class="value">${text.value}</span>
      ${f.riskLevel ? html`<span class="risk ${f.riskLevel}">${t(lang, 'results.risk', { level: f.riskLevel, code: f.riskCode })}</span>` : nothing}
    </summary>
    <div class="body">
      <strong>${t(lang, 'results.evidence')}</strong>
      ${f.evidence.length === 0 ? html`<p>${t(lang, 'results.noEvidence')}</p>` : html`<ul class="ev">
        ${f.evidence.map((e, i) => html`<li><span class="path">${e.path}${e.line ? `:${e.line}` : ''}</span> ${text.evidence[i]}</li>`)}
      </ul>`}
      ${showFix ? html`<strong>${t(lang, 'results.fix')}</strong>
        <div class="fix">${fixParts(text.solution).map((p) => p.code
          ? html`<div class="cmd"><pre><code>${p.text}</code></pre>${copyButton(p.text, lang)}</div>`
          : html`<span>${p.text}</span>`)}</div>
        ${f.command ? html`<div class="cmd"><pre><code>${f.command}</code></pre>${copyButton(f.command, lang)}</div>` : nothing}` : nothing}
    </div>
  </details>`;
}

export function statusCounts(findings: Finding[]): Record<Status, number> {
  const c: Record<Status, number> = { fail: 0, error: 0, warn: 0, info: 0, pass: 0 };
  for (const f of findings) c[f.status]++;
  return c;
}

export function renderFindings(findings: Finding[], lang: Lang, id = 'results'): TemplateResult {
  const counts = statusCounts(findings);
  return html`
    <h3>${t(lang, 'results.heading')}</h3>
    <p class="counts">${t(lang, 'results.counts', counts)}</p>
    <div id=${id}>
      ${STATUS_ORDER.filter((s) => counts[s] > 0).map((s) => html`<section class="group" data-status=${s}>
        <h4>${t(lang, `status.${s}`)} (${counts[s]})</h4>
        ${findings.filter((f) => f.status === s).map((f) => renderFinding(f, lang))}
      </section>`)}
    </div>`;
}
