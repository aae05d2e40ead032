#!/usr/bin/env node
// Entry for `npm run test:faults`: registers the TypeScript hook (as bin/jml.js does), then runs
// the long form of the fault campaign and exits non-zero when anything was lost or duplicated.
'use strict';
require('../../lib/runtime/register-ts').register();
require('./run-campaign.ts');
