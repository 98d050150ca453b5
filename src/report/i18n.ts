// SPDX-License-Identifier: Apache-2.0
// Every string the page and the Markdown report show comes from here, in
// English and Japanese (the original product page is Japanese). Templates call
// t(); nothing is spelled out in them. Values the cloud's API returns (`Supported`, `UEFI`, version
// strings) are shown as the API gives them: people compare them with the
// console.

export type Lang = 'en' | 'ja';
export const LANGS: Lang[] = ['en', 'ja'];

type Catalog = Record<string, string>;

const en: Catalog = {
  'app.title': 'guestcheck',
  'lang.label': 'Language',
  'lang.en': 'English',
  'lang.ja': '日本語',
  'drop.prompt': 'Drop a disk image here (raw, VHD, …) or its files together, or',
  'drop.pick': 'choose files',
  'drop.sample': 'Try a sample image',
  'drop.cancel': 'Cancel',
  'drop.active': 'Release to check',
  'phase.loading': 'Loading the sample image',
  'phase.opening': 'Opening the image',
  'phase.decompressing': 'Indexing the compressed image (one pass)',
  'phase.partitions': 'Reading partitions',
  'phase.filesystems': 'Reading filesystems',
  'phase.mounting': 'Assembling the guest tree',
  'phase.checking': 'Checking items',
  'phase.done': 'Done',
  'progress.read': '{bytes} read in {calls} reads',
  'progress.of': '{done} of {total}, about {seconds} s left',
  'progress.label': 'Check progress',
  'cancelled': 'The check was cancelled.',
  'failed': 'The check could not run: {message}',
  'image.heading': 'Image',
  'image.headingOf': 'Image {n} of {total}: {name}',
  'several': 'These {count} files are separate disk images; each is checked on its own.',
  'image.summary': '{files}: {format}, {size} virtual, partition table {table}',
  'image.platform': 'Platform: {platform}',
  'image.error': 'This image cannot be checked: {message}',
  'image.tableError': 'The partition table could not be read: {message}',
  'layout.heading': 'Disk layout',
  'layout.caption': 'Partitions drawn to scale',
  'layout.col.volume': 'Volume',
  'layout.col.start': 'Start',
  'layout.col.size': 'Size',
  'layout.col.type': 'Type',
  'layout.col.fs': 'Filesystem',
  'layout.col.label': 'Label / UUID',
  'layout.col.mount': 'Mounted at',
  'layout.free': 'unallocated',
  'layout.root': 'root',
  'layout.esp': 'EFI system',
  'layout.swap': 'swap',
  'results.heading': 'Check items',
  'results.counts': '{fail} failed, {warn} warnings, {pass} passed, {info} informational, {error} could not run',
  'results.evidence': 'Evidence',
  'results.fix': 'How to fix',
  'results.noEvidence': 'No file decided this item.',
  'results.risk': 'Risk {level}: {code}',
  'results.copy': 'Copy',
  'results.copied': 'Copied',
  'status.fail': 'Failed',
  'status.error': 'Could not run',
  'status.warn': 'Warnings',
  'status.info': 'Information',
  'status.pass': 'Passed',
  'export.heading': 'Export',
  'export.json': 'Report (JSON)',
  'export.md': 'Report (Markdown)',
  'export.zip': 'Everything (.zip)',
  'stats.line': 'Read {bytes} in {calls} reads, {ms} ms.',
  'md.title': 'guestcheck report: {files}',
  'md.col.item': 'item',
  'md.col.status': 'status',
  'md.col.value': 'value',
  'md.col.risk': 'risk',
  'md.unreadable': 'The image could not be read:',
  'md.tags': 'Tags:',
  'md.repair': 'Repair',
  'md.repairItems': 'ACS-ECS-RepairImage repairItems:',
  'md.none': '(none)',
  'privacy.heading': 'How it works',
  'privacy.body1': 'Your image is read here, in this browser tab, by a WebAssembly engine running in a worker. It is never uploaded: the page makes no network request while it checks, and it works offline.',
  'privacy.body2': 'guestcheck reads only what it needs: the partition table, filesystem metadata and the few configuration files the check items look at — a few megabytes of even a large image.',
  'item.Platform': 'Platform',
  'item.OSVersion': 'OS version',
  'item.Architecture': 'Architecture',
  'item.RtcTimeMode': 'Hardware clock (RTC) mode',
  'item.BootMode': 'Boot mode',
  'item.KernelVersion': 'Kernel version',
  'item.Virtio': 'virtio drivers',
  'item.Nvme': 'NVMe driver',
  'item.Fstab': 'fstab',
  'item.Grub': 'GRUB boot configuration',
  'item.Dhcp': 'DHCP',
  'item.Selinux': 'SELinux',
  'item.OnlineResizeFS': 'Online filesystem resize',
  'item.SystemImage': 'System disk image',
  'item.CloudAssistant': 'Cloud Assistant',
  'item.CloudInit': 'cloud-init',
  'item.SecurityCenterAgent': 'Security Center agent',
  'item.SupportMocInstanceTypes': 'X-Dragon instance types',
  'item.BCD': 'Boot configuration data (BCD)',
  'item.Registry': 'Registry',
  'item.Hotfix': 'Hotfixes',
  'item.Disk': 'Disk filter drivers',
  'item.Sysprep': 'Sysprep',
  'item.Update': 'Windows Update',
  'item.Xen': 'Xen drivers',
  'item.Server': 'Driver installation',
  'item.DesktopConfig': 'Desktop configuration',
  'item.BootMgr': 'Windows Boot Manager',
};

