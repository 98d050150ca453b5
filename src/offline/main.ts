// SPDX-License-Identifier: Apache-2.0
// The entry of the single-file build for air-gapped use: the element alone,
// no service worker (a file:// page cannot have one) and no sample download.
import '../ui/image-check';
