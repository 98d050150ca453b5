// SPDX-License-Identifier: Apache-2.0
// The repair a Windows report offers: one reviewable PowerShell script
// (repair.ps1) that applies the fix of every item at risk. The Windows rules
// give their fix as commands a person could type (reg add, bcdboot, pnputil,
// wusa, dism); each recognised command becomes a step that first tests whether
// the change is already there (so the script can run again), only reports in
// the default dry run, and acts with -Apply. It runs inside the guest before
// export, or with -Offline X:\ on a Windows volume mounted on another Windows
// (hives loaded with reg load, DISM /Image for drivers and pending actions).
// Anything else becomes a manual step that prints what to do; nothing is
// applied to the image by guestcheck itself.
import type { Finding } from './types';

/** One change a step makes, parsed from a rule's command. */
export type WinAction =
  | { kind: 'regSet'; key: string; name: string; type: string; data: string }
  | { kind: 'regDelete'; key: string; name: string }
  | { kind: 'bcdboot' }
  | { kind: 'revertPending' }
  | { kind: 'addDriver'; driver: string }
  | { kind: 'uninstallKb'; kb: string }
  | { kind: 'installKb'; kb: string; file: string }
  | { kind: 'installAssist'; url: string }
  | { kind: 'manual'; text: string };

const REG_ADD = /^reg add "([^"]+)" \/v ("[^"]*"|\S+) \/t (REG_(?:DWORD|QWORD|SZ|EXPAND_SZ|MULTI_SZ)) \/d ("[^"]*"|\S+) \/f$/i;
const REG_DELETE = /^reg delete "([^"]+)" \/v ("[^"]*"|\S+) \/f$/i;
const unquote = (s: string) => (s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s);

/** The actions of one rule command (one per line; pnputil lines may chain drivers with ";"). */
export function parseWindowsCommand(command: string): WinAction[] {
  const out: WinAction[] = [];
  for (const raw of command.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    if (line === '') continue;
    let m: RegExpExecArray | null;
    if ((m = REG_ADD.exec(line))) out.push({ kind: 'regSet', key: m[1], name: unquote(m[2]), type: m[3].toUpperCase(), data: unquote(m[4]) });
    else if ((m = REG_DELETE.exec(line))) out.push({ kind: 'regDelete', key: m[1], name: unquote(m[2]) });
    else if (/^bcdboot\s/i.test(line)) out.push({ kind: 'bcdboot' });
    else if (/^dism \/image:.*\/cleanup-image \/revertpendingactions$/i.test(line)) out.push({ kind: 'revertPending' });
    else if (/^pnputil \/add-driver /i.test(line)) {
      const drivers = [...line.matchAll(/:\\(\w+)\\<os>\\/g)].map((x) => x[1]);
      if (drivers.length === 0) out.push({ kind: 'manual', text: line });
      for (const d of drivers) out.push({ kind: 'addDriver', driver: d });
    } else if ((m = /^wusa \/uninstall \/kb:(\d+)\b/i.exec(line))) out.push({ kind: 'uninstallKb', kb: m[1] });
    else if ((m = /^wusa (\S+-KB(\d+)-\w+\.msu)\b/i.exec(line))) out.push({ kind: 'installKb', kb: m[2], file: m[1] });
    else if ((m = /^Invoke-WebRequest (https:\/\/\S+aliyun\S+\.exe) /i.exec(line))) out.push({ kind: 'installAssist', url: m[1] });
    else out.push({ kind: 'manual', text: line });
  }
  return out;
}

/** A PowerShell single-quoted literal; PowerShell also takes the typographic single quotes as quotes. */
export function psq(s: string): string {
  return `'${s.replace(/['\u2018\u2019\u201a\u201b]/g, (c) => c + c)}'`;
}

function comment(text: string): string[] {
  const out: string[] = [];
  let line = '#';
  for (const w of text.replace(/[\r\n]+/g, ' ').split(/\s+/)) {
    if (w === '') continue;
    if (line.length + w.length + 1 > 100 && line !== '#') { out.push(line); line = '#'; }
    line += ` ${w}`;
  }
  out.push(line);
  return out;
}

