import { main } from './runCli';
import { runBatchCli } from './batchCommand';

main(async (argv, io) => {
  const code = await runBatchCli(argv, io);
  // main() exits the process at once: let a long table or JSON reach a pipe first.
  await new Promise((resolve) => process.stdout.write('', resolve));
  return code;
});
