/**
 * The links of an HDF5 group, from old-style symbol tables (v1 B-tree + local heap), compact link
 * messages or dense link storage (fractal heap + v2 B-tree name index). The fractal heap and v2
 * B-tree readers also serve dense attribute storage (hdf5Damage).
 */
import {
  Cursor,
  type H5File,
  Hdf5LayoutError,
  isPowerOf2,
  limitEncSize,
  log2floor,
  MAX_LINKS,
  MAX_READ,
  MSG,
  type Message,
} from './hdf5Format';

// ---------------------------------------------------------------------------------------------------
// Groups: links from old-style symbol tables, compact link messages or dense link storage

export interface Link {
  name: string;
  address: number;
}

/**
 * The links that can be followed, and the first problem met on the way (`unreadable`): a symbol table
 * entry that points nowhere is left out and one whose name cannot be read gets a placeholder name, so
 * the objects behind the other links can still be checked for damage. Any other problem throws.
 */
export interface GroupLinks {
  links: Link[];
  unreadable?: Hdf5LayoutError;
}

export function readGroupLinks(f: H5File, messages: Message[]): GroupLinks {
  const links: Link[] = [];
  const result: GroupLinks = { links };
  const skip = (err: unknown) => {
    if (!(err instanceof Hdf5LayoutError)) throw err;
    result.unreadable ??= err;
  };
  let isGroup = false;
  for (const m of messages) {
    const c = new Cursor(m.body, 0, m.where);
    if (m.type === MSG.symbolTable) {
      isGroup = true;
      const btree = f.address(c);
      readSymbolTableLinks(f, btree, f.address(c), links, skip);
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
  return result;
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
  skip: (err: unknown) => void,
): void {
  let names: Cursor | null;
  try {
    names = readLocalHeap(f, f.absolute(heap, 'symbol table message: local heap'));
  } catch (err) {
    // The objects are still reachable through the B-tree, only their names are lost.
    skip(err);
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
        readSymbolTableNode(f, child, names, links, skip);
      }
    }
  }
}

function readSymbolTableNode(
  f: H5File,
  pos: number,
  names: Cursor | null,
  links: Link[],
  skip: (err: unknown) => void,
): void {
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
      // An entry that points nowhere is left out; the others are still followed.
      skip(err);
      continue;
    }
    let name: string;
    try {
      if (!names) throw new Hdf5LayoutError('no readable local heap');
      names.pos = nameOffset;
      name = names.cString();
    } catch (err) {
      skip(err);
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
// Fractal heap ("FRHP") and v2 B-tree ("BTHD"): just enough to fetch dense link and attribute messages

export interface FractalHeap {
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

export function readFractalHeapHeader(f: H5File, pos: number): FractalHeap {
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
export function readHeapObject(f: H5File, heap: FractalHeap, id: Buffer): Buffer {
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
export function readBtree2Records(f: H5File, pos: number, expectedType: number): Buffer[] {
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
