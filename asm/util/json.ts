// SPDX-License-Identifier: Apache-2.0
// A minimal JSON writer: results cross into TypeScript as one small JSON text
// rather than many boundary calls.

export function jsonString(s: string): string {
  // most strings need no escapes: one scan, one concatenation (+= per character is quadratic)
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c == 0x22 || c == 0x5c) { plain = false; break; }
  }
  if (plain) return "\"" + s + "\"";
  let out = "\"";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22) out += "\\\"";
    else if (c == 0x5c) out += "\\\\";
    else if (c == 0x0a) out += "\\n";
    else if (c == 0x0d) out += "\\r";
    else if (c == 0x09) out += "\\t";
    else if (c < 0x20) {
      const h = c.toString(16);
      out += "\\u" + "0000".substring(h.length) + h;
    } else out += String.fromCharCode(c);
  }
  return out + "\"";
}

export class JsonWriter {
  private parts: string[] = [];
  private needComma: bool[] = [false];

  private sep(): void {
    const top = this.needComma.length - 1;
    if (this.needComma[top]) this.parts.push(",");
    this.needComma[top] = true;
  }

  beginObject(): JsonWriter { this.sep(); this.parts.push("{"); this.needComma.push(false); return this; }
  endObject(): JsonWriter { this.parts.push("}"); this.needComma.pop(); return this; }
  beginArray(): JsonWriter { this.sep(); this.parts.push("["); this.needComma.push(false); return this; }
  endArray(): JsonWriter { this.parts.push("]"); this.needComma.pop(); return this; }

  key(k: string): JsonWriter {
    this.sep();
    this.parts.push(jsonString(k) + ":");
    // the value that follows must not add another comma
    this.needComma[this.needComma.length - 1] = false;
    return this;
  }
  private after(): void { this.needComma[this.needComma.length - 1] = true; }

  str(v: string): JsonWriter { this.sep(); this.parts.push(jsonString(v)); return this; }
  num(v: f64): JsonWriter { this.sep(); this.parts.push(isFinite(v) ? (Math.floor(v) == v && Math.abs(v) < 9007199254740992 ? (<i64>v).toString() : v.toString()) : "null"); return this; }
  bool(v: bool): JsonWriter { this.sep(); this.parts.push(v ? "true" : "false"); return this; }
  nul(): JsonWriter { this.sep(); this.parts.push("null"); return this; }

  prop(k: string, v: string): JsonWriter { this.key(k); this.str(v); this.after(); return this; }
  propNum(k: string, v: f64): JsonWriter { this.key(k); this.num(v); this.after(); return this; }
  propBool(k: string, v: bool): JsonWriter { this.key(k); this.bool(v); this.after(); return this; }
  propNull(k: string): JsonWriter { this.key(k); this.nul(); this.after(); return this; }
  /** key followed by beginObject / beginArray */
  objKey(k: string): JsonWriter { this.key(k); this.parts.push("{"); this.after(); this.needComma.push(false); return this; }
  arrKey(k: string): JsonWriter { this.key(k); this.parts.push("["); this.after(); this.needComma.push(false); return this; }
  raw(k: string, json: string): JsonWriter { this.key(k); this.parts.push(json); this.after(); return this; }

  toString(): string { return this.parts.join(""); }
}
