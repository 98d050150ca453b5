// SPDX-License-Identifier: Apache-2.0
// The Windows release from SOFTWARE\Microsoft\Windows NT\CurrentVersion. The
// build number decides the name: ProductName still says "Windows 10" on
// Windows 11 (build >= 22000), and servers share builds with clients, told
// apart by InstallationType / EditionID / ProductName.

export interface CurrentVersion {
  productName: string;
  displayVersion: string;
  editionId: string;
  installationType: string;
  /** "6.1", "6.3" (10 and later keep 6.3 here and use the major/minor numbers) */
  currentVersion: string;
  major: number | null;
  minor: number | null;
  build: number | null;
  ubr: number | null;
  csdVersion: string;
}

export interface WindowsVersion {
  /** "Windows Server 2019 Datacenter", "Windows 11 Pro" */
  name: string;
  server: boolean;
  /** "10.0.22631.3007" (UBR when known) */
  version: string;
  build: number | null;
  /** the release family ECS names: "Windows Server 2019", "Windows 11", ... */
  family: string;
}

const SERVER_BY_BUILD: [number, number, string][] = [
  [6000, 6003, 'Windows Server 2008'],
  [7600, 7601, 'Windows Server 2008 R2'],
  [9200, 9200, 'Windows Server 2012'],
  [9600, 9600, 'Windows Server 2012 R2'],
  [14393, 14393, 'Windows Server 2016'],
  [17763, 17763, 'Windows Server 2019'],
  [20348, 20348, 'Windows Server 2022'],
  [26100, 26100, 'Windows Server 2025'],
];

const CLIENT_BY_BUILD: [number, number, string][] = [
  [2600, 2600, 'Windows XP'],
  [6000, 6003, 'Windows Vista'],
  [7600, 7601, 'Windows 7'],
  [9200, 9200, 'Windows 8'],
  [9600, 9600, 'Windows 8.1'],
  [10240, 21999, 'Windows 10'],
  [22000, 99999, 'Windows 11'],
];

export function isServer(cv: CurrentVersion): boolean {
  return /server/i.test(cv.installationType) || /server/i.test(cv.editionId) || /server/i.test(cv.productName);
}

/** The release family by build, or null for a build outside every known range. */
export function familyOf(build: number, server: boolean): string | null {
  const table = server ? SERVER_BY_BUILD : CLIENT_BY_BUILD;
  for (const [lo, hi, name] of table) if (build >= lo && build <= hi) return name;
  if (server && build > 20348 && build < 26100) return 'Windows Server 2022'; // Azure Stack HCI builds
  return null;
}

export function windowsVersion(cv: CurrentVersion): WindowsVersion {
  const server = isServer(cv);
  const fam = cv.build !== null ? familyOf(cv.build, server) : null;
  let name = cv.productName || fam || 'Windows';
  // ProductName is a marketing string the build outranks: fix the family part
  if (fam !== null) {
    const m = /^(Microsoft\s+)?Windows( Server)?\s+(\S+( R2)?)/i.exec(name);
    if (m) {
      const edition = name.substring(m[0].length).trim();
      name = edition ? `${fam} ${edition}` : fam;
    }
  }
  const mm = cv.major !== null ? `${cv.major}.${cv.minor ?? 0}` : cv.currentVersion;
  const version = [mm, cv.build, cv.ubr].filter((x) => x !== null && x !== '').join('.');
  return { name, server, version, build: cv.build, family: fam ?? name };
}
