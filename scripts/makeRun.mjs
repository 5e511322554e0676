// Generates a realistic dvmdostem run folder at any size: NetCDF-4 contiguous outputs with every
// dimension pattern dvmdostem writes, classic run_status.nc and classic restart files. The files are
// shaped by the real netCDF-C library (ncgen) and filled by this project's own writers.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const out = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'out', 'src', 'core');
const { openNetcdf } = require(path.join(out, 'netcdf', 'ncfile.js'));
const { withH5, writeHdf5Slab } = require(path.join(out, 'netcdf', 'hdf5.js'));

const OUTPUTS = [
  // name, period, extra dims (between time and y, x), type
  ['ALD', 'yearly', [], 'double'],
  ['CMTNUM', 'yearly', [], 'int'],
  ['NPP', 'yearly', ['pftpart'], 'double'],
  ['VEGC', 'yearly', ['pftpart', 'pft'], 'double'],
  ['TLAYER', 'yearly', ['layer'], 'double'],
  ['LAYERTYPE', 'yearly', ['layer'], 'int'],
  ['GPP', 'monthly', ['pft'], 'double'],
  ['RECO', 'monthly', [], 'double'],
];
const DIM_SIZES = { pft: 10, pftpart: 3, layer: 22 };
const RESTART_VARS = [
  // name, dims after (Y, X), type
  ['dsnow', [], 'double'],
  ['numsnwl', [], 'int'],
  ['vegage', ['pft'], 'int'],
  ['vegcov', ['pft'], 'double'],
  ['vegwater', ['pft'], 'double'],
  ['strN', ['pftpart', 'pft'], 'double'],
  ['vegC', ['pftpart', 'pft'], 'double'],
  ['TSsoil', ['soillayer'], 'double'],
  ['LIQsoil', ['soillayer'], 'double'],
  ['TYPEsoil', ['soillayer'], 'int'],
  ['TSsnow', ['snowlayer'], 'double'],
  ['frontZ', ['fronts'], 'double'],
  ['toptA', ['prevten', 'pft'], 'double'],
  ['eetmx', ['prevtwelve', 'pft'], 'double'],
];
const RESTART_DIMS = {
  pft: 10,
  pftpart: 3,
  snowlayer: 6,
  soillayer: 23,
  rootlayer: 10,
  fronts: 10,
  prevten: 10,
  prevtwelve: 12,
};

function cdl(name, dims, vars) {
  const d = Object.entries(dims)
    .map(([k, v]) => `  ${k} = ${v} ;`)
    .join('\n');
  const v = vars
    .map(([n, ds, t]) => `  ${t} ${n}(${ds.join(', ')}) ;\n    ${n}:_FillValue = -9999${t === 'double' ? '.' : ''} ;`)
    .join('\n');
  return `netcdf ${name} {\ndimensions:\n${d}\nvariables:\n${v}\n}\n`;
}

function ncgen(text, file, kind) {
  const c = file + '.cdl';
  fs.writeFileSync(c, text);
  execFileSync('ncgen', ['-k', kind, '-o', file, c]);
  fs.rmSync(c);
}

/** Deterministic pseudo-random values, different per run seed; failed cells hold the fill value. */
function fillBytes(bytes, dtype, seed, isFilled) {
  const n = bytes.byteLength / dtype.size;
  if (dtype.size === 8) {
    const a = new Float64Array(bytes.buffer, bytes.byteOffset, n);
    for (let i = 0; i < n; i++) a[i] = isFilled(i) ? -9999 : ((i * 2654435761 + seed) % 100000) / 1000;
  } else {
    const a = new Int32Array(bytes.buffer, bytes.byteOffset, n);
    for (let i = 0; i < n; i++) a[i] = isFilled(i) ? -9999 : (i + seed) % 1000;
  }
}

/**
 * Writes a run folder. `status` is the run_status grid (row-major); cells with status <= 0 hold the
 * fill value in every output and restart file, as dvmdostem leaves them.
 */
export async function makeRun(dir, { rows, cols, trYears, scYears, status, seed }) {
  fs.mkdirSync(dir, { recursive: true });
  const cells = rows * cols;
  const failed = (cell) => !(status[cell] > 0);
  // Outputs: NetCDF-4, contiguous, (time, [pftpart], [pft], [layer], y, x).
  for (const [name, period, extra, type] of OUTPUTS) {
    for (const [stage, years] of [
      ['tr', trYears],
      ['sc', scYears],
    ]) {
      const file = path.join(dir, `${name}_${period}_${stage}.nc`);
      const time = period === 'monthly' ? years * 12 : years;
      const dims = { time, ...Object.fromEntries(extra.map((d) => [d, DIM_SIZES[d]])), y: rows, x: cols };
      ncgen(
        cdl(name, dims, [
          [name, ['time', ...extra, 'y', 'x'], type],
          ['time', ['time'], 'double'],
        ]),
        file,
        '3',
      );
      const f = await openNetcdf(file);
      const v = f.variable(name);
      const perTime = v.shape.slice(1).reduce((a, b) => a * b, 1);
      withH5(file, 'a', (h5) => {
        const step = Math.max(1, Math.floor((8 << 20) / (perTime * v.dtype.size)));
        for (let t = 0; t < time; t += step) {
          const count = Math.min(step, time - t);
          const bytes = new Uint8Array(count * perTime * v.dtype.size);
          fillBytes(bytes, v.dtype, seed + t, (i) => failed(i % cells));
          writeHdf5Slab(h5, v, t, count, bytes);
        }
      });
    }
  }
  // Restart files and run_status.nc: classic, (Y, X, ...).
  for (const stage of ['pr', 'eq', 'sp', 'tr', 'sc']) {
    const file = path.join(dir, `restart-${stage}.nc`);
    ncgen(
      cdl(
        'restart',
        { Y: rows, X: cols, ...RESTART_DIMS },
        RESTART_VARS.map(([n, ds, t]) => [n, ['Y', 'X', ...ds], t]),
      ),
      file,
      '2',
    );
    const f = await openNetcdf(file);
    for (const v of f.variables) {
      const per = v.shape.slice(2).reduce((a, b) => a * b, 1);
      const values = new Float64Array(cells * per);
      for (let i = 0; i < values.length; i++) values[i] = failed(Math.floor(i / per)) ? -9999 : ((i + seed) % 977) / 7;
      f.writeNumbers(v, v.dtype.kind === 'float' ? values : values.map(Math.round));
    }
  }
  const rs = path.join(dir, 'run_status.nc');
  ncgen(
    cdl('run_status', { Y: rows, X: cols }, [
      ['run_status', ['Y', 'X'], 'int'],
      ['total_runtime', ['Y', 'X'], 'int'],
    ]),
    rs,
    '1',
  );
  const f = await openNetcdf(rs);
  f.writeNumbers(f.variable('run_status'), status);
  f.writeNumbers(
    f.variable('total_runtime'),
    Array.from(status, (s, i) => (s > 0 ? 2 + (i % 50) : -9999)),
  );
  fs.writeFileSync(path.join(dir, 'config_record.js'), `// generated by scripts/makeRun.mjs\n{ "seed": ${seed} }\n`);
}

export function makeMask(file, rows, cols, enabled) {
  ncgen(cdl('run_mask', { Y: rows, X: cols }, [['run', ['Y', 'X'], 'int64']]), file, '3');
  return openNetcdf(file).then((f) => f.writeNumbers(f.variable('run'), enabled));
}
