#!/usr/bin/env node
'use strict';
// The `overt` command. The TypeScript sources are compiled to dist/ by `npm install` (prepare) and `npm test`.
// A reader that stops early (`overt provision | head`) closes the pipe: stop quietly, as other commands do.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
require('../dist/src/cli/main.js')
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
