import { main } from './runCli';
import { runBatchCli } from './batchCommand';

main(runBatchCli);
