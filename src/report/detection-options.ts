// SPDX-License-Identifier: Apache-2.0
// Findings in the DescribeImages shape: DetectionOptions items with RiskLevel
// only when the item is at risk, and the tags a passing image receives.
import type { Finding, Report } from './types';

export function detectionOptions(findings: Finding[]): Report['DetectionOptions'] {
  return {
    Status: 'Finished',
    Items: {
      Item: findings.map((f) => ({
        Name: f.name,
        Value: f.value,
        RiskCode: f.riskCode,
        RiskLevel: f.riskLevel ?? '',
      })),
    },
  };
}

export function imageTags(findings: Finding[]): Report['Tags'] {
  const tags: Report['Tags'] = [];
  const os = findings.find((f) => f.name === 'OSVersion' && f.status !== 'error' && f.value !== 'Unknown');
  const k = findings.find((f) => f.name === 'KernelVersion' && f.status !== 'error' && f.value !== 'Unknown');
  if (os) tags.push({ TagKey: 'acs:ecs:image:osVersion', TagValue: os.value });
  if (k) tags.push({ TagKey: 'acs:ecs:image:kernelVersion', TagValue: k.value });
  return tags;
}
