/**
 * A small, read-only HDF5 metadata walker. Its single job: for every dataset linked directly from the
 * root group of a NetCDF-4/HDF5 file, say where its raw data lives when the storage is contiguous, so
 * that cells can be patched with plain positioned reads/writes (h5wasm does not expose H5Dget_offset).
 *
 * Byte layouts follow the HDF5 File Format Specification (superblock v0-v3, object header v1/v2,
 * v1 B-tree + local heap groups, compact and dense link storage, data layout message v1-v4).
 * The input may be corrupt (the project fuzzes this parser), so every address and length is checked
 * against the file size before reading, every loop is bounded, and no allocation is sized by a field
 * of the file beyond MAX_READ. Anything malformed or unsupported raises Hdf5LayoutError.
 * The checksums of the superblock (v2/v3) and of v2 object headers are verified: the HDF5 library
 * refuses such damage too, but (h5wasm 0.10 / HDF5 2.0) a failed object-header checksum can leave the
 * library's internal state damaged for every later file in the process, so it must never see one.
 */
import * as fs from 'node:fs';
import { lookup3 } from './lookup3';

export interface ContiguousStorage {
  address: number;
  size: number;
}

export class Hdf5LayoutError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Hdf5LayoutError';
  }
}

/** Metadata whose checksum does not match: a hazard (the file is refused before the library sees it). */
export class Hdf5ChecksumError extends Hdf5LayoutError {
  constructor(message: string) {
    super(message);
    this.name = 'Hdf5ChecksumError';
  }
}

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Largest single metadata read, whatever a size field in the file claims. */
const MAX_READ = 4 * 1024 * 1024;
/** Budgets for the whole walk, far above what real files need (a few reads per dataset): a backstop
 *  that guarantees termination on corrupt structures the visited sets do not catch. */
const MAX_READS = 2_000_000;
const MAX_BYTES_READ = 1024 * 1024 * 1024;
const MAX_LINKS = 1_000_000;