/** The PowerShell of one action: an Invoke-Step (test, then act) or a Show-Manual. */
function actionPs(item: string, a: WinAction): string[] {
  const I = psq(item);
  switch (a.kind) {
    case 'regSet': {
      const what = `set ${a.key} ${a.name} = ${a.data} (${a.type})`;
      return [`Invoke-Step ${I} ${psq(what)} { Test-RegData ${psq(a.key)} ${psq(a.name)} ${psq(a.data)} } { Set-RegData ${psq(a.key)} ${psq(a.name)} ${psq(a.type)} ${psq(a.data)} }`];
    }
    case 'regDelete':
      return [`Invoke-Step ${I} ${psq(`delete ${a.key} ${a.name}`)} { $null -eq (Get-RegData ${psq(a.key)} ${psq(a.name)}) } { Remove-RegData ${psq(a.key)} ${psq(a.name)} }`];
    case 'bcdboot':
      // bcdboot rewrites the boot files and the store from the Windows volume: running it again is harmless
      return [`Invoke-Step ${I} 'rebuild the boot files and the BCD store with bcdboot' { $false } { Invoke-Bcdboot }`];
    case 'revertPending':
      return [`Invoke-PendingRevert ${I}`];
    case 'addDriver':
      return [`Invoke-Step ${I} ${psq(`install the ${a.driver} driver from virtio-win`)} { Test-Path -LiteralPath (Join-Path $WinDir ${psq(`System32\\drivers\\${a.driver.toLowerCase()}.sys`)}) } { Add-VirtioDriver ${psq(a.driver)} }`];
    case 'uninstallKb':
      return [`Invoke-Step ${I} ${psq(`uninstall KB${a.kb}`)} { -not (Test-Hotfix ${psq(a.kb)}) } { Uninstall-Hotfix ${psq(a.kb)} }`];
    case 'installKb':
      return [`Invoke-Step ${I} ${psq(`install KB${a.kb} (${a.file}, placed next to this script)`)} { Test-Hotfix ${psq(a.kb)} } { Install-Hotfix ${psq(a.kb)} ${psq(a.file)} }`];
    case 'installAssist':
      return [`Invoke-Step ${I} 'install the Cloud Assistant agent (AliyunService)' { Test-Service 'AliyunService' } { Install-Assist ${psq(a.url)} }`];
    case 'manual':
      return [`Show-Manual ${I} ${psq(`run by hand: ${a.text}`)}`];
  }
}

