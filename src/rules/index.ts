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
import { systemImage } from './linux/system-image';

export const rules: Rule[] = [platform, osVersion, architecture, rtcTimeMode, bootMode, kernelVersion, fstab, grub, dhcp, selinux, systemImage];
