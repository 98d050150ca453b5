// SPDX-License-Identifier: Apache-2.0
// The part of YAML 1.1/1.2 that netplan and cloud-init network files use:
// block mappings and sequences by indentation, flow [..] and {..}
// collections (also across lines), plain and quoted scalars, comments.
// Every node keeps its first and last line, which the evidence and the
// line-addressed fixes need; general YAML libraries do not keep these for
// plain values. Anchors, tags and block scalars (| >) are read as text.

export type YNode =
  | { t: 'map'; line: number; end: number; map: Map<string, { keyLine: number; v: YNode }> }
  | { t: 'seq'; line: number; end: number; items: YNode[] }
  | { t: 'str'; line: number; end: number; v: string; quoted: boolean };

export class YamlError extends Error {}

const MAX_LINES = 20_000;
const MAX_DEPTH = 64;

interface Line { n: number; ind: number; s: string }

/** The line without its comment: "#" at the start or after a blank, outside quotes. */
function stripComment(s: string): string {
  let q = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) { if (c === q) q = ''; else if (c === '\\' && q === '"') i++; continue; }
    if (c === '"' || c === "'") { if (i === 0 || /[\s[{,:-]/.test(s[i - 1])) q = c; continue; }
    if (c === '#' && (i === 0 || /\s/.test(s[i - 1]))) return s.substring(0, i);
  }
  return s;
}

function unquote(s: string): { v: string; quoted: boolean } {
  const t = s.trim();
  if (t.length >= 2 && t[0] === "'" && t[t.length - 1] === "'") return { v: t.substring(1, t.length - 1).replace(/''/g, "'"), quoted: true };
  if (t.length >= 2 && t[0] === '"' && t[t.length - 1] === '"') {
    const inner = t.substring(1, t.length - 1).replace(/\\(["\\/nt])/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
    return { v: inner, quoted: true };
  }
  return { v: t, quoted: false };
}

const KEY = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s'"\-[{?][^#]*?|-[^\s][^#]*?)\s*:(?:\s+(.*)|$)/;

function parseFlow(text: string, line: number, end: number): YNode {
  let i = 0;
  const ws = () => { while (i < text.length && /\s/.test(text[i])) i++; };
  const value = (depth: number): YNode => {
    if (depth > MAX_DEPTH) throw new YamlError(`line ${line}: flow collections nested deeper than ${MAX_DEPTH}`);
    ws();
    if (text[i] === '[') {
      i++;
      const items: YNode[] = [];
      for (;;) {
        ws();
        if (i >= text.length) throw new YamlError(`line ${line}: unclosed [`);
        if (text[i] === ']') { i++; break; }
        const at = i;
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') i++;
        else if (i === at) throw new YamlError(`line ${line}: unexpected "${text[i]}" in a [ ] sequence`);
      }
      return { t: 'seq', line, end, items };
    }
    if (text[i] === '{') {
      i++;
      const map = new Map<string, { keyLine: number; v: YNode }>();
      for (;;) {
        ws();
        if (i >= text.length) throw new YamlError(`line ${line}: unclosed {`);
        if (text[i] === '}') { i++; break; }
        const at = i;
        const k = scalar(true);
        ws();
        let v: YNode = { t: 'str', line, end, v: '', quoted: false };
        if (text[i] === ':') { i++; v = value(depth + 1); }
        map.set(unquote(k).v, { keyLine: line, v });
        ws();
        if (text[i] === ',') i++;
        else if (i === at) throw new YamlError(`line ${line}: unexpected "${text[i]}" in a { } mapping`);
      }
      return { t: 'map', line, end, map };
    }
    const u = unquote(scalar(false));
    return { t: 'str', line, end, v: u.v, quoted: u.quoted };
  };
  const scalar = (isKey: boolean): string => {
    const start = i;
    if (text[i] === '"' || text[i] === "'") {
      const q = text[i++];
      while (i < text.length && text[i] !== q) { if (text[i] === '\\' && q === '"') i++; i++; }
      i++;
      return text.substring(start, i);
    }
    while (i < text.length && !(text[i] === ',' || text[i] === ']' || text[i] === '}' || (isKey && text[i] === ':' && /[\s,}]/.test(text[i + 1] ?? ' ')))) i++;
    return text.substring(start, i);
  };
  const v = value(0);
  return v;
}

function balance(s: string): number {
  let b = 0, q = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) { if (c === q) q = ''; continue; }
    if (c === '"' || c === "'") q = c;
    else if (c === '[' || c === '{') b++;
    else if (c === ']' || c === '}') b--;
  }
  return b;
}