/** The helpers every script carries (the steps call them). */
const PRELUDE = String.raw`[CmdletBinding()]
param(
  # act; without it the script only says what it would change
  [switch]$Apply,
  # the root of a Windows volume mounted on this machine (an offline image), e.g. E:\
  [string]$Offline = '',
  # offline bcdboot: the system partition (ESP or System Reserved) with a drive letter, e.g. S:
  [string]$SystemPartition = '',
  # the virtio-win media (ISO mounted or unpacked), e.g. D:\
  [string]$VirtioWin = ''
)
Set-StrictMode -Version 3
$ErrorActionPreference = 'Stop'
$script:Count = @{ done = 0; already = 0; would = 0; manual = 0; failed = 0 }
$script:Loaded = @()
$script:ControlSet = 'ControlSet001'
if ($Offline -ne '') {
  if (-not (Test-Path -LiteralPath (Join-Path $Offline 'Windows\System32\config\SYSTEM'))) { throw ('-Offline ' + $Offline + ' holds no Windows\System32\config\SYSTEM') }
  $WinDir = Join-Path $Offline 'Windows'
} else {
  $WinDir = $env:SystemRoot
}
$admin = ([Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
if (($Apply -or $Offline -ne '') -and -not $admin) { throw 'run this script from an elevated PowerShell (Run as administrator)' }

function Invoke-Step([string]$Item, [string]$What, [scriptblock]$Test, [scriptblock]$Action) {
  if (& $Test) { Write-Host ('[' + $Item + '] already done: ' + $What); $script:Count.already++; return }
  if (-not $Apply) { Write-Host ('[' + $Item + '] would ' + $What); $script:Count.would++; return }
  try {
    & $Action
    Write-Host ('[' + $Item + '] done: ' + $What)
    $script:Count.done++
  } catch {
    Write-Warning ('[' + $Item + '] FAILED: ' + $What + ': ' + $_)
    $script:Count.failed++
  }
}

function Show-Manual([string]$Item, [string]$Text) {
  Write-Warning ('[' + $Item + '] by hand: ' + $Text)
  $script:Count.manual++
}

# A key as reg.exe names it on the running guest; offline, the same key in the loaded hive
# (HKLM\GC_SYSTEM\ControlSet00N for CurrentControlSet, which exists only on a running system).
function Resolve-Key([string]$Key) {
  if ($Offline -eq '') { return $Key }
  if ($Key -match '^HKLM\\SYSTEM\\CurrentControlSet\\(.*)$') { Mount-OfflineHive 'SYSTEM'; return 'HKLM\GC_SYSTEM\' + $script:ControlSet + '\' + $Matches[1] }
  if ($Key -match '^HKLM\\(SYSTEM|SOFTWARE)\\(.*)$') { Mount-OfflineHive $Matches[1]; return 'HKLM\GC_' + $Matches[1] + '\' + $Matches[2] }
  throw ('no offline hive for ' + $Key)
}

# reg load writes the hive's logs back when it is unloaded: even the dry run loads it to read it
function Mount-OfflineHive([string]$Name) {
  if ($script:Loaded -contains $Name) { return }
  $file = Join-Path $WinDir ('System32\config\' + $Name)
  & reg.exe load ('HKLM\GC_' + $Name) $file | Out-Null
  if ($LASTEXITCODE -ne 0) { throw ('reg load of ' + $file + ' failed') }
  $script:Loaded += $Name
  if ($Name -eq 'SYSTEM') {
    $current = (Get-ItemProperty -LiteralPath 'Registry::HKLM\GC_SYSTEM\Select').Current
    $script:ControlSet = 'ControlSet{0:d3}' -f $current
  }
}

function Dismount-OfflineHives {
  [gc]::Collect()
  foreach ($name in $script:Loaded) { & reg.exe unload ('HKLM\GC_' + $name) | Out-Null }
  $script:Loaded = @()
}

function Get-RegData([string]$Key, [string]$Name) {
  $item = Get-ItemProperty -LiteralPath ('Registry::' + (Resolve-Key $Key)) -Name $Name -ErrorAction SilentlyContinue
  if ($null -eq $item) { return $null }
  return $item.$Name
}

# multi-strings compare as reg.exe writes them, joined by \0
function Test-RegData([string]$Key, [string]$Name, [string]$Data) {
  $value = Get-RegData $Key $Name
  if ($null -eq $value) { return $false }
  return ((@($value) | ForEach-Object { [string]$_ }) -join '\0') -eq $Data
}

function Set-RegData([string]$Key, [string]$Name, [string]$Type, [string]$Data) {
  & reg.exe add (Resolve-Key $Key) /v $Name /t $Type /d $Data /f | Out-Null
  if ($LASTEXITCODE -ne 0) { throw ('reg add failed, exit code ' + $LASTEXITCODE) }
}

function Remove-RegData([string]$Key, [string]$Name) {
  & reg.exe delete (Resolve-Key $Key) /v $Name /f | Out-Null
  if ($LASTEXITCODE -ne 0) { throw ('reg delete failed, exit code ' + $LASTEXITCODE) }
}

function Invoke-Bcdboot {
  if ($Offline -eq '') {
    # on the running guest bcdboot finds the system partition (ESP or active partition) itself
    & bcdboot.exe $WinDir
  } else {
    if ($SystemPartition -eq '') { throw 'offline, bcdboot needs -SystemPartition S: (the ESP or System Reserved partition of the image, given a drive letter with diskpart)' }
    & bcdboot.exe $WinDir /s $SystemPartition /f ALL
  }
  if ($LASTEXITCODE -ne 0) { throw ('bcdboot failed, exit code ' + $LASTEXITCODE) }
}

function Invoke-PendingRevert([string]$Item) {
  $pending = Join-Path $WinDir 'WinSxS\pending.xml'
  $what = 'revert the interrupted servicing actions (DISM /RevertPendingActions removes WinSxS\pending.xml)'
  if ($Offline -eq '') {
    if (Test-Path -LiteralPath $pending) {
      Show-Manual $Item 'servicing finishes at boot: restart the guest (until no update is pending) and run this script again, or repair the image offline with -Offline'
    } else {
      Write-Host ('[' + $Item + '] already done: ' + $what); $script:Count.already++
    }
    return
  }
  Invoke-Step $Item $what { -not (Test-Path -LiteralPath $pending) } {
    & dism.exe ('/Image:' + $Offline) /Cleanup-Image /RevertPendingActions
    if ($LASTEXITCODE -ne 0) { throw ('dism failed, exit code ' + $LASTEXITCODE) }
  }
}

# the virtio-win folder of this Windows: viostor\2k22\amd64, NetKVM\w10\amd64, ...
function Get-VirtioDir([string]$Driver) {
  if ($VirtioWin -eq '') { throw 'give -VirtioWin D:\ (the virtio-win ISO, mounted or unpacked)' }
  $cv = 'HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
  $build = [int](Get-RegData $cv 'CurrentBuild')
  $server = (Get-RegData $cv 'InstallationType') -ne 'Client'
  $archs = @{ AMD64 = 'amd64'; X86 = 'x86'; ARM64 = 'ARM64' }
  $arch = $archs[[string](Get-RegData 'HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\Environment' 'PROCESSOR_ARCHITECTURE')]
  if ($null -eq $arch) { $arch = 'amd64' }
  if ($server) {
    $os = if ($build -ge 26100) { '2k25' } elseif ($build -ge 20348) { '2k22' } elseif ($build -ge 17763) { '2k19' } elseif ($build -ge 14393) { '2k16' } elseif ($build -ge 9600) { '2k12R2' } elseif ($build -ge 9200) { '2k12' } else { '2k8R2' }
  } else {
    $os = if ($build -ge 22000) { 'w11' } elseif ($build -ge 10240) { 'w10' } elseif ($build -ge 9600) { 'w8.1' } elseif ($build -ge 9200) { 'w8' } else { 'w7' }
  }
  $dir = Join-Path $VirtioWin ($Driver + '\' + $os + '\' + $arch)
  if (-not (Test-Path -LiteralPath $dir)) { throw ('virtio-win has no ' + $dir + ' for this Windows (build ' + $build + ')') }
  return $dir
}

function Add-VirtioDriver([string]$Driver) {
  $dir = Get-VirtioDir $Driver
  if ($Offline -eq '') { & pnputil.exe /add-driver (Join-Path $dir '*.inf') /install }
  else { & dism.exe ('/Image:' + $Offline) /Add-Driver ('/Driver:' + $dir) /Recurse }
  if ($LASTEXITCODE -ne 0 -and $LASTEXITCODE -ne 3010) { throw ('driver install failed, exit code ' + $LASTEXITCODE) }
}

function Test-Hotfix([string]$Kb) {
  if ($Offline -ne '') {
    $found = & dism.exe ('/Image:' + $Offline) /Get-Packages /Format:Table | Select-String ('KB' + $Kb)
    return $null -ne $found
  }
  return $null -ne (Get-HotFix -Id ('KB' + $Kb) -ErrorAction SilentlyContinue)
}

function Uninstall-Hotfix([string]$Kb) {
  if ($Offline -ne '') { throw ('uninstall KB' + $Kb + ' inside the running guest (wusa /uninstall), not offline') }
  & wusa.exe /uninstall ('/kb:' + $Kb) /quiet /norestart | Out-Null
  if ($LASTEXITCODE -ne 0 -and $LASTEXITCODE -ne 3010) { throw ('wusa failed, exit code ' + $LASTEXITCODE) }
}

function Install-Hotfix([string]$Kb, [string]$File) {
  $msu = Join-Path $PSScriptRoot $File
  if (-not (Test-Path -LiteralPath $msu)) { throw ('download ' + $File + ' (Microsoft Update Catalog, KB' + $Kb + ') next to this script first') }
  if ($Offline -eq '') { & wusa.exe $msu /quiet /norestart | Out-Null }
  else { & dism.exe ('/Image:' + $Offline) /Add-Package ('/PackagePath:' + $msu) }
  if ($LASTEXITCODE -ne 0 -and $LASTEXITCODE -ne 3010) { throw ('the install failed, exit code ' + $LASTEXITCODE) }
}

function Test-Service([string]$Name) {
  if ($Offline -ne '') { return Test-Path -LiteralPath ('Registry::' + (Resolve-Key ('HKLM\SYSTEM\CurrentControlSet\Services\' + $Name))) }
  return $null -ne (Get-Service -Name $Name -ErrorAction SilentlyContinue)
}

function Install-Assist([string]$Url) {
  if ($Offline -ne '') { throw 'the Cloud Assistant agent installs only in the running guest (or let ECS add it on import: repairItems assist)' }
  $setup = Join-Path $env:TEMP 'aliyun_agent_setup.exe'
  Invoke-WebRequest -Uri $Url -OutFile $setup -UseBasicParsing
  $p = Start-Process -FilePath $setup -ArgumentList '/S' -Wait -PassThru
  if ($p.ExitCode -ne 0) { throw ('the agent setup failed, exit code ' + $p.ExitCode) }
}`;

