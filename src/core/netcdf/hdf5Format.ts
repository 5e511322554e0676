/**
 * HDF5 format primitives for our read-only metadata walker (hdf5Layout, hdf5Damage): a bounds-checked
 * cursor, the file with its read budget, the superblock and object headers with their messages, and
 * the one error type of the walker.
 *
 * Byte layouts follow the HDF5 File Format Specification (superblock v0-v3, object header v1/v2).
 * The input may be corrupt (the project fuzzes this parser), so every address and length is checked
 * against the file size before reading, every loop is bounded, and no allocation is sized by a field
 * of the file beyond MAX_READ. Anything malformed or unsupported raises Hdf5LayoutError; damage the
 * HDF5 library itself cannot be trusted with raises its subclass Hdf5HazardError.
 * The checksums of the superblock (v2/v3) and of v2 object headers are verified: the HDF5 library
 * refuses such damage too, but (h5wasm 0.10 / HDF5 2.0) a failed object-header checksum can leave the
 * library's internal state damaged for every later file in the process, so it must never see one.
 */
import * as fs from 'node:fs';
import { lookup3 } from './lookup3';

/** Metadata the walker cannot follow: malformed, or beyond what it supports. */
export class Hdf5LayoutError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Hdf5LayoutError';
  }
}

/**
 * Damage the HDF5 library cannot be trusted with (a failed checksum, a global heap it would loop on
 * or overrun a buffer with): the file is refused before the library sees it.
 */
export class Hdf5HazardError extends Hdf5LayoutError {
  constructor(message: string) {
    super(message);
    this.name = 'Hdf5HazardError';
  }
}

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Largest single metadata read, whatever a size field in the file claims. */
export const MAX_READ = 4 * 1024 * 1024;
/** Budgets for the whole walk, far above what real files need (a few reads per dataset): a backstop
 *  that guarantees termination on corrupt structures the visited sets do not catch. */
const MAX_READS = 2_000_000;
/** Bytes read at once for small metadata reads. */
const READ_AHEAD = 16 * 1024;
const MAX_BYTES_READ = 1024 * 1024 * 1024;
export const MAX_LINKS = 1_000_000;

export const MSG = {
  dataspace: 0x01,
  linkInfo: 0x02,
  datatype: 0x03,
  link: 0x06,
  external: 0x07,
  layout: 0x08,
  filterPipeline: 0x0b,
  attribute: 0x0c,
  continuation: 0x10,
  symbolTable: 0x11,
  attributeInfo: 0x15,
} as const;
export const SHARED_MESSAGE_FLAG = 0x02;

/** Bounds-checked little-endian reader over one buffer of metadata. */
export class Cursor {
  constructor(
    private readonly buf: Buffer,
    public pos: number,
    readonly where: string,
  ) {}

  private take(n: number): number {
    if (!Number.isSafeInteger(n) || n < 0 || this.pos + n > this.buf.length) {
      throw new Hdf5LayoutError(
        `${this.where}: a ${n}-byte field at byte ${this.pos} runs past the end of the structure`,
      );
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }
  skip(n: number): void {
    this.take(n);
  }
  u8(): number {
    return this.buf[this.take(1)];
  }
  u16(): number {
    return this.buf.readUInt16LE(this.take(2));
  }
  u32(): number {
    return this.buf.readUInt32LE(this.take(4));
  }
  bytes(n: number): Buffer {
    const at = this.take(n);
    return this.buf.subarray(at, at + n);
  }
  /** NUL-terminated string starting at the current position. */
  cString(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new Hdf5LayoutError(`${this.where}: string at byte ${this.pos} is not NUL-terminated`);
    return this.bytes(end - this.pos).toString('utf8');
  }
  /** Unsigned little-endian integer of `n` (0..8) bytes; throws past Number.MAX_SAFE_INTEGER. */
  uint(n: number): number {
    return decodeUint(this.bytes(n), this.where);
  }
  signature(expected: string): void {
    const got = this.bytes(4).toString('latin1');
    if (got !== expected)
      throw new Hdf5LayoutError(`${this.where}: expected signature "${expected}", found ${JSON.stringify(got)}`);
  }
}

export function decodeUint(bytes: Buffer, where: string): number {
  let value = 0;
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (value > (Number.MAX_SAFE_INTEGER - bytes[i]) / 256)
      throw new Hdf5LayoutError(`${where}: value exceeds Number.MAX_SAFE_INTEGER`);
    value = value * 256 + bytes[i];
  }
  return value;
}

