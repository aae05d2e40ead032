#!/usr/bin/env node
'use strict';
// The CLI runs the TypeScript sources directly: SWC (already installed for the Temporal
// worker's bundler) transpiles each file on require, so `npx jml` works right after `npm ci`
// with no build step.
require('../lib/runtime/register-ts').register();
require('../cli/main')
  .main(process.argv.slice(2))
  .then(
    (code) => {
      if (typeof code === 'number') process.exitCode = code;
    },
    (err) => {
      console.error(err && err.stack ? err.stack : err);
      process.exitCode = 1;
    },
  );
