/**
 * The IDX format of MNIST and Fashion-MNIST (yann.lecun.com/exdb/mnist):
 * a big-endian header (two zero bytes, a type code, the number of
 * dimensions, then each dimension as uint32) followed by the data.
 * Only unsigned bytes (type 0x08) occur in these datasets.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  if (bytes.length < 4) throw new Error(`${source}: ${bytes.length} bytes is too short for an IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const type = bytes[2];
  const rank = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || type !== UBYTE || rank < 1 || rank > 4) {
    throw new Error(`${source}: wrong IDX magic number 0x${magic.toString(16).padStart(8, '0')}; ` +
        'expected 0x00000801 (labels) or 0x00000803 (images)');
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) throw new Error(`${source}: truncated IDX header`);
  const shape = Array.from({length: rank}, (_, i) => view.getUint32(4 + 4 * i));
  const size = shape.reduce((a, b) => a * b, 1);
  if (bytes.length - headerBytes !== size) {
    throw new Error(`${source}: header promises ${size} values of shape [${shape}] but the file holds ` +
        `${bytes.length - headerBytes}: the file is truncated or corrupt`);
  }
  return {shape, data: bytes.subarray(headerBytes)};
}

/** Reads an IDX file, gunzipping when it ends in .gz. */
export function readIdxFile(file: string): IdxArray {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file);
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  let bytes: Uint8Array = raw;
  if (file.endsWith('.gz')) {
    try {
      bytes = zlib.gunzipSync(raw);
    } catch (error) {
      throw new Error(`${file}: not a complete gzip file (${(error as Error).message}); ` +
          'the download or copy was probably cut short: replace the file');
    }
  }
  return parseIdx(bytes, file);
}