const ja: Catalog = {
  'app.title': 'guestcheck',
  'lang.label': '言語',
  'lang.en': 'English',
  'lang.ja': '日本語',
  'drop.prompt': 'ディスクイメージ（raw、VHD など）またはその一式のファイルをここにドロップするか、',
  'drop.pick': 'ファイルを選択',
  'drop.sample': 'サンプルイメージで試す',
  'drop.cancel': 'キャンセル',
  'drop.active': '離すとチェックします',
  'phase.loading': 'サンプルイメージを読み込んでいます',
  'phase.opening': 'イメージを開いています',
  'phase.decompressing': '圧縮イメージの索引を作成しています（1 回の通読）',
  'phase.partitions': 'パーティションを読み取っています',
  'phase.filesystems': 'ファイルシステムを読み取っています',
  'phase.mounting': 'ゲストのファイルツリーを組み立てています',
  'phase.checking': 'チェック項目を確認しています',
  'phase.done': '完了',
  'progress.read': '{calls} 回の読み取りで {bytes}',
  'progress.of': '{total} 中 {done}、残り約 {seconds} 秒',
  'progress.label': 'チェックの進行状況',
  'cancelled': 'チェックをキャンセルしました。',
  'failed': 'チェックを実行できませんでした: {message}',
  'image.heading': 'イメージ',
  'image.headingOf': 'イメージ {n}/{total}: {name}',
  'several': 'この {count} 個のファイルは別々のディスクイメージです。1 つずつチェックします。',
  'image.summary': '{files}: {format}、仮想サイズ {size}、パーティションテーブル {table}',
  'image.platform': 'プラットフォーム: {platform}',
  'image.error': 'このイメージはチェックできません: {message}',
  'image.tableError': 'パーティションテーブルを読み取れませんでした: {message}',
  'layout.heading': 'ディスクレイアウト',
  'layout.caption': 'パーティション（実寸比）',
  'layout.col.volume': 'ボリューム',
  'layout.col.start': '開始位置',
  'layout.col.size': 'サイズ',
  'layout.col.type': '種類',
  'layout.col.fs': 'ファイルシステム',
  'layout.col.label': 'ラベル / UUID',
  'layout.col.mount': 'マウント先',
  'layout.free': '未割り当て',
  'layout.root': 'ルート',
  'layout.esp': 'EFI システム',
  'layout.swap': 'スワップ',
  'results.heading': 'チェック項目',
  'results.counts': '失敗 {fail}、警告 {warn}、合格 {pass}、情報 {info}、実行不可 {error}',
  'results.evidence': '根拠',
  'results.fix': '修正方法',
  'results.noEvidence': 'この項目を決めたファイルはありません。',
  'results.risk': 'リスク {level}: {code}',
  'results.copy': 'コピー',
  'results.copied': 'コピーしました',
  'status.fail': '失敗',
  'status.error': '実行不可',
  'status.warn': '警告',
  'status.info': '情報',
  'status.pass': '合格',
  'export.heading': 'エクスポート',
  'export.json': 'レポート（JSON）',
  'export.md': 'レポート（Markdown）',
  'export.zip': 'すべて（.zip）',
  'stats.line': '{calls} 回の読み取りで {bytes}、{ms} ミリ秒。',
  'md.title': 'guestcheck レポート: {files}',
  'md.col.item': '項目',
  'md.col.status': '状態',
  'md.col.value': '値',
  'md.col.risk': 'リスク',
  'md.unreadable': 'イメージを読み取れませんでした:',
  'md.tags': 'タグ:',
  'md.repair': '修復',
  'md.repairItems': 'ACS-ECS-RepairImage の repairItems:',
  'md.none': '（なし）',
  'privacy.heading': 'しくみ',
  'privacy.body1': 'イメージはこのブラウザーのタブの中で、ワーカー上の WebAssembly エンジンが読み取ります。アップロードされることはありません。チェック中にページはネットワークへ一切アクセスせず、オフラインでも動作します。',
  'privacy.body2': 'guestcheck は必要な部分だけを読みます。パーティションテーブル、ファイルシステムのメタデータ、チェック項目が参照する少数の設定ファイルだけで、大きなイメージでも数 MB 程度です。',
  'item.Platform': 'プラットフォーム',
  'item.OSVersion': 'OS バージョン',
  'item.Architecture': 'アーキテクチャ',
  'item.RtcTimeMode': 'ハードウェアクロック（RTC）モード',
  'item.BootMode': 'ブートモード',
  'item.KernelVersion': 'カーネルバージョン',
  'item.Virtio': 'virtio ドライバー',
  'item.Nvme': 'NVMe ドライバー',
  'item.Fstab': 'fstab',
  'item.Grub': 'GRUB ブート設定',
  'item.Dhcp': 'DHCP',
  'item.Selinux': 'SELinux',
  'item.OnlineResizeFS': 'ファイルシステムのオンライン拡張',
  'item.SystemImage': 'システムディスクイメージ',
  'item.CloudAssistant': 'クラウドアシスタント',
  'item.CloudInit': 'cloud-init',
  'item.SecurityCenterAgent': 'Security Center エージェント',
  'item.SupportMocInstanceTypes': 'X-Dragon インスタンスタイプ',
  'item.BCD': 'ブート構成データ（BCD）',
  'item.Registry': 'レジストリ',
  'item.Hotfix': '修正プログラム',
  'item.Disk': 'ディスクフィルタードライバー',
  'item.Sysprep': 'Sysprep',
  'item.Update': 'Windows Update',
  'item.Xen': 'Xen ドライバー',
  'item.Server': 'ドライバーのインストール',
  'item.DesktopConfig': 'デスクトップ構成',
  'item.BootMgr': 'Windows ブートマネージャー',
};

const catalogs: Record<Lang, Catalog> = { en, ja };

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
