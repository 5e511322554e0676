import { main } from './runCli';
import { runSalvageCli } from './salvageCommand';

main(runSalvageCli);
