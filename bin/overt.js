#!/usr/bin/env node
'use strict';
// The `overt` command. The TypeScript sources are compiled to dist/ by `npm install` (prepare) and `npm test`.
require('../dist/src/cli/main.js')
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
