// SPDX-License-Identifier: Apache-2.0
// Every string the page and the Markdown report show comes from a catalog, in
// English and Japanese (the original product page is Japanese). Templates call
// t(); a finding's prose travels as catalog messages (Finding.messages) beside
// its English strings and is rendered here in the reader's language.
//
// Not translated, by decision: values the cloud's API returns (`Supported`,
// `UEFI`, `Enforcing`, version strings) are shown as the API gives them, since
// people compare them with the console; commands, file lines and registry
// values are the guest's own text; an engine error's technical detail
// (offsets, structures) is shown as the engine gives it, after a sentence in
// the reader's language that says what the error means.
import type { Message, MessageParam } from './types';
import { uiEn } from './messages/ui.en';
import { uiJa } from './messages/ui.ja';
import { linuxEn } from './messages/linux.en';
import { linuxJa } from './messages/linux.ja';
import { windowsEn } from './messages/windows.en';
import { windowsJa } from './messages/windows.ja';
import { errorsEn } from './messages/errors.en';
import { errorsJa } from './messages/errors.ja';
import { engineEn } from './messages/engine.en';
import { engineJa } from './messages/engine.ja';

export type Lang = 'en' | 'ja';
export const LANGS: Lang[] = ['en', 'ja'];

type Catalog = Record<string, string>;

const catalogs: Record<Lang, Catalog> = {
  en: { ...uiEn, ...linuxEn, ...windowsEn, ...errorsEn, ...engineEn },
  ja: { ...uiJa, ...linuxJa, ...windowsJa, ...errorsJa, ...engineJa },
};

/** The first of the browser's preferred languages we have a catalog for. */
export function pickLang(preferred: readonly string[]): Lang {
  for (const p of preferred) {
    const base = p.toLowerCase().split('-')[0];
    if ((LANGS as string[]).includes(base)) return base as Lang;
  }
  return 'en';
}

export function t(lang: Lang, key: string, vars: Record<string, string | number> = {}): string {
  const s = catalogs[lang][key] ?? catalogs.en[key];
  if (s === undefined) throw new Error(`no message "${key}"`);
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

/** Whether a catalog has this key. */
export function hasMessage(lang: Lang, key: string): boolean {
  return key in catalogs[lang];
}

/** A catalog message in this language, its message parameters rendered in the same language. */
export function render(lang: Lang, m: Message): string {
  const vars: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(m.params ?? {})) vars[k] = param(lang, v);
  return t(lang, m.key, vars);
}

function param(lang: Lang, v: MessageParam): string | number {
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (Array.isArray(v)) return v.map((x) => render(lang, x)).join(t(lang, 'list.clauses'));
  if ('comma' in v) return v.comma.map((x) => render(lang, x)).join(t(lang, 'list.comma'));
  if ('items' in v) return v.items.map((x) => render(lang, x)).join(t(lang, 'list.items'));
  return render(lang, v);
}

/** An item's display name; an item this catalog does not know keeps its API name. */
export function itemName(lang: Lang, name: string): string {
  return catalogs[lang][`item.${name}`] ?? name;
}

/** The keys of every catalog, for the test that they all agree. */
export function catalogKeys(lang: Lang): string[] {
  return Object.keys(catalogs[lang]);
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
export function formatBytes(n: number, lang: Lang): string {
  let i = 0, v = n;
  while (v >= 1024 && i < UNITS.length - 1) { v /= 1024; i++; }
  const num = new Intl.NumberFormat(lang, { maximumFractionDigits: i === 0 ? 0 : v < 10 ? 2 : 1 }).format(v);
  return `${num} ${UNITS[i]}`;
}
