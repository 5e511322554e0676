// Preloaded into a measured CLI process (node -r): records its peak resident memory and its CPU time
// (user + system) at exit, which stay meaningful on a machine shared with other work.
const fs = require('node:fs');
process.on('exit', () => {
  if (!process.env.PYDDT_PROBE_FILE) return;
  const u = process.resourceUsage();
  fs.writeFileSync(
    process.env.PYDDT_PROBE_FILE,
    JSON.stringify({ rss: u.maxRSS * 1024, cpu: (u.userCPUTime + u.systemCPUTime) / 1e6 }),
  );
});
