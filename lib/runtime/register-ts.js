'use strict';
// A minimal require hook: transpile .ts files with SWC (type information is checked by
// `npm run typecheck`, not at run time). Plain JS so that it can load before any TypeScript.
const fs = require('node:fs');

let registered = false;

function register() {
  if (registered) return;
  registered = true;
  const swc = require('@swc/core');
  process.setSourceMapsEnabled(true);
  require.extensions['.ts'] = function compileTs(module, filename) {
    const source = fs.readFileSync(filename, 'utf8');
    const { code } = swc.transformSync(source, {
      filename,
      sourceMaps: 'inline',
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    });
    module._compile(code, filename);
  };
}

module.exports = { register };
