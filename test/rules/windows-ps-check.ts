// SPDX-License-Identifier: Apache-2.0
// A structural check of the PowerShell guestcheck writes (repair.ps1), for
// machines without pwsh (it is no Debian package): quotes and comments end,
// brackets pair up, no redirection or placeholder (< >) or cmd.exe operator
// leaks into code, param() opens the script, and every Verb-Noun command the
// code calls is a function the script defines or a cmdlet it is meant to use.
// It does not run anything; it catches what the generator could get wrong.

const CMDLETS = new Set(['Set-StrictMode', 'Write-Host', 'Write-Warning', 'Get-ItemProperty', 'Test-Path', 'Join-Path', 'ForEach-Object',
  'Select-String', 'Get-HotFix', 'Get-Service', 'Invoke-WebRequest', 'Start-Process', 'Out-Null']);

export interface PsShape {
  /** code with strings emptied and comments removed, for further checks */
  code: string;
  functions: string[];
  /** the first argument of every Invoke-Step / Show-Manual / Invoke-PendingRevert, in order */
  stepItems: string[];
}

/** Throws with the line of the first problem; returns what the script defines and does. */
export function checkPowerShell(src: string): PsShape {
  const PAIR: Record<string, string> = { ')': '(', '}': '{', ']': '[' };
  const stack: { c: string; line: number }[] = [];
  let code = '', line = 1, i = 0;
  const fail = (msg: string): never => { throw new Error(`line ${line}: ${msg}`); };
  const tokenStart = () => code.length === 0 || /[\s;({[,=]$/.test(code);
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') { line++; code += c; i++; continue; }
    if (c === '<' && src[i + 1] === '#') {
      const end = src.indexOf('#>', i + 2);
      if (end < 0) fail('block comment <# never ends');
      line += src.slice(i, end).split('\n').length - 1;
      i = end + 2; code += ' '; continue;
    }
    if (c === '#' && tokenStart()) { while (i < src.length && src[i] !== '\n') i++; continue; }
    if (c === '@' && (src[i + 1] === "'" || src[i + 1] === '"') && src[i + 2] === '\n') fail('here-strings are not expected');
    if (c === "'" || c === '\u2018' || c === '\u2019') {
      // single-quoted: a doubled quote is a quote; any of the typographic single quotes also ends it
      let j = i + 1;
      for (;;) {
        if (j >= src.length) fail('single-quoted string never ends');
        if (/['\u2018\u2019\u201a\u201b]/.test(src[j])) {
          if (/['\u2018\u2019\u201a\u201b]/.test(src[j + 1] ?? '')) { j += 2; continue; }
          break;
        }
        if (src[j] === '\n') line++;
        j++;
      }
      code += "''"; i = j + 1; continue;
    }
    if (c === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= src.length) fail('double-quoted string never ends');
        if (src[j] === '`') { j += 2; continue; }
        if (src[j] === '$' && src[j + 1] === '(') fail('subexpressions in double quotes are not expected');
        if (src[j] === '"') { if (src[j + 1] === '"') { j += 2; continue; } break; }
        if (src[j] === '\n') line++;
        j++;
      }
      code += '""'; i = j + 1; continue;
    }
    if (c === '(' || c === '{' || c === '[') stack.push({ c, line });
    if (c === ')' || c === '}' || c === ']') {
      const top = stack.pop();
      if (!top || top.c !== PAIR[c]) fail(`${c} closes ${top ? `${top.c} of line ${top.line}` : 'nothing'}`);
    }
    if (c === '<' || c === '>') fail(`${c} in code: a redirection or a placeholder`);
    if ((c === '&' && src[i + 1] === '&') || (c === '|' && src[i + 1] === '|')) fail(`${c}${c} is not a Windows PowerShell 5.1 operator`);
    if (c === '`') fail('backtick escapes are not expected in code');
    code += c; i++;
  }
  if (stack.length) throw new Error(`${stack[stack.length - 1].c} of line ${stack[stack.length - 1].line} never closes`);
  const statements = code.split('\n').map((l) => l.trim()).filter(Boolean);
  if (statements[0] !== '[CmdletBinding()]' || statements[1] !== 'param(') throw new Error('the script does not open with [CmdletBinding()] param(...)');
  const functions = [...code.matchAll(/^\s*function ([A-Za-z]+-[A-Za-z]+)/gm)].map((m) => m[1]);
  for (const m of code.matchAll(/(?<![\w$/-])([A-Z][a-z]+-[A-Z][A-Za-z]+)(?![\w-])/g)) {
    if (!functions.includes(m[1]) && !CMDLETS.has(m[1])) throw new Error(`${m[1]} is neither defined in the script nor an expected cmdlet`);
  }
  const stepItems = [...src.matchAll(/^\s*(?:Invoke-Step|Show-Manual|Invoke-PendingRevert) '([A-Za-z]+)'/gm)].map((m) => m[1]);
  return { code, functions, stepItems };
}
