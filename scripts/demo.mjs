// npm run demo: the spec's whole workflow on the bundled sample run (a real dvmdostem 10×10 batch in
// which 4 cells failed), with the command-line tools, into ./demo-output/.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const fixture = path.join(repo, 'test', 'fixtures', 'dvmdostem-toolik-10x10');
const demo = path.join(repo, 'demo-output');
fs.rmSync(demo, { recursive: true, force: true });
fs.mkdirSync(demo);
fs.cpSync(path.join(fixture, 'original'), path.join(demo, 'output'), { recursive: true, preserveTimestamps: true });
fs.copyFileSync(path.join(fixture, 'inputs', 'run-mask.nc'), path.join(demo, 'run-mask.nc'));

const run = (script, args, { expectExit = 0 } = {}) => {
  console.log(`\n$ ${script} ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [path.join(repo, 'dist', `${script}.js`), ...args], {
    cwd: demo,
    stdio: 'inherit',
  });
  if (r.status !== expectExit) throw new Error(`${script} exited with ${r.status}, expected ${expectExit}`);
};

console.log(
  `Sample run: ${path.relative(repo, demo)}/output (dvmdostem, Toolik 10×10; cells (1,2) and (6,4) failed, (7,9) and (9,6) timed out)`,
);
// Is the run complete? No: it lists the unfinished cells with dvmdostem's reasons (exit 1).
run('pyddt-check', ['output/', '--mask', 'run-mask.nc'], { expectExit: 1 });
run('pyddt-salvage', [
  'output/',
  'backup/',
  '--original-mask',
  'run-mask.nc',
  '--new-mask',
  'run-mask-failed.nc',
  '--verbose',
]);

// Step 3 of the workflow is rerunning dvmdostem with run-mask-failed.nc. The bundled rerun/ is
// exactly that run, made with the real model, so it stands in for it here.
console.log('\n(dvmdostem reruns the 4 cells with run-mask-failed.nc; using the bundled rerun of those cells)');
fs.cpSync(path.join(fixture, 'rerun'), path.join(demo, 'rerun'), { recursive: true, preserveTimestamps: true });
run('pyddt-merge', ['backup/', 'rerun/', 'merged/', '--verbose']);
run('pyddt-check', ['merged/', '--mask', 'run-mask.nc']);

console.log(`\nResults in ${demo}:`);
for (const [name, what] of [
  ['backup/', 'the salvaged copy of output/'],
  ['run-mask-failed.nc', 'the mask of the cells to rerun'],
  ['merged/', 'the complete run, as if every cell had succeeded the first time'],
]) {
  console.log(`  ${name.padEnd(20)} ${what}`);
}
