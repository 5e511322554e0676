import { main } from './runCli';
import { runCheckCli } from './checkCommand';

main(runCheckCli);
