import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gridAxes } from '../../src/core/grid';
import { openNetcdf, type NcFile } from '../../src/core/netcdf/ncfile';

/**
 * Cuts one row out of real NetCDF files, as `ncks -d y,ROW` does for `bp batch split` (NCO is not a
 * CI dependency): the header is the source's own (`ncdump -hs`, storage and format included) with the
 * grid's row dimension set to 1, written by ncgen (netCDF-C); the values are the source's, row ROW of
 * every variable over that dimension (coordinates such as y included), written with the project's
 * own writer. Files come out with the source's format, attributes and types.
 */

const NCGEN_KIND = { classic: '1', '64bit-offset': '2', '64bit-data': '5', netcdf4: '3' } as const;

/** One-row copies of source headers, made once per source file by ncgen (the slow part) and reused. */
const templates = new Map<string, { path: string; rowDims: Set<string> }>();
process.on('exit', () => {
  for (const t of templates.values()) fs.rmSync(path.dirname(t.path), { recursive: true, force: true });
});

async function rowTemplate(src: string, source: NcFile): Promise<{ path: string; rowDims: Set<string> }> {
  const known = templates.get(src);
  if (known) return known;
  const rowDims = new Set<string>();
  for (const v of source.variables) {
    const axes = gridAxes(v);
    if (axes) rowDims.add(v.dims[axes.y]);
  }
  let header = execFileSync('ncdump', ['-hs', src], { encoding: 'utf8' });
  if (/UNLIMITED/.test(header)) throw new Error(`${src}: sliceNetcdfRow handles fixed dimensions only`);
  for (const d of rowDims) header = header.replace(new RegExp(`^(\\s*)${d} = \\d+ ;$`, 'm'), '$1' + d + ' = 1 ;');
  // netCDF-C writes these itself; ncgen refuses to be told them.
  header = header.replace(/^\s*:_(NCProperties|SuperblockVersion|IsNetcdf4|Format) = .*;\n/gm, '');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'row-template-'));
  const cdl = path.join(dir, 'header.cdl');
  fs.writeFileSync(cdl, header);
  const template = { path: path.join(dir, path.basename(src)), rowDims };
  execFileSync('ncgen', ['-k', NCGEN_KIND[source.format], '-o', template.path, cdl]);
  templates.set(src, template);
  return template;
}

export async function sliceNetcdfRow(src: string, dst: string, row: number): Promise<void> {
  const source = await openNetcdf(src);
  const { path: template, rowDims } = await rowTemplate(src, source);
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  fs.copyFileSync(template, dst);
  const target = await openNetcdf(dst);
  for (const v of source.variables) {
    if (v.isDimensionOnly || v.dtype.kind === 'char' || v.dtype.kind === 'other') continue;
    const axis = v.dims.findIndex((d) => rowDims.has(d));
    const values = source.readNumbers(v);
    if (axis < 0) {
      target.writeNumbers(target.variable(v.name)!, values);
      continue;
    }
    const inner = v.shape.slice(axis + 1).reduce((n, s) => n * s, 1);
    const outer = v.shape.slice(0, axis).reduce((n, s) => n * s, 1);
    const out = new Float64Array(outer * inner);
    for (let o = 0; o < outer; o++)
      out.set(values.subarray((o * v.shape[axis] + row) * inner, (o * v.shape[axis] + row + 1) * inner), o * inner);
    target.writeNumbers(target.variable(v.name)!, out);
  }
}

/**
 * Row ROW of a whole run folder, as dvmdostem would have written it running that row alone: every
 * NetCDF file sliced, fail_log.txt lines of that row renumbered to row 0, other files copied.
 */
export async function sliceRunFolderRow(srcDir: string, dstDir: string, row: number): Promise<void> {
  fs.mkdirSync(dstDir, { recursive: true });
  for (const name of fs.readdirSync(srcDir)) {
    const from = path.join(srcDir, name);
    const to = path.join(dstDir, name);
    if (name.endsWith('.nc')) await sliceNetcdfRow(from, to, row);
    else if (name === 'fail_log.txt') {
      const lines = fs
        .readFileSync(from, 'utf8')
        .split('\n')
        .filter((l) => new RegExp(`\\(${row}, \\d+\\)`).test(l))
        .map((l) => l.replace(`(${row}, `, '(0, ') + '\n');
      fs.writeFileSync(to, lines.join(''));
    } else fs.copyFileSync(from, to);
  }
}
