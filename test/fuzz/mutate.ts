/**
 * Seeded mutations of real NetCDF files for the reader fuzz test: bit flips, truncations, "interesting"
 * integers written over header fields (found by walking the classic header, or at aligned positions in
 * the HDF5 metadata), zeroed and spliced blocks. Everything is derived from the seed, so a case is
 * reproduced from (source file, seed) alone.
 */

/** mulberry32: small, fast, good enough to pick mutations. Returns floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const randInt = (random: () => number, lo: number, hiExclusive: number) =>
  lo + Math.floor(random() * Math.max(0, hiExclusive - lo));
export const pick = <T>(random: () => number, xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];

/** One integer field of a classic header: where it is, how wide (4 or 8 bytes, big-endian) and what it is. */
export interface HeaderField {
  at: number;
  width: 4 | 8;
  what: string;
  bigEndian?: boolean;
}

/**
 * Walks a classic (CDF-1/2/5) header and lists the positions of its integer fields: numrecs, list
 * tags and counts, name lengths, dimension lengths, dimension ids, type codes, attribute counts,
 * vsize and begin. An independent walker (not the reader under test), tolerant of a short buffer.
 */
export function classicHeaderFields(buf: Buffer): { fields: HeaderField[]; headerEnd: number } {
  const fields: HeaderField[] = [];
  const version = buf[3];
  const cdf5 = version === 5;
  const offset64 = version !== 1;
  let pos = 4;
  const need = (n: number) => {
    if (pos + n > buf.length) throw new RangeError('short');
  };
  const int = (width: 4 | 8, what: string): number => {
    need(width);
    fields.push({ at: pos, width, what });
    const v = width === 4 ? buf.readUInt32BE(pos) : Number(buf.readBigUInt64BE(pos));
    pos += width;
    return v;
  };
  const count = (what: string) => int(cdf5 ? 8 : 4, what);
  const pad4 = (n: number) => n + ((4 - (n % 4)) % 4);
  const name = (what: string) => {
    const n = count(`${what} name length`);
    need(pad4(n));
    pos += pad4(n);
  };
  const sizes: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 4, 6: 8, 7: 1, 8: 2, 9: 4, 10: 8, 11: 8 };
  const attributes = (owner: string) => {
    int(4, `${owner} attribute list tag`);
    const n = count(`${owner} attribute count`);
    for (let i = 0; i < n; i++) {
      name(`${owner} attribute ${i}`);
      const type = int(4, `${owner} attribute ${i} type`);
      const nelems = count(`${owner} attribute ${i} length`);
      const bytes = pad4(nelems * (sizes[type] ?? 1));
      need(bytes);
      pos += bytes;
    }
  };
  try {
    int(cdf5 ? 8 : 4, 'numrecs');
    int(4, 'dimension list tag');
    const ndims = count('dimension count');
    for (let i = 0; i < ndims; i++) {
      name(`dimension ${i}`);
      count(`dimension ${i} length`);
    }
    attributes('global');
    int(4, 'variable list tag');
    const nvars = count('variable count');
    for (let i = 0; i < nvars; i++) {
      name(`variable ${i}`);
      const nd = count(`variable ${i} rank`);
      for (let k = 0; k < nd; k++) count(`variable ${i} dimension id ${k}`);
      attributes(`variable ${i}`);
      int(4, `variable ${i} type`);
      count(`variable ${i} vsize`);
      int(offset64 ? 8 : 4, `variable ${i} begin`);
    }
  } catch {
    // A short or odd buffer: the fields found so far are still useful.
  }
  return { fields, headerEnd: pos };
}

export interface SourceInfo {
  name: string;
  bytes: Buffer;
  kind: 'classic' | 'netcdf4';
  /** Bytes holding metadata (classic: the header; HDF5: a generous prefix where netCDF-C puts it). */
  metadataEnd: number;
  fields: HeaderField[];
}

export function describeSource(name: string, bytes: Buffer): SourceInfo {
  if (bytes.toString('latin1', 0, 3) === 'CDF') {
    const { fields, headerEnd } = classicHeaderFields(bytes);
    return { name, bytes, kind: 'classic', metadataEnd: headerEnd, fields };
  }
  // netCDF-C writes the superblock, root object header, heaps and B-trees first, the raw data after.
  const metadataEnd = Math.min(bytes.length, 16 * 1024);
  return { name, bytes, kind: 'netcdf4', metadataEnd, fields: hdf5DimensionFields(bytes, metadataEnd) };
}

/**
 * Likely dataspace dimensions in HDF5 metadata: runs of two or more consecutive 8-byte little-endian
 * values that are dimension lengths of the fixtures (y = x = 10, time = 120 or 10, pft, layer, ...).
 */
function hdf5DimensionFields(bytes: Buffer, end: number): HeaderField[] {
  const dimLengths = new Set([3n, 5n, 10n, 12n, 22n, 23n, 60n, 120n]);
  const isDim = (at: number) => at >= 0 && at + 8 <= end && dimLengths.has(bytes.readBigUInt64LE(at));
  const fields: HeaderField[] = [];
  for (let at = 0; at + 8 <= end; at++) {
    if (isDim(at) && (isDim(at + 8) || isDim(at - 8)))
      fields.push({ at, width: 8, what: `dataspace dimension? u64@${at}`, bigEndian: false });
  }
  return fields;
}

export type MutationKind = 'bitflip' | 'truncate' | 'header-int' | 'zero-block' | 'splice' | 'huge-variable';
export const MUTATION_KINDS: readonly MutationKind[] = [
  'bitflip',
  'truncate',
  'header-int',
  'zero-block',
  'splice',
  'huge-variable',
];