const MSG = {
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
const SHARED_MESSAGE_FLAG = 0x02;

/** Bounds-checked little-endian reader over one buffer of metadata. */
class Cursor {
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

function decodeUint(bytes: Buffer, where: string): number {
  let value = 0;
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (value > (Number.MAX_SAFE_INTEGER - bytes[i]) / 256)
      throw new Hdf5LayoutError(`${where}: value exceeds Number.MAX_SAFE_INTEGER`);
    value = value * 256 + bytes[i];
  }
  return value;
}

/** floor(log2(n)) for n >= 1, exact for all safe integers. */
function log2floor(n: number): number {
  let b = Math.floor(Math.log2(n));
  if (2 ** b > n) b--;
  else if (2 ** (b + 1) <= n) b++;
  return b;
}
const isPowerOf2 = (n: number): boolean => n >= 1 && 2 ** log2floor(n) === n;
/** Bytes the library uses to encode a count up to `n` (H5VM_limit_enc_size). */
const limitEncSize = (n: number): number => Math.floor((n > 0 ? log2floor(n) : 0) / 8) + 1;

/** The open file plus the format parameters from the superblock and the read budget. */
class H5File {
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
    const buf = Buffer.alloc(len);
    for (let done = 0; done < len;) {
      const n = fs.readSync(this.fd, buf, done, len - done, pos + done);
      if (n === 0) throw new Hdf5LayoutError(`${where}: unexpected end of file`);
      done += n;
    }
    return new Cursor(buf, 0, where);
  }
  /** Checks the lookup3 checksum stored right after the `len` bytes at `pos` (H5F_get_checksums). */
  verifyChecksum(pos: number, len: number, what: string): void {
    const c = this.cursor(pos, len + 4, what);
    const data = c.bytes(len);
    const stored = c.u32();
    const actual = lookup3(data);
    if (stored !== actual)
      throw new Hdf5ChecksumError(
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
function readSuperblock(f: H5File): number {
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

interface Message {
  type: number;
  flags: number;
  body: Buffer;
  where: string;
}

/** All messages of an object header (v1 or v2), following continuation chunks. */
function readObjectHeader(f: H5File, pos: number): Message[] {
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

// ---------------------------------------------------------------------------------------------------
// Groups: links from old-style symbol tables, compact link messages or dense link storage

interface Link {
  name: string;
  address: number;
}

/** `tolerant`: a link whose name cannot be read gets a placeholder name instead of failing the walk. */
function readGroupLinks(f: H5File, messages: Message[], tolerant = false): Link[] {
  const links: Link[] = [];
  let isGroup = false;
  for (const m of messages) {
    const c = new Cursor(m.body, 0, m.where);
    if (m.type === MSG.symbolTable) {
      isGroup = true;
      const btree = f.address(c);
      readSymbolTableLinks(f, btree, f.address(c), links, tolerant);
    } else if (m.type === MSG.link) {
      isGroup = true;
      const link = parseLinkMessage(f, c);
      if (link) pushLink(links, link);
    } else if (m.type === MSG.linkInfo) {
      isGroup = true;
      if (c.u8() !== 0) throw new Hdf5LayoutError(`${m.where}: unsupported link info version`);
      if (c.u8() & 0x01) c.skip(8); // maximum creation index
      const heap = f.address(c);
      const nameIndex = f.address(c);
      if (heap !== undefined) readDenseLinks(f, heap, nameIndex, links);
    }
  }
  if (!isGroup)
    throw new Hdf5LayoutError('the root object header has no symbol table, link or link info message: not a group');
  return links;
}

/** A Link message (0x06); null for soft, external and user-defined links. */
function parseLinkMessage(f: H5File, c: Cursor): Link | null {
  const version = c.u8();
  if (version !== 1) throw new Hdf5LayoutError(`${c.where}: unsupported link message version ${version}`);
  const flags = c.u8();
  const linkType = flags & 0x08 ? c.u8() : 0;
  if (flags & 0x04) c.skip(8); // creation order
  if (flags & 0x10) c.skip(1); // name character set
  const name = c.bytes(c.uint(1 << (flags & 0x03))).toString('utf8');
  if (linkType !== 0) return null;
  const address = f.address(c);
  if (address === undefined) throw new Hdf5LayoutError(`${c.where}: hard link "${name}" has an undefined address`);
  return { name, address };
}

function pushLink(links: Link[], link: Link): void {
  if (links.length >= MAX_LINKS) throw new Hdf5LayoutError(`root group: more than ${MAX_LINKS} links`);
  links.push(link);
}

/** Old-style group: v1 B-tree ("TREE", type 0) whose leaves point to symbol table nodes ("SNOD"). */
function readSymbolTableLinks(
  f: H5File,
  btree: number | undefined,
  heap: number | undefined,
  links: Link[],
  tolerant: boolean,
): void {
  let names: Cursor | null;
  try {
    names = readLocalHeap(f, f.absolute(heap, 'symbol table message: local heap'));
  } catch (err) {
    // Tolerant: the objects are still reachable through the B-tree, only their names are lost.
    if (!tolerant || !(err instanceof Hdf5LayoutError)) throw err;
    names = null;
  }
  const O = f.sizeOfOffsets,
    L = f.sizeOfLengths;
  const visited = new Set<number>();
  const stack: Array<{ pos: number; level?: number }> = [{ pos: f.absolute(btree, 'symbol table message: B-tree') }];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (visited.has(node.pos)) throw new Hdf5LayoutError(`v1 B-tree node at ${node.pos} is reached twice`);
    visited.add(node.pos);
    const head = f.cursor(node.pos, 8 + 2 * O, 'v1 B-tree node');
    head.signature('TREE');
    if (head.u8() !== 0) throw new Hdf5LayoutError(`${head.where}: not a group node`);
    const level = head.u8();
    const entries = head.u16();
    if (node.level !== undefined && level !== node.level)
      throw new Hdf5LayoutError(`${head.where}: level ${level}, expected ${node.level}`);
    const c = f.cursor(node.pos + 8 + 2 * O, entries * (L + O) + L, 'v1 B-tree keys and children');
    for (let i = 0; i < entries; i++) {
      c.skip(L); // key: heap offset of the largest name in the child
      const child = f.absolute(f.address(c), `${c.where}: child ${i}`);
      if (level > 0) stack.push({ pos: child, level: level - 1 });
      else if (visited.has(child)) throw new Hdf5LayoutError(`symbol table node at ${child} is reached twice`);
      else {
        visited.add(child);
        readSymbolTableNode(f, child, names, links, tolerant);
      }
    }
  }
}

function readSymbolTableNode(f: H5File, pos: number, names: Cursor | null, links: Link[], tolerant: boolean): void {
  const O = f.sizeOfOffsets;
  const head = f.cursor(pos, 8, 'symbol table node');
  head.signature('SNOD');
  if (head.u8() !== 1) throw new Hdf5LayoutError(`${head.where}: unsupported version`);
  head.skip(1);
  const count = head.u16();
  const c = f.cursor(pos + 8, count * (2 * O + 24), 'symbol table entries');
  for (let i = 0; i < count; i++) {
    const entry = new Cursor(c.bytes(2 * O + 24), 0, `${c.where}: entry ${i}`);
    let nameOffset: number;
    let address: number | undefined;
    try {
      nameOffset = entry.uint(O);
      address = f.address(entry);
      if (address === undefined)
        throw new Hdf5LayoutError(`${c.where}: entry ${i} has an undefined object header address`);
    } catch (err) {
      // Tolerant: an entry that points nowhere is left out; the others are still followed.
      if (!tolerant || !(err instanceof Hdf5LayoutError)) throw err;
      continue;
    }
    let name: string;
    try {
      if (!names) throw new Hdf5LayoutError('no readable local heap');
      names.pos = nameOffset;
      name = names.cString();
    } catch (err) {
      if (!tolerant || !(err instanceof Hdf5LayoutError)) throw err;
      name = `(unreadable name of entry ${i} at ${pos})`;
    }
    pushLink(links, { name, address });
  }
}

/** The data segment of a local heap ("HEAP"), which holds the NUL-terminated link names. */
function readLocalHeap(f: H5File, pos: number): Cursor {
  const L = f.sizeOfLengths;
  const c = f.cursor(pos, 8 + 2 * L + f.sizeOfOffsets, 'local heap');
  c.signature('HEAP');
  if (c.u8() !== 0) throw new Hdf5LayoutError(`${c.where}: unsupported version`);
  c.skip(3);
  const size = f.length(c);
  c.skip(L); // free list head
  return f.cursor(f.absolute(f.address(c), `${c.where}: data segment`), size, 'local heap data segment');
}

/** New-style dense group: link messages stored in a fractal heap, found through the v2 B-tree name index. */
function readDenseLinks(f: H5File, heapAddr: number, nameIndex: number | undefined, links: Link[]): void {
  const heap = readFractalHeapHeader(f, f.absolute(heapAddr, 'link info message: fractal heap'));
  const records = readBtree2Records(f, f.absolute(nameIndex, 'link info message: name index'), 5);
  for (const record of records) {
    if (record.length !== 4 + heap.idLength)
      throw new Hdf5LayoutError(
        `name index record of ${record.length} bytes does not hold a ${heap.idLength}-byte heap ID`,
      );
    const object = readHeapObject(f, heap, record.subarray(4)); // skip the 4-byte name hash
    const link = parseLinkMessage(f, new Cursor(object, 0, `link message in fractal heap at ${heap.pos}`));
    if (link) pushLink(links, link);
  }
}

// ---------------------------------------------------------------------------------------------------
// Fractal heap ("FRHP") and v2 B-tree ("BTHD"): just enough to fetch the dense link messages

interface FractalHeap {
  pos: number;
  idLength: number;
  tableWidth: number;
  startBlockSize: number;
  rootAddress?: number;
  rootRows: number;
  offsetSize: number;
  lengthSize: number;
  maxDirectRows: number;
  firstRowBits: number;
  directBlockHeaderSize: number;
}

function readFractalHeapHeader(f: H5File, pos: number): FractalHeap {
  const O = f.sizeOfOffsets,
    L = f.sizeOfLengths;
  const c = f.cursor(pos, 22 + 12 * L + 3 * O, 'fractal heap header');
  c.signature('FRHP');
  if (c.u8() !== 0) throw new Hdf5LayoutError(`${c.where}: unsupported version`);
  const idLength = c.u16();
  const filterLength = c.u16();
  const flags = c.u8();
  const maxManagedSize = c.u32();
  c.skip(L + O + L + O + 8 * L); // huge-object and free-space bookkeeping, object counts
  const tableWidth = c.u16();
  const startBlockSize = f.length(c);
  const maxDirectSize = f.length(c);
  const maxHeapBits = c.u16();
  c.skip(2); // starting number of rows in the root indirect block
  const rootAddress = f.address(c);
  const rootRows = c.u16();
  if (filterLength !== 0) throw new Hdf5LayoutError(`${c.where}: filtered fractal heaps are not supported`);
  if (
    !isPowerOf2(tableWidth) ||
    !isPowerOf2(startBlockSize) ||
    !isPowerOf2(maxDirectSize) ||
    maxDirectSize < startBlockSize ||
    maxHeapBits < 1 ||
    maxHeapBits > 64 ||
    rootRows > 64 ||
    idLength < 2
  ) {
    throw new Hdf5LayoutError(`${c.where}: inconsistent doubling-table parameters`);
  }
  const offsetSize = Math.ceil(maxHeapBits / 8);
  return {
    pos,
    idLength,
    tableWidth,
    startBlockSize,
    rootAddress,
    rootRows,
    offsetSize,
    // Same derivations as H5HF__hdr_finish_init_phase1 / H5HF__dtable_init.
    lengthSize: Math.min(Math.ceil(log2floor(maxDirectSize) / 8), limitEncSize(maxManagedSize)),
    maxDirectRows: log2floor(maxDirectSize) - log2floor(startBlockSize) + 2,
    firstRowBits: log2floor(startBlockSize) + log2floor(tableWidth),
    directBlockHeaderSize: 5 + O + offsetSize + (flags & 0x02 ? 4 : 0),
  };
}

/** Row 0 and 1 hold blocks of the starting size; each later row doubles it. */
const rowBlockSize = (h: FractalHeap, row: number): number => h.startBlockSize * 2 ** Math.max(0, row - 1);
const rowOffset = (h: FractalHeap, row: number): number =>
  row === 0 ? 0 : h.startBlockSize * h.tableWidth * 2 ** (row - 1);

/** The bytes of one heap object named by a heap ID (managed or tiny; huge objects are unsupported). */
function readHeapObject(f: H5File, heap: FractalHeap, id: Buffer): Buffer {
  const c = new Cursor(id, 0, `heap ID for fractal heap at ${heap.pos}`);
  const flags = c.u8();
  if (flags >> 6 !== 0) throw new Hdf5LayoutError(`${c.where}: unsupported heap ID version`);
  const kind = (flags >> 4) & 0x03;
  if (kind === 2) {
    // tiny: the object is stored inside the ID itself
    const length = id.length <= 18 ? (flags & 0x0f) + 1 : (((flags & 0x0f) << 8) | c.u8()) + 1;
    return c.bytes(length);
  }
  if (kind !== 0)
    throw new Hdf5LayoutError(`${c.where}: ${kind === 1 ? 'huge heap objects are not supported' : 'invalid ID type'}`);
  const offset = c.uint(heap.offsetSize);
  const length = c.uint(heap.lengthSize);
  const block = locateDirectBlock(f, heap, offset);
  const within = offset - block.offset;
  if (within < heap.directBlockHeaderSize || within + length > block.size) {
    throw new Hdf5LayoutError(
      `${c.where}: object (offset ${offset}, length ${length}) lies outside its direct block at ${block.pos}`,
    );
  }
  f.cursor(block.pos, 4, 'fractal heap direct block').signature('FHDB');
  return f.cursor(block.pos + within, length, 'fractal heap object').bytes(length);
}

/** Walks the doubling table from the root down to the direct block holding heap offset `offset`. */
function locateDirectBlock(
  f: H5File,
  heap: FractalHeap,
  offset: number,
): { pos: number; offset: number; size: number } {
  const where = `fractal heap at ${heap.pos}`;
  let pos = f.absolute(heap.rootAddress, `${where}: root block`);
  if (heap.rootRows === 0) return { pos, offset: 0, size: heap.startBlockSize };
  let rows = heap.rootRows;
  let blockOffset = 0;
  for (let depth = 0; depth < 64; depth++) {
    const rel = offset - blockOffset;
    let row: number, col: number;
    if (rel < heap.startBlockSize * heap.tableWidth) {
      row = 0;
      col = Math.floor(rel / heap.startBlockSize);
    } else {
      const highBit = log2floor(rel);
      row = highBit - heap.firstRowBits + 1;
      col = Math.floor((rel - 2 ** highBit) / rowBlockSize(heap, row));
    }
    if (rel < 0 || row >= rows)
      throw new Hdf5LayoutError(`${where}: heap offset ${offset} is beyond indirect block at ${pos}`);
    const entry = row * heap.tableWidth + col;
    const headerSize = 5 + f.sizeOfOffsets + heap.offsetSize;
    const c = f.cursor(pos, headerSize + (entry + 1) * f.sizeOfOffsets, 'fractal heap indirect block');
    c.signature('FHIB');
    c.skip(headerSize - 4 + entry * f.sizeOfOffsets);
    const child = f.absolute(f.address(c), `${c.where}: entry ${entry}`);
    const childOffset = blockOffset + rowOffset(heap, row) + col * rowBlockSize(heap, row);
    if (row < heap.maxDirectRows) return { pos: child, offset: childOffset, size: rowBlockSize(heap, row) };
    rows = log2floor(rowBlockSize(heap, row)) - heap.firstRowBits + 1;
    blockOffset = childOffset;
    pos = child;
  }
  throw new Hdf5LayoutError(`${where}: indirect blocks nested too deeply`);
}

/** Every record of a v2 B-tree of the given type, in no particular order. */
function readBtree2Records(f: H5File, pos: number, expectedType: number): Buffer[] {
  const O = f.sizeOfOffsets;
  const h = f.cursor(pos, 16 + O + 2 + f.sizeOfLengths, 'v2 B-tree header');
  h.signature('BTHD');
  if (h.u8() !== 0) throw new Hdf5LayoutError(`${h.where}: unsupported version`);
  const type = h.u8();
  const nodeSize = h.u32();
  const recordSize = h.u16();
  const depth = h.u16();
  h.skip(2); // split and merge percentages
  const root = f.address(h);
  const rootRecords = h.u16();
  if (type !== expectedType) throw new Hdf5LayoutError(`${h.where}: B-tree type ${type}, expected ${expectedType}`);
  if (root === undefined) return [];
  if (recordSize === 0 || nodeSize < 10 + recordSize || nodeSize > MAX_READ || depth > 32) {
    throw new Hdf5LayoutError(
      `${h.where}: implausible node size ${nodeSize}, record size ${recordSize} or depth ${depth}`,
    );
  }
  // Widths of the child-pointer fields, as H5B2__hdr_init derives them (10 = signature, version, type, checksum).
  const leafMax = Math.floor((nodeSize - 10) / recordSize);
  const countSize = limitEncSize(leafMax);
  const totalSize = [0];
  for (let d = 1, cumulative = leafMax; d <= depth; d++) {
    const pointerSize = O + countSize + totalSize[d - 1];
    const max = Math.floor((nodeSize - 10 - pointerSize) / (recordSize + pointerSize));
    cumulative = (max + 1) * cumulative + max;
    if (max < 1 || !Number.isSafeInteger(cumulative))
      throw new Hdf5LayoutError(`${h.where}: depth ${depth} impossible for node size ${nodeSize}`);
    totalSize.push(limitEncSize(cumulative));
  }
  const records: Buffer[] = [];
  const visited = new Set<number>();
  const stack = [{ pos: f.absolute(root, `${h.where}: root node`), count: rootRecords, depth }];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (visited.has(node.pos)) throw new Hdf5LayoutError(`v2 B-tree node at ${node.pos} is reached twice`);
    visited.add(node.pos);
    const c = f.cursor(node.pos, nodeSize, 'v2 B-tree node');
    c.signature(node.depth > 0 ? 'BTIN' : 'BTLF');
    if (c.u8() !== 0 || c.u8() !== type) throw new Hdf5LayoutError(`${c.where}: wrong version or B-tree type`);
    for (let i = 0; i < node.count; i++) {
      if (records.length >= MAX_LINKS) throw new Hdf5LayoutError(`${c.where}: more than ${MAX_LINKS} records`);
      records.push(c.bytes(recordSize));
    }
    if (node.depth === 0) continue;
    for (let i = 0; i <= node.count; i++) {
      const child = f.absolute(f.address(c), `${c.where}: child ${i}`);
      const count = c.uint(countSize);
      c.skip(totalSize[node.depth - 1]);
      stack.push({ pos: child, count, depth: node.depth - 1 });
    }
  }
  return records;
}

// ---------------------------------------------------------------------------------------------------
// Datasets

/** The contiguous raw data range of a dataset object header, or null if it is not contiguous/allocated. */
function readContiguousStorage(
  f: H5File,
  messages: Message[],
  layout: Message,
  name: string,
): ContiguousStorage | null {
  // Filters or external files mean the bytes at the address (if any) are not the plain array.
  if (messages.some((m) => m.type === MSG.filterPipeline || m.type === MSG.external)) return null;
  const c = new Cursor(layout.body, 0, `data layout message of "${name}"`);
  const version = c.u8();
  let rel: number | undefined;
  let size: number;
  if (version === 1 || version === 2) {
    c.skip(1); // dimensionality
    if (c.u8() !== 1) return null;
    c.skip(5);
    rel = f.address(c);
    if (rel === undefined) return null;
    // Versions 1 and 2 store no byte count (their 32-bit dimensions could truncate), so the library
    // computes it as elements x element size; do the same.
    size = dataspaceElements(f, messages, name) * datatypeSize(messages, name);
    if (!Number.isSafeInteger(size)) throw new Hdf5LayoutError(`dataset "${name}": storage size overflows`);
  } else if (version === 3 || version === 4) {
    if (c.u8() !== 1) return null; // 0 compact, 2 chunked, 3 virtual
    rel = f.address(c);
    size = f.length(c);
    if (rel === undefined) return null;
  } else {
    throw new Hdf5LayoutError(`${c.where}: unsupported data layout version ${version}`);
  }
  const address = f.base + rel;
  if (!Number.isSafeInteger(address + size) || address + size > f.size) {
    throw new Hdf5LayoutError(
      `dataset "${name}": contiguous data (address ${address}, ${size} bytes) extends past the end of the file (${f.size} bytes)`,
    );
  }
  return { address, size };
}

function findUnsharedMessage(messages: Message[], type: number, name: string): Cursor {
  const m = messages.find((x) => x.type === type);
  if (!m) throw new Hdf5LayoutError(`dataset "${name}": no message of type ${type}`);
  if (m.flags & SHARED_MESSAGE_FLAG)
    throw new Hdf5LayoutError(`${m.where}: shared (committed) messages are not supported with layout v1/v2`);
  return new Cursor(m.body, 0, m.where);
}

function dataspaceElements(f: H5File, messages: Message[], name: string): number {
  const c = findUnsharedMessage(messages, MSG.dataspace, name);
  const version = c.u8();
  const rank = c.u8();
  c.skip(1); // flags
  if (version === 1) c.skip(5);
  else if (version === 2) {
    if (c.u8() === 2) return 0;
  } // null dataspace
  else throw new Hdf5LayoutError(`${c.where}: unsupported dataspace version ${version}`);
  let elements = 1;
  for (let i = 0; i < rank; i++) elements *= f.length(c);
  return elements;
}

function dataspaceShape(f: H5File, messages: Message[], name: string): number[] | null {
  const c = findUnsharedMessage(messages, MSG.dataspace, name);
  const version = c.u8();
  const rank = c.u8();
  c.skip(1); // flags
  if (version === 1) c.skip(5);
  else if (version === 2) {
    if (c.u8() === 2) return null;
  } // null dataspace
  else throw new Hdf5LayoutError(`${c.where}: unsupported dataspace version ${version}`);
  return Array.from({ length: rank }, () => f.length(c));
}

/** A fixed-point or IEEE floating-point type as netCDF-C writes them; null for any other type. */
function numericType(messages: Message[], name: string): DatasetDescription['type'] {
  const c = findUnsharedMessage(messages, MSG.datatype, name);
  const classAndVersion = c.u8();
  const bits = c.u8();
  c.skip(2);
  const size = c.u32();
  const cls = classAndVersion & 0x0f;
  const littleEndian = (bits & 0x01) === 0;
  if (cls === 0 && [1, 2, 4, 8].includes(size)) return { kind: bits & 0x08 ? 'int' : 'uint', size, littleEndian };
  // Bit 6 set: VAX byte order, which netCDF-C never writes.
  if (cls === 1 && (size === 4 || size === 8) && !(bits & 0x40)) return { kind: 'float', size, littleEndian };
  return null;
}

/** Shape and type, or nulls where this walker cannot tell (the HDF5 library then reads the dataset). */
function describeDataset(
  f: H5File,
  messages: Message[],
  name: string,
  header: number,
): { header: number; shape: number[] | null; type: DatasetDescription['type'] } {
  const orNull = <T>(fn: () => T): T | null => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof Hdf5LayoutError) return null;
      throw err;
    }
  };
  return {
    header,
    shape: orNull(() => dataspaceShape(f, messages, name)),
    type: orNull(() => numericType(messages, name)),
  };
}

