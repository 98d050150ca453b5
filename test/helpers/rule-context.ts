// SPDX-License-Identifier: Apache-2.0
// A RuleContext over a fake guest tree and a described disk, for rule tests.
import { fakeGuest, type FakeNode } from './fake-guest';
import { detectOs } from '../../src/facts/os-release';
import type { RuleContext } from '../../src/rules/rule';
import type { ImageInfo, MountInfo, VolumeInfo } from '../../src/report/types';

export function vol(id: string, v: Partial<VolumeInfo> = {}): VolumeInfo {
  return { id, start: 1 << 20, size: 1 << 30, type: '0FC63DAF-8483-4772-8E79-3D69D8477DE4', typeName: 'Linux filesystem', fs: 'ext4', uuid: '', label: '', partuuid: '', partlabel: '', mountedAt: '', ...v };
}

export function ctxOf(tree: Record<string, FakeNode>, opts: { volumes?: VolumeInfo[]; image?: Partial<ImageInfo>; mounts?: MountInfo[]; volumeTrees?: Record<string, Record<string, FakeNode>> } = {}): RuleContext {
  const guest = fakeGuest(tree);
  const image: ImageInfo = {
    files: ['x.img'], format: 'raw', virtualSize: 8 << 30, partitionTable: 'gpt', notes: [],
    volumes: opts.volumes ?? [vol('p1', { uuid: '11111111-2222-3333-4444-555555555555', mountedAt: '/' })], ...opts.image,
  };
  const vt = opts.volumeTrees ?? {};
  return {
    image, platform: 'Linux', guest, rootReason: '', os: detectOs(guest),
    ...(opts.mounts ? { mounts: opts.mounts } : {}),
    volumeView: (id) => (vt[id] ? fakeGuest(vt[id]) : null),
  };
}

export const OS_RELEASE = {
  rhel9: 'NAME="Red Hat Enterprise Linux"\nVERSION="9.3 (Plow)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.3"\nPRETTY_NAME="Red Hat Enterprise Linux 9.3 (Plow)"\n',
  centos7: 'NAME="CentOS Linux"\nVERSION="7 (Core)"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="7"\nPRETTY_NAME="CentOS Linux 7 (Core)"\n',
  rocky8: 'NAME="Rocky Linux"\nVERSION="8.9 (Green Obsidian)"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="8.9"\nPRETTY_NAME="Rocky Linux 8.9 (Green Obsidian)"\n',
  alinux3: 'NAME="Alibaba Cloud Linux"\nVERSION="3 (Soaring Falcon)"\nID="alinux"\nID_LIKE="rhel fedora centos anolis"\nVERSION_ID="3"\nPRETTY_NAME="Alibaba Cloud Linux 3 (Soaring Falcon)"\n',
  ubuntu2204: 'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"\nID=ubuntu\nID_LIKE=debian\n',
  debian12: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
  sles15: 'NAME="SLES"\nVERSION="15-SP5"\nVERSION_ID="15.5"\nPRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"\nID="sles"\nID_LIKE="suse"\n',
  opensuse: 'NAME="openSUSE Leap"\nVERSION="15.5"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\nVERSION_ID="15.5"\nPRETTY_NAME="openSUSE Leap 15.5"\n',
  fedora39: 'NAME="Fedora Linux"\nVERSION="39 (Cloud Edition)"\nID=fedora\nVERSION_ID=39\nPRETTY_NAME="Fedora Linux 39 (Cloud Edition)"\n',
  openeuler: 'NAME="openEuler"\nVERSION="22.03 (LTS-SP3)"\nID="openEuler"\nVERSION_ID="22.03"\nPRETTY_NAME="openEuler 22.03 (LTS-SP3)"\n',
  anolis8: 'NAME="Anolis OS"\nVERSION="8.8"\nID="anolis"\nID_LIKE="rhel fedora centos"\nVERSION_ID="8.8"\nPRETTY_NAME="Anolis OS 8.8"\n',
};
