// SPDX-License-Identifier: Apache-2.0
// The tags Alibaba Cloud gives an image that passes the check:
// acs:ecs:image:osVersion and acs:ecs:image:kernelVersion. "Passes" here
// means no finding failed at RiskLevel High — the items that may stop an
// instance from starting (CHECKS.md) — and the OS version is known; a Medium
// risk (an RTC in local time, SELinux enforcing, a distribution imported as
// "Others Linux") does not keep an image from being imported and tagged.
import type { Finding, Report } from './types';
import { imageTags } from './detection-options';

export function passes(findings: Finding[]): boolean {
  return findings.length > 0 && !findings.some((f) => f.status === 'fail' && (f.riskLevel === 'High' || f.name === 'OSVersion'));
}

/** The tags, when the image passes; [] otherwise. */
export function tagsFor(findings: Finding[]): Report['Tags'] {
  return passes(findings) ? imageTags(findings) : [];
}
