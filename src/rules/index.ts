// SPDX-License-Identifier: Apache-2.0
// The check items this build implements, in the console's order. An item not
// listed here is absent from the report, never faked.
import type { Rule } from './rule';
import { platform } from './linux/platform';
import { osVersion } from './linux/os-version';
import { architecture } from './linux/architecture';
import { rtcTimeMode } from './linux/rtc-time-mode';
import { bootMode } from './linux/boot-mode';
import { kernelVersion } from './linux/kernel-version';
import { fstab } from './linux/fstab';
import { grub } from './linux/grub';
import { dhcp } from './linux/dhcp';
import { selinux } from './linux/selinux';
import { virtio } from './linux/virtio';
import { nvme } from './linux/nvme';
import { onlineResizeFs } from './linux/online-resize-fs';
import { systemImage } from './linux/system-image';
import { cloudAssistant } from './linux/cloud-assistant';
import { cloudInit } from './linux/cloud-init';
import { securityCenterAgent } from './linux/security-center-agent';
import { supportMocInstanceTypes } from './linux/support-moc-instance-types';
import { platform as winPlatform } from './windows/platform';
import { osVersion as winOsVersion } from './windows/os-version';
import { architecture as winArchitecture } from './windows/architecture';
import { kernelVersion as winKernelVersion } from './windows/kernel-version';
import { virtio as winVirtio } from './windows/virtio';
import { bcd } from './windows/bcd';
import { registry } from './windows/registry';
import { hotfix } from './windows/hotfix';
import { disk } from './windows/disk';
import { sysprep } from './windows/sysprep';
import { update } from './windows/update';
import { xen } from './windows/xen';
import { cloudAssistant as winCloudAssistant } from './windows/cloud-assistant';
import { server } from './windows/server';
import { desktopConfig } from './windows/desktop-config';
import { bootMgr } from './windows/boot-mgr';

// the console's order (CHECKS.md); each platform's items keep their order
// because runRules skips the other platform's
export const rules: Rule[] = [
  platform, osVersion, architecture, rtcTimeMode, bootMode, kernelVersion, virtio, nvme, fstab, grub, dhcp, selinux,
  onlineResizeFs, systemImage, cloudAssistant, cloudInit, securityCenterAgent, supportMocInstanceTypes,
  winPlatform, winOsVersion, winArchitecture, winKernelVersion, winVirtio, bcd, registry, hotfix, disk, sysprep,
  update, xen, winCloudAssistant, server, desktopConfig, bootMgr,
];