/** floor(log2(n)) for n >= 1, exact for all safe integers. */
export function log2floor(n: number): number {
  let b = Math.floor(Math.log2(n));
  if (2 ** b > n) b--;
  else if (2 ** (b + 1) <= n) b++;
  return b;
}
export const isPowerOf2 = (n: number): boolean => n >= 1 && 2 ** log2floor(n) === n;
/** Bytes the library uses to encode a count up to `n` (H5VM_limit_enc_size). */
export const limitEncSize = (n: number): number => Math.floor((n > 0 ? log2floor(n) : 0) / 8) + 1;

/** The open file plus the format parameters from the superblock and the read budget. */
export class H5File {
  sizeOfOffsets = 8;
  sizeOfLengths = 8;
  base = 0;
  private reads = 0;
  private bytesRead = 0;
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  /** Reads `len` bytes at absolute file position `pos`, after checking both against the file. */
  cursor(pos: number, len: number, what: string): Cursor {
    const where = `${what} at ${pos}`;
    if (!Number.isSafeInteger(len) || len < 0 || len > MAX_READ)
      throw new Hdf5LayoutError(`${where}: implausible size ${len}`);
    if (!Number.isSafeInteger(pos) || pos < 0 || pos + len > this.size) {
      throw new Hdf5LayoutError(`${where}: ${len} bytes would run past the end of the file (${this.size} bytes)`);
    }
    if (++this.reads > MAX_READS || (this.bytesRead += len) > MAX_BYTES_READ) {
      throw new Hdf5LayoutError(`${where}: metadata read budget exhausted (cyclic or absurd structure?)`);
    }
    if (len > READ_AHEAD) return new Cursor(this.readAt(pos, len, len, where), 0, where);
    // Metadata lies in few places (netCDF-C writes it ahead of the data): most reads are small and
    // close together, so they are served from one block read ahead (a fraction of the calls).
    if (!this.block || pos < this.blockPos || pos + len > this.blockPos + this.block.length) {
      this.blockPos = pos;
      this.block = this.readAt(pos, Math.min(READ_AHEAD, this.size - pos), len, where);
    }
    return new Cursor(this.block.subarray(pos - this.blockPos, pos - this.blockPos + len), 0, where);
  }
  private block: Buffer | null = null;
  private blockPos = 0;

  /** Reads up to `want` bytes at `pos`; fewer only past the end of the file, and never fewer than `need`. */
  private readAt(pos: number, want: number, need: number, where: string): Buffer {
    const buf = Buffer.allocUnsafe(want);
    let done = 0;
    while (done < want) {
      const n = fs.readSync(this.fd, buf, done, want - done, pos + done);
      if (n === 0) break;
      done += n;
    }
    if (done < need) throw new Hdf5LayoutError(`${where}: unexpected end of file`);
    return done < want ? buf.subarray(0, done) : buf;
  }
  /** Checks the lookup3 checksum stored right after the `len` bytes at `pos` (H5F_get_checksums). */
  verifyChecksum(pos: number, len: number, what: string): void {
    const c = this.cursor(pos, len + 4, what);
    const data = c.bytes(len);
    const stored = c.u32();
    const actual = lookup3(data);
    if (stored !== actual)
      throw new Hdf5HazardError(
        `${what} at ${pos}: metadata checksum mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)})`,
      );
  }
  /** A file address (size-of-offsets bytes), relative to the base; undefined when all bits are set. */
  address(c: Cursor): number | undefined {
    const bytes = c.bytes(this.sizeOfOffsets);
    return bytes.every((b) => b === 0xff) ? undefined : decodeUint(bytes, c.where);
  }
  length(c: Cursor): number {
    return c.uint(this.sizeOfLengths);
  }
  /** Absolute position of a relative address, which must point inside the file. */
  absolute(rel: number | undefined, what: string): number {
    const pos = rel === undefined ? NaN : this.base + rel;
    if (!Number.isSafeInteger(pos) || pos >= this.size)
      throw new Hdf5LayoutError(`${what}: address ${rel ?? 'UNDEFINED'} is outside the file`);
    return pos;
  }
}

// ---------------------------------------------------------------------------------------------------
// Superblock

function findSignature(f: H5File): number {
  // The superblock sits at 0 or, after a user block, at 512, 1024, 2048, ...
  for (let pos = 0; pos + SIGNATURE.length <= f.size; pos = pos === 0 ? 512 : pos * 2) {
    if (f.cursor(pos, SIGNATURE.length, 'superblock signature').bytes(8).equals(SIGNATURE)) return pos;
  }
  throw new Hdf5LayoutError('no HDF5 signature at offset 0, 512, 1024, ...: not an HDF5 file');
}

