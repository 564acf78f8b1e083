#!/usr/bin/env node
// A tiny shim (kept as plain JS so it runs on any Node): check the Node version before
// loading the ESM program, so users of an old Node get a sentence, not a syntax error.
const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  process.stderr.write(`netc requires Node.js 20 or newer (this is ${process.versions.node}); please upgrade.\n`);
  process.exit(2);
}
import('../dist/cli/netc.js').catch((e) => {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/cli/netc.js')) {
    process.stderr.write("netc is not built: run 'npm install' (or 'npm run build') in the netc folder.\n");
    process.exit(3);
  }
  throw e;
});
