// SPDX-License-Identifier: Apache-2.0
// Types for the decoder packages that ship none (only what src/facts uses).
declare module 'lz4js' {
  const lz4js: {
    /** decodes one LZ4 block of src[sIndex, sIndex+sLength) into dst at dIndex; returns the end index in dst */
    decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
  };
  export default lz4js;
}
declare module 'compressjs/lib/Bzip2.js' {
  const Bzip2: { decompressFile(input: Uint8Array): Uint8Array };
  export default Bzip2;
}
declare module 'lzma/src/lzma-d.js' {
  /** LZMA-JS's decoder: returns a string when the output happens to be UTF-8 text, else signed bytes */
  const lzmaD: { LZMA: { decompress(input: Uint8Array): number[] | string } };
  export default lzmaD;
}
