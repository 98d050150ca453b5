// SPDX-License-Identifier: Apache-2.0
export const VERSION = '0.1.0';