/** Sets the format parameters on `f` and returns the absolute address of the root group's object header. */
export function readSuperblock(f: H5File): number {
  const at = findSignature(f);
  const head = f.cursor(at, Math.min(16, f.size - at), 'superblock');
  head.skip(8);
  const version = head.u8();
  if (version > 3) throw new Hdf5LayoutError(`superblock at ${at}: unsupported version ${version}`);
  if (version <= 1) head.skip(4); // free-space, root symbol table and shared-header versions, reserved
  f.sizeOfOffsets = head.u8();
  f.sizeOfLengths = head.u8();
  for (const [name, n] of [
    ['offsets', f.sizeOfOffsets],
    ['lengths', f.sizeOfLengths],
  ] as const) {
    if (n !== 2 && n !== 4 && n !== 8)
      throw new Hdf5LayoutError(`superblock at ${at}: unsupported size of ${name} ${n}`);
  }
  // H5F__super_read always uses the superblock's own position as the base address (the stored
  // field is overridden when it differs), so all relative addresses are counted from `at`.
  f.base = at;
  const O = f.sizeOfOffsets;
  if (version <= 1) {
    const fixed = 24 + (version === 1 ? 4 : 0);
    const c = f.cursor(at, fixed + 4 * O + 2 * O + 24, 'superblock');
    c.skip(fixed + 4 * O + O); // ..., base/free-space/EOF/driver addresses, root entry's link name offset
    return f.absolute(f.address(c), `superblock at ${at}: root group object header`);
  }
  f.verifyChecksum(at, 12 + 4 * O, `superblock v${version}`);
  const c = f.cursor(at, 12 + 4 * O, 'superblock');
  c.skip(12 + 3 * O); // ..., base address, superblock extension address, end-of-file address
  return f.absolute(f.address(c), `superblock at ${at}: root group object header`);
}

// ---------------------------------------------------------------------------------------------------
// Object headers

export interface Message {
  type: number;
  flags: number;
  body: Buffer;
  where: string;
}

/** All messages of an object header (v1 or v2), following continuation chunks. */
export function readObjectHeader(f: H5File, pos: number): Message[] {
  const where = `object header at ${pos}`;
  const prefix = f.cursor(pos, Math.min(64, f.size - pos), 'object header');
  let version: number;
  const chunks: Array<{ pos: number; len: number; first: boolean }> = [];
  let messageFlags = 0;
  if (prefix.bytes(4).toString('latin1') === 'OHDR') {
    version = prefix.u8();
    if (version !== 2) throw new Hdf5LayoutError(`${where}: unsupported OHDR version ${version}`);
    const flags = prefix.u8();
    if (flags & 0x20) prefix.skip(16); // access, modification, change and birth times
    if (flags & 0x10) prefix.skip(4); // attribute phase-change thresholds
    messageFlags = flags & 0x04; // attribute creation order tracked: messages carry a 2-byte order
    const chunk0 = prefix.uint(1 << (flags & 0x03));
    // The checksum of the prefix and the first chunk follows the chunk.
    f.verifyChecksum(pos, prefix.pos + chunk0, 'object header');
    chunks.push({ pos: pos + prefix.pos, len: chunk0, first: true });
  } else {
    prefix.pos = 0;
    version = prefix.u8();
    if (version !== 1)
      throw new Hdf5LayoutError(`${where}: neither an "OHDR" signature nor version 1 (found ${version})`);
    prefix.skip(1 + 2 + 4); // reserved, number of messages, reference count
    const size = prefix.u32();
    chunks.push({ pos: pos + 16, len: size, first: true }); // 12-byte prefix padded to 16
  }
  const messages: Message[] = [];
  const seen = new Set<number>();
  for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
    if (seen.has(chunk.pos)) throw new Hdf5LayoutError(`${where}: continuation chunk at ${chunk.pos} is visited twice`);
    seen.add(chunk.pos);
    const c = f.cursor(chunk.pos, chunk.len, 'object header chunk');
    let end = chunk.len;
    if (version === 2 && !chunk.first) {
      c.signature('OCHK');
      end -= 4; // trailing checksum
      f.verifyChecksum(chunk.pos, chunk.len - 4, 'object header continuation chunk');
    }
    const headerSize = version === 1 ? 8 : messageFlags ? 6 : 4;
    while (c.pos + headerSize <= end) {
      const type = version === 1 ? c.u16() : c.u8();
      const size = c.u16();
      const flags = c.u8();
      c.skip(version === 1 ? 3 : messageFlags ? 2 : 0);
      if (c.pos + size > end) throw new Hdf5LayoutError(`${c.where}: message of type ${type} overruns the chunk`);
      const body = c.bytes(size);
      messages.push({ type, flags, body, where: `message type ${type} of ${where}` });
      if (type === MSG.continuation) {
        const m = new Cursor(body, 0, `continuation message of ${where}`);
        const next = f.absolute(f.address(m), m.where);
        chunks.push({ pos: next, len: f.length(m), first: false });
      }
    }
  }
  return messages;
}
