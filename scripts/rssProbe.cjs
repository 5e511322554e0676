// Preloaded into the measured CLI process (node -r): records its peak resident memory at exit.
const fs = require('node:fs');
process.on('exit', () => {
  if (process.env.PYDDT_RSS_FILE)
    fs.writeFileSync(process.env.PYDDT_RSS_FILE, String(process.resourceUsage().maxRSS * 1024));
});
