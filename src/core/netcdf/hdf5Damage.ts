/**
 * Damage checks: variable-length attribute values in global heap collections ("GCOL").
 *
 * The HDF5 library (1.10 to 2.0, so netCDF-C and h5wasm alike) loops forever on some damaged global
 * heap collections (an object of size 0 stops its object walk from advancing) and copies as many bytes
 * as a damaged object size says into a buffer sized from the attribute. netCDF-C keeps each variable's
 * DIMENSION_LIST there (references to its dimension scales), which h5wasm reads for every variable.
 * These checks find such damage first (an Hdf5HazardError), so that the file can be refused instead
 * of read.
 */
import {
  Cursor,
  decodeUint,
  type H5File,
  Hdf5HazardError,
  Hdf5LayoutError,
  MAX_READ,
  MSG,
  SHARED_MESSAGE_FLAG,
  type Message,
} from './hdf5Format';
import { readBtree2Records, readFractalHeapHeader, readHeapObject } from './hdf5Groups';

/**
 * Checks the variable-length attributes of every owner (object header messages and a name for
 * messages) and the global heap objects behind them. Throws an Hdf5HazardError at the first damage;
 * an Hdf5LayoutError when some structure cannot be followed. Returns, per owner, the object header
 * addresses of the dimension scales its DIMENSION_LIST points to, by dimension.
 */
export function checkAttributeHeaps(
  f: H5File,
  owners: Array<[Message[], string]>,
  datasetHeaders: Set<number>,
): Map<string, number[]> {
  const refs: HeapRef[] = [];
  for (const [messages, owner] of owners) vlenAttributeRefs(f, messages, owner, refs);
  const dimensionScales = new Map<string, number[]>();
  checkHeapRefs(f, refs, datasetHeaders, dimensionScales);
  return dimensionScales;
}

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
 * dense storage); throws an Hdf5HazardError for damage found in their datatypes.
 */
function vlenAttributeRefs(f: H5File, messages: Message[], owner: string, out: HeapRef[]): void {
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
      parseVlenAttribute(f, body, owner, out, rank);
    } catch (err) {
      // An attribute this walker cannot decode is left to the library: only clear damage is refused.
      if (!(err instanceof Hdf5LayoutError) || err instanceof Hdf5HazardError) throw err;
    }
  }
}

function parseVlenAttribute(
  f: H5File,
  body: Buffer,
  owner: string,
  out: HeapRef[],
  ownerRank: number | undefined,
): void {
  const c = new Cursor(body, 0, `attribute of ${owner}`);
  const version = c.u8();
  if (version < 1 || version > 3) return;
  const flags = c.u8();
  if (flags & 0x03) return; // shared datatype or dataspace
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
  if ((classAndVersion & 0x0f) !== 9) return; // not variable-length
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
    throw new Hdf5HazardError(`attribute ${name} of ${owner} has a damaged variable-length datatype`);
  }
  const spaceVersion = space.u8();
  const rank = space.u8();
  space.skip(1); // flags
  if (spaceVersion === 1) space.skip(5);
  else if (spaceVersion !== 2) return;
  else if (space.u8() === 2) return; // null dataspace
  let elements = 1;
  for (let i = 0; i < rank; i++) elements *= f.length(space);
  // The library allocates one entry per dimension of the variable and reads the attribute into it: with
  // fewer values, it goes on with uninitialised memory as lengths and pointers.
  if (name === 'DIMENSION_LIST' && ownerRank !== undefined && elements !== ownerRank) {
    throw new Hdf5HazardError(
      `attribute DIMENSION_LIST of ${owner} has ${elements} entries for a variable of ${ownerRank} dimensions`,
    );
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
}

interface HeapObject {
  size: number;
  dataPos: number;
}

/**
 * Walks a global heap collection the way H5HG__cache_heap_deserialize does, with its 32-bit size_t
 * (h5wasm is wasm32). Returns its objects by index, or undefined when it is not a readable collection
 * (the library then fails cleanly); throws an Hdf5HazardError saying why the library would loop on it.
 */