export function parseYaml(text: string): YNode | null {
  const raw = text.split('\n');
  if (raw.length > MAX_LINES) throw new YamlError(`more than ${MAX_LINES} lines`);
  const lines: Line[] = [];
  raw.forEach((r, k) => {
    const noTab = r.replace(/\r$/, '');
    const s = stripComment(noTab).trimEnd();
    if (s.trim() === '' || s.trim() === '---' || s.trim() === '...' || s.startsWith('%')) return;
    lines.push({ n: k + 1, ind: s.length - s.trimStart().length, s: s.trimStart() });
  });
  let pos = 0;
  const isSeq = (s: string) => s === '-' || s.startsWith('- ');

  /** A value written after "key:" or "- ": a scalar, or a flow collection that may run over several lines. */
  const inlineValue = (rest: string, line: number): YNode => {
    if (rest.startsWith('[') || rest.startsWith('{')) {
      let t = rest, end = line;
      while (balance(t) > 0 && pos < lines.length) { t += ' ' + lines[pos].s; end = lines[pos].n; pos++; }
      return parseFlow(t, line, end);
    }
    if (rest === '|' || rest === '>' || /^[|>][+-]?\d*$/.test(rest)) {
      const parts: string[] = [];
      let end = line;
      const base = pos < lines.length ? lines[pos].ind : 0;
      while (pos < lines.length && lines[pos].ind >= base && lines[pos].n > line && base > 0) { parts.push(lines[pos].s); end = lines[pos].n; pos++; }
      return { t: 'str', line, end, v: parts.join(rest[0] === '|' ? '\n' : ' '), quoted: true };
    }
    const u = unquote(rest.replace(/^&\S+\s*/, '').replace(/^!!?\S+\s+/, ''));
    return { t: 'str', line, end: line, v: u.v, quoted: u.quoted };
  };

  const node = (depth: number): YNode => {
    if (depth > MAX_DEPTH) throw new YamlError(`line ${lines[pos].n}: nested deeper than ${MAX_DEPTH}`);
    const L = lines[pos];
    return isSeq(L.s) ? seq(L.ind, depth) : map(L.ind, depth);
  };

  const childOf = (ind: number, line: number, depth: number, allowSameIndentSeq: boolean): YNode => {
    if (pos < lines.length && (lines[pos].ind > ind || (allowSameIndentSeq && lines[pos].ind === ind && isSeq(lines[pos].s)))) return node(depth + 1);
    return { t: 'str', line, end: line, v: '', quoted: false };
  };

  const map = (ind: number, depth: number): YNode => {
    const out: YNode = { t: 'map', line: lines[pos].n, end: lines[pos].n, map: new Map() };
    while (pos < lines.length && lines[pos].ind === ind && !isSeq(lines[pos].s)) {
      const L = lines[pos];
      const m = KEY.exec(L.s);
      if (!m) throw new YamlError(`line ${L.n}: expected "key: value", found "${L.s}"`);
      pos++;
      const key = unquote(m[1]).v;
      const rest = (m[2] ?? '').trim();
      const v = rest !== '' && !/^&\S+$/.test(rest) ? inlineValue(rest, L.n) : childOf(ind, L.n, depth, true);
      out.map.set(key, { keyLine: L.n, v });
      out.end = Math.max(out.end, v.end);
    }
    if (pos < lines.length && lines[pos].ind > ind) throw new YamlError(`line ${lines[pos].n}: unexpected indentation`);
    return out;
  };

  const seq = (ind: number, depth: number): YNode => {
    const out: YNode = { t: 'seq', line: lines[pos].n, end: lines[pos].n, items: [] };
    while (pos < lines.length && lines[pos].ind === ind && isSeq(lines[pos].s)) {
      const L = lines[pos];
      const rest = L.s.substring(1).trimStart();
      let v: YNode;
      if (rest === '') { pos++; v = childOf(ind, L.n, depth, false); }
      else if (KEY.test(rest) && !rest.startsWith('[') && !rest.startsWith('{') && !rest.startsWith('"') && !rest.startsWith("'")) {
        // "- key: value" opens a mapping indented to where "key" starts
        lines[pos] = { n: L.n, ind: ind + (L.s.length - rest.length), s: rest };
        v = map(lines[pos].ind, depth + 1);
      } else { pos++; v = inlineValue(rest, L.n); }
      out.items.push(v);
      out.end = Math.max(out.end, v.end);
    }
    return out;
  };

  if (lines.length === 0) return null;
  const root = node(0);
  if (pos < lines.length) throw new YamlError(`line ${lines[pos].n}: unexpected "${lines[pos].s}"`);
  return root;
}

/** The node at a key path, or undefined. */
export function yget(n: YNode | null | undefined, ...path: string[]): YNode | undefined {
  let cur: YNode | undefined = n ?? undefined;
  for (const k of path) {
    if (cur === undefined || cur.t !== 'map') return undefined;
    cur = cur.map.get(k)?.v;
  }
  return cur;
}

/** YAML 1.1 booleans as netplan reads them. */
export function ybool(n: YNode | undefined): boolean | null {
  if (n === undefined || n.t !== 'str') return null;
  const v = n.v.toLowerCase();
  if (['true', 'yes', 'on', 'y'].includes(v)) return true;
  if (['false', 'no', 'off', 'n'].includes(v)) return false;
  return null;
}