function datatypeSize(messages: Message[], name: string): number {
  const c = findUnsharedMessage(messages, MSG.datatype, name);
  c.skip(4); // class, version and class bit fields
  return c.u32();
}

// ---------------------------------------------------------------------------------------------------
// Variable-length attribute values in global heap collections ("GCOL")
//
// The HDF5 library (1.10 to 2.0, so netCDF-C and h5wasm alike) loops forever on some damaged global
// heap collections (an object of size 0 stops its object walk from advancing) and copies as many bytes
// as a damaged object size says into a buffer sized from the attribute. netCDF-C keeps each variable's
// DIMENSION_LIST there (references to its dimension scales), which h5wasm reads for every variable.
// These checks find such damage first, so that the file can be refused instead of read.

interface HeapRef {
  collection: number;
  index: number;
  bytes: number;
  attribute: string;
  owner: string;
  element: number;
}

/**
 * Collects the heap IDs of the values of every variable-length attribute among `messages` (compact and
 * dense storage); returns damage found in their datatypes, or null.
 */
function vlenAttributeRefs(f: H5File, messages: Message[], owner: string, out: HeapRef[]): string | null {
  const bodies: Buffer[] = messages.filter((m) => m.type === MSG.attribute).map((m) => m.body);
  // The owner's rank (a dataset's dataspace message: version, rank, ...): DIMENSION_LIST has one entry per dimension.
  const space = messages.find((m) => m.type === MSG.dataspace && !(m.flags & SHARED_MESSAGE_FLAG));
  const rank = space && space.body.length >= 2 ? space.body[1] : undefined;
  for (const m of messages.filter((x) => x.type === MSG.attributeInfo)) {
    // Dense attribute storage: attribute messages in a fractal heap, indexed by name in a v2 B-tree.
    try {
      const c = new Cursor(m.body, 0, m.where);
      if (c.u8() !== 0) continue;
      if (c.u8() & 0x01) c.skip(2); // maximum creation index
      const heapAddr = f.address(c);
      const nameIndex = f.address(c);
      if (heapAddr === undefined || nameIndex === undefined) continue;
      const heap = readFractalHeapHeader(f, f.absolute(heapAddr, `${m.where}: fractal heap`));
      for (const record of readBtree2Records(f, f.absolute(nameIndex, `${m.where}: name index`), 8)) {
        bodies.push(readHeapObject(f, heap, record.subarray(0, Math.min(record.length, heap.idLength))));
      }
    } catch (err) {
      if (!(err instanceof Hdf5LayoutError)) throw err;
    }
  }
  for (const body of bodies) {
    try {
      const hazard = parseVlenAttribute(f, body, owner, out, rank);
      if (hazard) return hazard;
    } catch (err) {
      // An attribute this walker cannot decode is left to the library: only clear damage is refused.
      if (!(err instanceof Hdf5LayoutError)) throw err;
    }
  }
  return null;
}

