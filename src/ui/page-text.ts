// SPDX-License-Identifier: Apache-2.0
// The host page's static text (elements marked data-i18n="key", and the
// document's title and lang) follows the language the element shows, and
// follows it again whenever the person switches (the element reflects `lang`).
// No inline script is involved, so the strict CSP stays as it is.
import type { ImageCheck } from './image-check';
import type { Lang } from '../report/i18n';

type Translate = (lang: Lang, key: string) => string;

export function pageText(doc: Document, el: ImageCheck, t: Translate): void {
  const apply = () => {
    const lang = el.currentLang;
    doc.documentElement.lang = lang;
    doc.title = t(lang, 'page.title');
    for (const n of doc.querySelectorAll<HTMLElement>('[data-i18n]')) n.textContent = t(lang, n.dataset.i18n!);
  };
  new MutationObserver(apply).observe(el, { attributes: true, attributeFilter: ['lang'] });
  apply();
}
