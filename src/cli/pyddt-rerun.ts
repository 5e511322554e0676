import { main } from './runCli';
import { runRerunCli } from './rerunCommand';

main(runRerunCli);
