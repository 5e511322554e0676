import * as fs from 'node:fs';
import { copyFileKeepingTime } from '../copyTree';
import type { GridShape } from '../grid';
import { checkMergeable, patchFile, type PatchOutcome } from '../mergeFile';
import { openAlike, type NcFile } from '../netcdf/ncfile';

/**
 * Stitches one NetCDF file from several batches: the first batch's file with each further batch's
 * cells written in (patchFile: one pass over the file in windows, each batch read only where its
 * cells are, values moved as bytes, never decoded; variables stored through HDF5 only are patched
 * through it). Batches are taken at most stitchLimits.sourcesPerPass per pass, so that open files stay few.
 */

export interface StitchInput {
  path: string;
  /** Flat indices (row * cols + col) of the cells taken from this file. */
  cells: Int32Array;
  /** The file's metadata when already opened (the plan opens every file to check it). */
  file?: NcFile;
}

/** Batches patched in per pass over a file (each an open file while it runs). Tests lower it. */
export const stitchLimits = { sourcesPerPass: 200 };

export async function stitchFile(
  name: string,
  inputs: StitchInput[],
  outPath: string,
  grid: GridShape,
  isCancelled: () => boolean,
): Promise<PatchOutcome> {
  if (inputs.length === 1) {
    copyFileKeepingTime(inputs[0].path, outPath);
    return { fragmented: false };
  }
  const opened = inputs.every((i) => i.file) ? inputs.map((i) => i.file!) : await openAlike(inputs.map((i) => i.path));
  let base = opened[0];
  let outcome: PatchOutcome = { fragmented: false };
  for (let first = 1; first < inputs.length; first += stitchLimits.sourcesPerPass) {
    const last = first + stitchLimits.sourcesPerPass >= inputs.length;
    const target = last ? outPath : `${outPath}.pass${first}`;
    const sources = opened.slice(first, first + stitchLimits.sourcesPerPass).map((file, k) => ({
      file,
      check: checkMergeable(name, base, file, grid),
      cells: inputs[first + k].cells,
    }));
    outcome = patchFile(base, sources, target, grid, isCancelled);
    if (base !== opened[0]) fs.rmSync(base.path);
    if (!last) base = (await openAlike([target]))[0];
  }
  return outcome;
}