function walkCollection(f: H5File, pos: number): Map<number, HeapObject> | undefined {
  const L = f.sizeOfLengths;
  if (pos < 0 || pos + 8 + L > f.size) return undefined;
  const head = f.cursor(pos, 8 + L, 'global heap collection');
  if (head.bytes(4).toString('latin1') !== 'GCOL' || head.u8() !== 1) return undefined;
  head.skip(3);
  const size = head.uint(Math.min(L, 4)); // low 32 bits (little-endian)
  if (pos + size > f.size) return undefined;
  const objectHeader = 8 + L;
  const objects = new Map<number, HeapObject>();
  for (let off = 8 + L; off < size;) {
    if (off + objectHeader > size) break; // too small for an object: free space
    const c = f.cursor(pos + off, objectHeader, 'global heap object');
    const index = c.u16();
    c.skip(2 + 4); // reference count, reserved
    const objectSize = c.uint(Math.min(L, 4));
    const need = index > 0 ? (objectHeader + Math.ceil(objectSize / 8) * 8) % 2 ** 32 : objectSize;
    if (need === 0 || need >= 2 ** 31) throw new Hdf5HazardError(`object at byte ${off} has size ${objectSize}`);
    if (index > 0) objects.set(index, { size: objectSize, dataPos: pos + off + objectHeader });
    off += need;
  }
  return objects;
}

/**
 * Checks the global heap objects behind `refs`; throws an Hdf5HazardError at the first problem. Records
 * in `dimensionScales`, per owner, the object header address of the dimension scale of each dimension.
 */
function checkHeapRefs(
  f: H5File,
  refs: HeapRef[],
  datasetHeaders: Set<number>,
  dimensionScales: Map<string, number[]>,
): void {
  const collections = new Map<number, Map<number, HeapObject> | undefined>();
  for (const ref of refs) {
    const where = `attribute ${ref.attribute} of ${ref.owner}: global heap collection at ${ref.collection < 0 ? 'an address beyond any file' : ref.collection}`;
    if (!collections.has(ref.collection)) {
      try {
        collections.set(ref.collection, walkCollection(f, ref.collection));
      } catch (err) {
        if (err instanceof Hdf5HazardError) throw new Hdf5HazardError(`${where} is damaged (${err.message})`);
        throw err;
      }
    }
    const walked = collections.get(ref.collection);
    // The library sizes its buffer from the attribute's length before it looks at the heap, so a
    // damaged length alone can make it allocate gigabytes: every reference must hold together.
    if (!walked) throw new Hdf5HazardError(`${where} is not a readable global heap collection`);
    const object = walked.get(ref.index);
    if (!object) throw new Hdf5HazardError(`${where} has no object ${ref.index}`);
    if (object.size !== ref.bytes)
      throw new Hdf5HazardError(
        `${where}: object ${ref.index} holds ${object.size} bytes, the attribute says ${ref.bytes}`,
      );
    if (ref.attribute === 'DIMENSION_LIST' && object.size % f.sizeOfOffsets === 0 && object.size <= MAX_READ) {
      // Object references to dimension scales: each must be a dataset of this group.
      const c = f.cursor(object.dataPos, object.size, 'DIMENSION_LIST references');
      for (let k = 0; k < object.size / f.sizeOfOffsets; k++) {
        const target = f.address(c);
        if (target === undefined || !datasetHeaders.has(f.base + target))
          throw new Hdf5HazardError(
            `${where}: reference ${k} points to ${target ?? 'UNDEFINED'}, which is no dataset of the root group`,
          );
        if (k === 0) {
          const scales = dimensionScales.get(ref.owner) ?? [];
          scales[ref.element] = f.base + target;
          dimensionScales.set(ref.owner, scales);
        }
      }
    }
  }
}
