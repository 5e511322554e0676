import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJobId } from '../../src/extension/sbatchOutput';

describe('parseJobId: the job id in what sbatch printed', () => {
  it('the default form and the --parsable forms', () => {
    assert.equal(parseJobId('Submitted batch job 4821\n'), '4821');
    assert.equal(parseJobId('sbatch: warning: something\nSubmitted batch job 17\n'), '17');
    assert.equal(parseJobId('4821\n'), '4821');
    assert.equal(parseJobId('4821;cluster-a\n'), '4821');
  });

  it('no id when sbatch refused', () => {
    assert.equal(
      parseJobId('sbatch: error: Batch job submission failed: Invalid partition name specified\n'),
      undefined,
    );
    assert.equal(parseJobId(''), undefined);
  });
});