/** A finding is at risk when it fails, or warns with a risk code. */
const atRisk = (f: Finding) => f.status === 'fail' || (f.status === 'warn' && f.riskCode !== '');

/** The script for a Windows guest's findings, '' when no item is at risk. */
export function buildWindowsRepairScript(findings: Finding[], files: string[]): string {
  const risky = findings.filter(atRisk);
  if (risky.length === 0) return '';
  const os = findings.find((f) => f.name === 'OSVersion' && f.status === 'pass')?.value;
  const out: string[] = [
    `# guestcheck repair script for ${files.join(', ') || 'the image'}${os ? `: ${os}` : ''}`.replace(/[\r\n]+/g, ' '),
    '# Made from the check items at risk; nothing has been applied to the image.',
    '# Review every step, then run it in an elevated PowerShell inside the Windows guest before export:',
    '#     powershell -ExecutionPolicy Bypass -File repair.ps1           (dry run: says what it would change)',
    '#     powershell -ExecutionPolicy Bypass -File repair.ps1 -Apply    (changes it)',
    '# or on the image\'s Windows volume mounted on another Windows (E: here; S: its system partition):',
    '#     powershell -ExecutionPolicy Bypass -File repair.ps1 -Offline E:\\ -SystemPartition S: -Apply',
    '# Every step first tests whether its change is already there, so the script can run again.',
    PRELUDE,
    '',
    'try {',
  ];
  let bcdbootBy = '';
  for (const f of risky) {
    out.push('', `# --- ${f.name}: ${f.value}${f.riskLevel ? ` [${f.riskLevel}: ${f.riskCode}]` : ''}`);
    const first = f.evidence[0];
    if (first) out.push(...comment(`evidence: ${first.path} ${first.text}`));
    if (f.solution) out.push(...comment(f.solution));
    const actions = f.command ? parseWindowsCommand(f.command) : [];
    if (actions.length === 0) {
      out.push(`Show-Manual ${psq(f.name)} ${psq(f.solution || 'see the report')}`);
      continue;
    }
    for (const a of actions) {
      // BCD and BootMgr share one fix
      if (a.kind === 'bcdboot') {
        if (bcdbootBy !== '') { out.push(`# (bcdboot already runs above, for ${bcdbootBy})`); continue; }
        bcdbootBy = f.name;
      }
      out.push(...actionPs(f.name, a));
    }
  }
  out.push(
    '',
    '} finally {',
    '  Dismount-OfflineHives',
    '}',
    '$c = $script:Count',
    "Write-Host ('guestcheck repair: ' + $c.done + ' done, ' + $c.already + ' already done, ' + $c.would + ' to do (dry run: run again with -Apply), ' + $c.manual + ' by hand, ' + $c.failed + ' failed')",
    'if ($c.failed -gt 0) { exit 1 }',
  );
  return out.join('\n') + '\n';
}
