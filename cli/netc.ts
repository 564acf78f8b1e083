/** Entry point used by `bin/netc.js` (after the Node version check). */
import { processIo, run } from './main.js';

const code = await run(process.argv.slice(2), processIo());
process.exitCode = code;
