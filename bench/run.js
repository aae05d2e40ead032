#!/usr/bin/env node
// Entry for `npm run bench`: registers the TypeScript hook (as bin/jml.js does), then runs a benchmark.
//
//   npm run bench -- leaver [--employees 100] [--apps 10] [--latency 50]
//   npm run bench -- onboarding [--employees 1000] [--apps 5] [--rate 50] [--latency 0] [--max-activities 100]
//   npm run bench -- engine [--workflows 500] [--apps 5] [--sticky both|on|off]
//   npm run bench -- reconcile [--users 10000] [--groups 20] [--rate 50] [--page-size 100] [--profiles rfc,sloppy]
//   npm run bench -- audit [--hires 300] [--rate 18] [--burst 100] [--rounds 2] [--lingers 0,30]   (by name only)
//   npm run bench [-- flags]    both, one after the other, each in its own process (so each
//                               reports its own memory); flags go to both, so only shared ones
'use strict';
const { spawnSync } = require('node:child_process');

const BENCHMARKS = ['leaver', 'onboarding', 'engine', 'reconcile'];
// Run only when named: a microbenchmark of one component, with flags of its own.
const BY_NAME_ONLY = ['audit'];
const name = process.argv[2];

if (BENCHMARKS.includes(name) || BY_NAME_ONLY.includes(name)) {
  // The benchmark parses process.argv itself (node:util parseArgs, strict): leave it only the flags.
  process.argv.splice(2, 1);
  require('../lib/runtime/register-ts').register();
  require(`./${name}.ts`);
} else if (name === undefined || name.startsWith('-')) {
  for (const bench of BENCHMARKS) {
    const { status } = spawnSync(process.execPath, [__filename, bench, ...process.argv.slice(2)], { stdio: 'inherit' });
    if (status !== 0) process.exit(status ?? 1);
  }
} else {
  console.error(
    `unknown benchmark "${name}"; one of: ${[...BENCHMARKS, ...BY_NAME_ONLY].join(', ')} (or none for ${BENCHMARKS.join(', ')})`,
  );
  process.exit(2);
}
