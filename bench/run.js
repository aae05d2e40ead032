#!/usr/bin/env node
// Entry for `npm run bench`: registers the TypeScript hook (as bin/jml.js does), then runs a benchmark.
'use strict';
require('../lib/runtime/register-ts').register();
require('./leaver.ts');
