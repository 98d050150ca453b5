// SPDX-License-Identifier: Apache-2.0
// A finding's and a report's prose in the reader's language. English is the
// report's own strings, exactly as the JSON carries them; another language
// renders the catalog messages behind them. A string without a message is
// either the guest's own text (a file line, a registry value, a command) or a
// fixed English sentence of a rule that writes strings directly; the latter is
// found by its English text in the catalog.
import type { Finding, VolumeInfo } from './types';
import { catalogKeys, render, t, type Lang } from './i18n';
import { errorMessage, splitCodedError } from './engine-error';
import { engineSentence } from './engine-sentences';
import { ruleSentence } from './rule-sentences';

export interface FindingText {
  value: string;
  solution: string;
  evidence: string[];
}

let byEnglish: Map<string, string> | null = null;

/** A fixed (parameterless) English sentence of the catalog in this language; otherwise the text as it is. */
export function knownSentence(lang: Lang, text: string): string {
  if (lang === 'en' || text === '') return text;
  if (byEnglish === null) {
    byEnglish = new Map();
    for (const k of catalogKeys('en')) {
      if (!/^(fix|ev|value)\./.test(k)) continue;
      const s = t('en', k);
      if (!/\{\w+\}/.test(s) && !byEnglish.has(s)) byEnglish.set(s, k);
    }
  }
  const key = byEnglish.get(text);
  if (key) return t(lang, key);
  const m = ruleSentence(text);
  return m ? render(lang, m) : text;
}

/** "unknown (machine 0x1c4)": a value some rules still write as English prose */
const UNKNOWN_OF = /^unknown \((.+)\)$/;

/** A value in this language: the API's words stay, the one prose form rules write directly is said from the catalog. */
export function knownValue(lang: Lang, value: string): string {
  const u = lang === 'en' ? null : UNKNOWN_OF.exec(value);
  return u ? t(lang, 'value.unknownOf', { what: u[1] }) : value;
}

export function findingText(lang: Lang, f: Finding): FindingText {
  if (lang === 'en') return { value: f.value, solution: f.solution, evidence: f.evidence.map((e) => e.text) };
  const m = f.messages ?? {};
  return {
    value: m.value ? render(lang, m.value) : knownValue(lang, f.value),
    solution: m.solution ? render(lang, m.solution) : knownSentence(lang, f.solution),
    evidence: f.evidence.map((e, i) => {
      const em = m.evidence?.[i];
      return em ? render(lang, em) : knownSentence(lang, e.text);
    }),
  };
}

/** The report's error (the image could not be read) in this language: what it means, then the engine's detail. */
export function reportErrorText(lang: Lang, e: { code: string; message: string }): string {
  return lang === 'en' ? e.message : render(lang, errorMessage(e.code, e.message));
}

/** ImageInfo.tableError ("code: detail") in this language. */
export function tableErrorText(lang: Lang, s: string): string {
  const c = splitCodedError(s);
  return lang === 'en' || c === null ? s : render(lang, errorMessage(c.code, c.detail));
}

/** One of ImageInfo.notes in this language: a known engine sentence is said from the catalog, another is marked as the engine's own English. */
export function noteText(lang: Lang, note: string): string {
  if (lang === 'en') return note;
  const m = engineSentence(note);
  return m ? render(lang, m) : t(lang, 'image.note', { note });
}

/** A volume's filesystem error in this language. */
export function volumeErrorText(lang: Lang, v: VolumeInfo): string {
  if (!v.error) return '';
  if (lang === 'en') return v.error;
  const c = v.errorCode ? { code: v.errorCode, detail: v.error } : splitCodedError(v.error);
  return c ? render(lang, errorMessage(c.code, c.detail)) : v.error;
}

