import { main } from './runCli';
import { runMergeCli } from './mergeCommand';

main(runMergeCli);
