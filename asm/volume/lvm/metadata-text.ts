// SPDX-License-Identifier: Apache-2.0
// The LVM2 text format (lib/format_text, "config" syntax): sections `name {
// ... }`, assignments `key = value` whose value is a number, a "string" or a
// [list] of them, and # comments. Parsed into a small tree; depth, node count
// and text size are bounded so that damaged metadata cannot run away.

import { corrupt, limit } from "../../util/error";

const MAX_DEPTH: i32 = 32;
const MAX_NODES: i32 = 1 << 18;
const MAX_LIST: i32 = 1 << 16;

export class CfgValue {
  constructor(public isString: bool, public str: string, public num: i64) {}
}

export class CfgNode {
  /** a section (children) or an assignment (values; `isList` when written as [..]) */
  isSection: bool = false;
  isList: bool = false;
  children: CfgNode[] = [];
  values: CfgValue[] = [];
  constructor(public name: string) {}

  child(name: string): CfgNode | null {
    for (let i = 0; i < this.children.length; i++) if (this.children[i].name == name) return this.children[i];
    return null;
  }
  section(name: string): CfgNode | null {
    const c = this.child(name);
    return c !== null && c.isSection ? c : null;
  }
  /** The string value of assignment `name`, or `dflt`. */
  str(name: string, dflt: string): string {
    const c = this.child(name);
    if (c === null || c.isSection || c.values.length != 1 || !c.values[0].isString) return dflt;
    return c.values[0].str;
  }
  /** The integer value of assignment `name`, or -1 when absent or not a number. */
  num(name: string): i64 {
    const c = this.child(name);
    if (c === null || c.isSection || c.values.length != 1 || c.values[0].isString) return -1;
    return c.values[0].num;
  }
  /** The strings of list `name` (status flags). */
  strings(name: string): string[] {
    const out: string[] = [];
    const c = this.child(name);
    if (c === null || c.isSection) return out;
    for (let i = 0; i < c.values.length; i++) if (c.values[i].isString) out.push(c.values[i].str);
    return out;
  }
}

class Lexer {
  pos: i32 = 0;
  line: i32 = 1;
  nodes: i32 = 0;
  constructor(public s: string, public where: string) {}

  skipSpace(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c == 0x23) { // # comment to end of line
        while (this.pos < s.length && s.charCodeAt(this.pos) != 0x0a) this.pos++;
      } else if (c == 0x0a) { this.line++; this.pos++; }
      else if (c == 0x20 || c == 0x09 || c == 0x0d) this.pos++;
      else break;
    }
  }
  peek(): i32 {
    this.skipSpace();
    return this.pos < this.s.length ? this.s.charCodeAt(this.pos) : -1;
  }
  fail(what: string): void {
    corrupt("lvm.metadata.syntax", this.where + ": metadata text line " + this.line.toString() + ": " + what);
  }
}

function isIdentChar(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
    c == 0x5f || c == 0x2e || c == 0x2d || c == 0x2b || c == 0x2f || c == 0x40;
}

function readIdent(lx: Lexer): string {
  const start = lx.pos;
  while (lx.pos < lx.s.length && isIdentChar(lx.s.charCodeAt(lx.pos))) lx.pos++;
  return lx.s.substring(start, lx.pos);
}

function readValue(lx: Lexer): CfgValue | null {
  const c = lx.peek();
  if (c == 0x22) { // "string" with backslash escapes
    lx.pos++;
    let out = "";
    let start = lx.pos;
    while (true) {
      if (lx.pos >= lx.s.length) { lx.fail("unterminated string"); return null; }
      const d = lx.s.charCodeAt(lx.pos);
      if (d == 0x22) break;
      if (d == 0x0a) lx.line++;
      if (d == 0x5c && lx.pos + 1 < lx.s.length) {
        out += lx.s.substring(start, lx.pos) + lx.s.charAt(lx.pos + 1);
        lx.pos += 2;
        start = lx.pos;
        continue;
      }
      lx.pos++;
    }
    out += lx.s.substring(start, lx.pos);
    lx.pos++;
    return new CfgValue(true, out, 0);
  }
  if (c == 0x2d || (c >= 0x30 && c <= 0x39)) {
    const t = readIdent(lx);
    let neg = false, k = 0;
    if (t.startsWith("-")) { neg = true; k = 1; }
    let v: i64 = 0;
    let digits = 0;
    for (; k < t.length; k++) {
      const d = t.charCodeAt(k);
      if (d == 0x2e) break; // a fraction: LVM writes none that matter here
      if (d < 0x30 || d > 0x39 || digits > 18) { lx.fail("bad number \"" + t + "\""); return null; }
      v = v * 10 + <i64>(d - 0x30);
      digits++;
    }
    if (digits == 0) { lx.fail("bad number \"" + t + "\""); return null; }
    return new CfgValue(false, "", neg ? -v : v);
  }
  lx.fail("expected a value, found " + (c < 0 ? "the end" : "\"" + String.fromCharCode(c) + "\""));
  return null;
}

function parseItems(lx: Lexer, parent: CfgNode, depth: i32, closing: bool): bool {
  if (depth > MAX_DEPTH) {
    limit("lvm.metadata.depth", lx.where + ": metadata text nests deeper than " + MAX_DEPTH.toString() + " sections");
    return false;
  }
  while (true) {
    const c = lx.peek();
    if (c <= 0) { // the end, or the NUL that ends the text on disk
      if (closing) { lx.fail("section \"" + parent.name + "\" is not closed"); return false; }
      return true;
    }
    if (c == 0x7d) { // }
      if (!closing) { lx.fail("unexpected \"}\""); return false; }
      lx.pos++;
      return true;
    }
    const name = readIdent(lx);
    if (name.length == 0) { lx.fail("unexpected \"" + String.fromCharCode(c) + "\""); return false; }
    if (++lx.nodes > MAX_NODES) {
      limit("lvm.metadata.nodes", lx.where + ": metadata text has more than " + MAX_NODES.toString() + " items");
      return false;
    }
    const node = new CfgNode(name);
    const op = lx.peek();
    if (op == 0x7b) { // {
      lx.pos++;
      node.isSection = true;
      if (!parseItems(lx, node, depth + 1, true)) return false;
    } else if (op == 0x3d) { // =
      lx.pos++;
      if (lx.peek() == 0x5b) { // [
        lx.pos++;
        node.isList = true;
        while (true) {
          const d = lx.peek();
          if (d == 0x5d) { lx.pos++; break; }
          if (d == 0x2c) { lx.pos++; continue; }
          const v = readValue(lx);
          if (v === null) return false;
          if (node.values.length >= MAX_LIST) {
            limit("lvm.metadata.list", lx.where + ": list \"" + name + "\" has more than " + MAX_LIST.toString() + " values");
            return false;
          }
          node.values.push(v);
        }
      } else {
        const v = readValue(lx);
        if (v === null) return false;
        node.values.push(v);
      }
    } else {
      lx.fail("expected \"=\" or \"{\" after \"" + name + "\"");
      return false;
    }
    parent.children.push(node);
  }
}

/** Parses LVM2 metadata text; null with the error set ("lvm.metadata.syntax") when it is malformed. */
export function parseMetadataText(text: string, where: string): CfgNode | null {
  const root = new CfgNode("");
  root.isSection = true;
  const lx = new Lexer(text, where);
  if (!parseItems(lx, root, 0, false)) return null;
  return root;
}