function parseVlenAttribute(
  f: H5File,
  body: Buffer,
  owner: string,
  out: HeapRef[],
  ownerRank: number | undefined,
): string | null {
  const c = new Cursor(body, 0, `attribute of ${owner}`);
  const version = c.u8();
  if (version < 1 || version > 3) return null;
  const flags = c.u8();
  if (flags & 0x03) return null; // shared datatype or dataspace
  const nameSize = c.u16();
  const typeSize = c.u16();
  const spaceSize = c.u16();
  if (version === 3) c.skip(1); // name character set
  const pad = (n: number) => (version === 1 ? Math.ceil(n / 8) * 8 : n);
  const name = c
    .bytes(pad(nameSize))
    .subarray(0, Math.max(0, nameSize - 1))
    .toString('latin1');
  const type = new Cursor(c.bytes(pad(typeSize)), 0, `datatype of attribute ${name} of ${owner}`);
  const space = new Cursor(c.bytes(pad(spaceSize)), 0, `dataspace of attribute ${name} of ${owner}`);
  const classAndVersion = type.u8();
  if ((classAndVersion & 0x0f) !== 9) return null; // not variable-length
  // Fields the library trusts: a damaged one sends it reading outside its buffers (a wasm trap).
  const bits = type.u8();
  const charset = type.u8() & 0x0f;
  type.skip(1 + 4); // last bit-field byte, size
  const baseClassAndVersion = type.u8();
  type.skip(3);
  const baseSize = type.u32();
  const kind = bits & 0x0f;
  const versionOf = (b: number) => b >> 4;
  if (
    kind > 1 ||
    bits >> 4 > 2 ||
    charset > 1 ||
    versionOf(classAndVersion) < 1 ||
    versionOf(classAndVersion) > 5 ||
    (baseClassAndVersion & 0x0f) > 10 ||
    versionOf(baseClassAndVersion) < 1 ||
    versionOf(baseClassAndVersion) > 5 ||
    baseSize === 0
  ) {
    return `attribute ${name} of ${owner} has a damaged variable-length datatype`;
  }
  const spaceVersion = space.u8();
  const rank = space.u8();
  space.skip(1); // flags
  if (spaceVersion === 1) space.skip(5);
  else if (spaceVersion !== 2) return null;
  else if (space.u8() === 2) return null; // null dataspace
  let elements = 1;
  for (let i = 0; i < rank; i++) elements *= f.length(space);
  // The library allocates one entry per dimension of the variable and reads the attribute into it: with
  // fewer values, it goes on with uninitialised memory as lengths and pointers.
  if (name === 'DIMENSION_LIST' && ownerRank !== undefined && elements !== ownerRank) {
    return `attribute DIMENSION_LIST of ${owner} has ${elements} entries for a variable of ${ownerRank} dimensions`;
  }
  for (let i = 0; i < elements; i++) {
    const length = c.u32();
    const raw = c.bytes(f.sizeOfOffsets);
    const index = c.u32();
    if (length === 0 || raw.every((b) => b === 0xff)) continue; // empty, or no heap object
    let collection: number;
    try {
      collection = f.base + decodeUint(raw, c.where);
    } catch {
      collection = -1; // beyond any file: reported as not a readable collection
    }
    out.push({ collection, index, bytes: length * baseSize, attribute: name, owner, element: i });
  }
  return null;
}