export interface Mutation {
  kind: MutationKind;
  detail: string;
  bytes: Buffer;
}

const INTERESTING_32 = [0, 1, 2, 3, 4, 7, 8, 0x7f, 0xff, 0x100, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

function interesting(random: () => number, width: number, fileSize: number): bigint {
  const choices = [
    ...INTERESTING_32.map(BigInt),
    BigInt(fileSize),
    BigInt(fileSize - 1),
    BigInt(fileSize + 1),
    BigInt(fileSize * 2),
    1n << 40n,
    (1n << 53n) + 1n,
    (1n << 63n) - 1n,
    (1n << 64n) - 1n,
    (1n << 32n) + 4n,
    BigInt(randInt(random, 0, 0x7fffffff)),
  ];
  const mask = (1n << BigInt(width * 8)) - 1n;
  return pick(random, choices) & mask;
}

function writeUint(buf: Buffer, at: number, width: number, value: bigint, bigEndian: boolean): void {
  for (let i = 0; i < width; i++) {
    const byte = Number((value >> BigInt(8 * i)) & 0xffn);
    buf[bigEndian ? at + width - 1 - i : at + i] = byte;
  }
}

/** Positions biased to the metadata, where corruption reaches the parsers; sometimes anywhere. */
function position(random: () => number, src: SourceInfo): number {
  const end = random() < 0.8 ? Math.max(1, src.metadataEnd) : src.bytes.length;
  return randInt(random, 0, end);
}

/** The mutation for `seed` of `src`. The same (src, seed) always gives the same bytes. */
export function mutate(src: SourceInfo, seed: number): Mutation {
  const random = rng(seed);
  const kind = pick(random, MUTATION_KINDS);
  const out = Buffer.from(src.bytes);
  switch (kind) {
    case 'bitflip': {
      const n = 1 + Math.floor(random() ** 2 * 16);
      const at: number[] = [];
      for (let i = 0; i < n; i++) {
        const p = position(random, src);
        out[p] ^= 1 << randInt(random, 0, 8);
        at.push(p);
      }
      return { kind, detail: `${n} bit(s) at ${at.slice(0, 4).join(',')}${n > 4 ? ',…' : ''}`, bytes: out };
    }
    case 'truncate': {
      // Inside the header, inside the first metadata region, or in the middle of the data.
      const r = random();
      const len = r < 0.4 ? randInt(random, 0, Math.max(1, src.metadataEnd)) : randInt(random, 0, src.bytes.length);
      return { kind, detail: `cut to ${len} of ${src.bytes.length} bytes`, bytes: out.subarray(0, len) };
    }
    case 'header-int': {
      const n = 1 + Math.floor(random() * 3);
      const parts: string[] = [];
      for (let i = 0; i < n; i++) {
        if (src.fields.length && (src.kind === 'classic' || random() < 0.5)) {
          const f = pick(random, src.fields);
          const v = interesting(random, f.width, src.bytes.length);
          writeUint(out, f.at, f.width, v, f.bigEndian ?? true);
          parts.push(`${f.what}=${v}`);
        } else {
          const width = pick(random, [2, 4, 8] as const);
          const at = Math.floor(position(random, src) / width) * width;
          if (at + width > out.length) continue;
          const v = interesting(random, width, src.bytes.length);
          writeUint(out, at, width, v, src.kind === 'classic');
          parts.push(`u${width * 8}@${at}=${v}`);
        }
      }
      return { kind, detail: parts.join(' '), bytes: out };
    }
    case 'zero-block': {
      const at = position(random, src);
      const len = Math.min(out.length - at, 1 + randInt(random, 0, 64));
      out.fill(random() < 0.5 ? 0 : 0xff, at, at + len);
      return { kind, detail: `${len} bytes at ${at}`, bytes: out };
    }
    case 'splice': {
      const from = position(random, src);
      const to = position(random, src);
      const len = Math.min(out.length - Math.max(from, to), 1 + randInt(random, 0, 128));
      src.bytes.copy(out, to, from, from + Math.max(0, len));
      return { kind, detail: `${len} bytes from ${from} to ${to}`, bytes: out };
    }
    case 'huge-variable': {
      // A header that claims a variable of about 2^40 bytes or more: no reader may try to allocate it.
      if (src.kind === 'classic') {
        const lengths = src.fields.filter((f) => / length$/.test(f.what) && f.what.startsWith('dimension'));
        const f = lengths.length ? pick(random, lengths) : undefined;
        if (f) {
          const v = pick(random, [0x7fffffffn, 0xfffffff0n, 1n << 20n, 0x40000000n]);
          writeUint(out, f.at, f.width, v, true);
          return { kind, detail: `${f.what}=${v}`, bytes: out };
        }
      }
      // HDF5: a large value over a dataspace dimension (8-byte lengths) or, failing that, anywhere.
      const parts: string[] = [];
      for (let i = 0; i < 1 + randInt(random, 0, 2); i++) {
        const at = src.fields.length ? pick(random, src.fields).at : Math.floor(position(random, src) / 8) * 8;
        if (at + 8 > out.length) continue;
        const v = pick(random, [1n << 40n, 1n << 32n, (1n << 31n) - 1n, 1n << 45n, 1n << 24n]);
        writeUint(out, at, 8, v, false);
        parts.push(`u64@${at}=${v}`);
      }
      return { kind, detail: parts.join(' '), bytes: out };
    }
  }
}