interface HeapObject {
  size: number;
  dataPos: number;
}

/**
 * Walks a global heap collection the way H5HG__cache_heap_deserialize does, with its 32-bit size_t
 * (h5wasm is wasm32). Returns its objects by index, null when it is not a readable collection (the
 * library then fails cleanly), or a string saying why the library would loop on it.
 */
function walkCollection(f: H5File, pos: number): Map<number, HeapObject> | null | string {
  const L = f.sizeOfLengths;
  if (pos < 0 || pos + 8 + L > f.size) return null;
  const head = f.cursor(pos, 8 + L, 'global heap collection');
  if (head.bytes(4).toString('latin1') !== 'GCOL' || head.u8() !== 1) return null;
  head.skip(3);
  const size = head.uint(Math.min(L, 4)); // low 32 bits (little-endian)
  if (pos + size > f.size) return null;
  const objectHeader = 8 + L;
  const objects = new Map<number, HeapObject>();
  for (let off = 8 + L; off < size;) {
    if (off + objectHeader > size) break; // too small for an object: free space
    const c = f.cursor(pos + off, objectHeader, 'global heap object');
    const index = c.u16();
    c.skip(2 + 4); // reference count, reserved
    const objectSize = c.uint(Math.min(L, 4));
    const need = index > 0 ? (objectHeader + Math.ceil(objectSize / 8) * 8) % 2 ** 32 : objectSize;
    if (need === 0 || need >= 2 ** 31) return `object at byte ${off} has size ${objectSize}`;
    if (index > 0) objects.set(index, { size: objectSize, dataPos: pos + off + objectHeader });
    off += need;
  }
  return objects;
}

/**
 * Checks the global heap objects behind `refs`; returns the first problem found, or null. Records in
 * `dimensionScales`, per owner, the object header address of the dimension scale of each dimension.
 */
function checkHeapRefs(
  f: H5File,
  refs: HeapRef[],
  datasetHeaders: Set<number>,
  dimensionScales: Map<string, number[]>,
): string | null {
  const collections = new Map<number, Map<number, HeapObject> | null | string>();
  for (const ref of refs) {
    if (!collections.has(ref.collection)) collections.set(ref.collection, walkCollection(f, ref.collection));
    const walked = collections.get(ref.collection);
    const where = `attribute ${ref.attribute} of ${ref.owner}: global heap collection at ${ref.collection < 0 ? 'an address beyond any file' : ref.collection}`;
    if (typeof walked === 'string') return `${where} is damaged (${walked})`;
    // The library sizes its buffer from the attribute's length before it looks at the heap, so a
    // damaged length alone can make it allocate gigabytes: every reference must hold together.
    if (!walked) return `${where} is not a readable global heap collection`;
    const object = walked.get(ref.index);
    if (!object) return `${where} has no object ${ref.index}`;
    if (object.size !== ref.bytes)
      return `${where}: object ${ref.index} holds ${object.size} bytes, the attribute says ${ref.bytes}`;
    if (ref.attribute === 'DIMENSION_LIST' && object.size % f.sizeOfOffsets === 0 && object.size <= MAX_READ) {
      // Object references to dimension scales: each must be a dataset of this group.
      const c = f.cursor(object.dataPos, object.size, 'DIMENSION_LIST references');
      for (let k = 0; k < object.size / f.sizeOfOffsets; k++) {
        const target = f.address(c);
        if (target === undefined || !datasetHeaders.has(f.base + target))
          return `${where}: reference ${k} points to ${target ?? 'UNDEFINED'}, which is no dataset of the root group`;
        if (k === 0) {
          const scales = dimensionScales.get(ref.owner) ?? [];
          scales[ref.element] = f.base + target;
          dimensionScales.set(ref.owner, scales);
        }
      }
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Entry point

export interface RootLayout {
  /** As locateRootDatasets returns; null when the walk failed (then `layoutError` says why). */
  datasets: Map<string, ContiguousStorage | null> | null;
  layoutError?: Hdf5LayoutError;
  /** Damage on which the HDF5 library itself would hang or overrun a buffer; null when none was found. */
  hazard: string | null;
  /** Shape, type and dimension scales of each root dataset (with `datasets`, when the walk succeeded). */
  descriptions?: Map<string, DatasetDescription>;
  /** Names of all objects linked from the root group (datasets, groups, committed types), with `descriptions`. */
  links?: string[];
}

/** What a NetCDF-4 variable needs besides its bytes, read without the HDF5 library. */
export interface DatasetDescription {
  /** Null for a null dataspace. */
  shape: number[] | null;
  /** Null for types other than plain integers and IEEE floats. */
  type: { kind: 'int' | 'uint' | 'float'; size: number; littleEndian: boolean } | null;
  /** Per dimension, the name of the dataset that is its dimension scale (DIMENSION_LIST); null without one. */
  dims: (string | null)[] | null;
}

function walkRootGroup(f: H5File): RootLayout {
  const rootMessages = readObjectHeader(f, readSuperblock(f));
  let layoutError: Hdf5LayoutError | undefined;
  let links: Link[];
  try {
    links = readGroupLinks(f, rootMessages);
  } catch (err) {
    if (!(err instanceof Hdf5LayoutError)) throw err;
    // No layouts then; still look for hazards behind the links that can be followed.
    layoutError = err;
    links = readGroupLinks(f, rootMessages, true);
  }
  const datasets = new Map<string, ContiguousStorage | null>();
  const refs: HeapRef[] = [];
  const attributeOwners: Array<[Message[], string]> = [[rootMessages, 'the root group']];
  const datasetHeaders = new Set<number>();
  const described = new Map<string, { header: number; shape: number[] | null; type: DatasetDescription['type'] }>();
  let checksumHazard: string | null = null;
  for (const link of links) {
    // One object that cannot be read fails the layouts, but the others are still checked for hazards.
    try {
      const address = f.absolute(link.address, `object header of "${link.name}"`);
      const messages = readObjectHeader(f, address);
      attributeOwners.push([messages, `"${link.name}"`]);
      const layout = messages.find((m) => m.type === MSG.layout);
      if (!layout) continue; // a group or a committed datatype, not a dataset
      // What the library itself takes for a dataset (H5O__dset_isa): datatype and dataspace messages.
      const isDataset = messages.some((m) => m.type === MSG.datatype) && messages.some((m) => m.type === MSG.dataspace);
      datasets.set(link.name, readContiguousStorage(f, messages, layout, link.name));
      if (isDataset) {
        datasetHeaders.add(address);
        described.set(link.name, describeDataset(f, messages, link.name, address));
      }
    } catch (err) {
      if (!(err instanceof Hdf5LayoutError)) throw err;
      layoutError ??= err;
      if (err instanceof Hdf5ChecksumError) checksumHazard ??= err.message;
    }
  }
  let hazard: string | null = checksumHazard;
  const dimensionScales = new Map<string, number[]>();
  let scalesKnown = true;
  try {
    for (const [messages, owner] of attributeOwners) hazard ??= vlenAttributeRefs(f, messages, owner, refs);
    hazard ??= checkHeapRefs(f, refs, datasetHeaders, dimensionScales);
  } catch (err) {
    // Structures this walker cannot follow: the dataset layouts above still stand.
    if (!(err instanceof Hdf5LayoutError)) throw err;
    scalesKnown = false;
  }
  if (layoutError) return { datasets: null, layoutError, hazard };
  const nameAt = new Map([...described].map(([name, d]) => [d.header, name]));
  const descriptions = new Map<string, DatasetDescription>();
  for (const [name, d] of described) {
    const scales = dimensionScales.get(`"${name}"`);
    const dims =
      scalesKnown && d.shape
        ? d.shape.map((_, i) => (scales?.[i] !== undefined ? (nameAt.get(scales[i]) ?? null) : null))
        : null;
    descriptions.set(name, { shape: d.shape, type: d.type, dims });
  }
  return { datasets, hazard, descriptions, links: links.map((l) => l.name) };
}

/**
 * Result per root-group dataset name: its contiguous raw data range, or null when the dataset is not
 * stored contiguously (chunked, compact, filtered, external, virtual) or its storage is not allocated
 * (address undefined). `address` is an absolute file position (user block included), like the OFFSET
 * printed by `h5dump -p`.
 */
export function locateRootDatasets(fd: number, fileSize: number): Map<string, ContiguousStorage | null> {
  const { datasets, layoutError } = readRootLayout(fd, fileSize);
  if (!datasets) throw layoutError ?? new Hdf5LayoutError('unreadable root group');
  return datasets;
}

/**
 * `locateRootDatasets` plus a check of what the HDF5 library cannot be trusted with: damaged global
 * heap collections holding variable-length attribute values (`hazard`, a description, or null).
 * Callers refuse a file with a hazard before handing it to the library.
 */
export function readRootLayout(fd: number, fileSize: number): RootLayout {
  if (!Number.isSafeInteger(fileSize) || fileSize < 0) throw new Hdf5LayoutError(`invalid file size ${fileSize}`);
  try {
    return walkRootGroup(new H5File(fd, fileSize));
  } catch (err) {
    // Damaged checksummed metadata on the way to the root group: a hazard as well.
    if (err instanceof Hdf5ChecksumError) return { datasets: null, layoutError: err, hazard: err.message };
    // I/O errors from the OS (EBADF, EIO, ...) are not about the file's contents: pass them through.
    if (err instanceof Hdf5LayoutError || (err instanceof Error && 'syscall' in err)) throw err;
    // Anything else (a RangeError from a buffer read we failed to guard, ...) still means bad input.
    throw new Hdf5LayoutError(`malformed HDF5 metadata: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}
