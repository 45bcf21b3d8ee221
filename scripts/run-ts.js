'use strict';
// Tiny TypeScript launcher for scripts, benchmarks and process tests:  node scripts/run-ts.js <file>.ts [args...]
//
// Why it exists: the project has no ts-node / tsx / @swc-node/register, and a full `tsc` build is
// too slow for a one-off script. @swc/core is already a devDependency (it powers @swc/jest), so this
// registers a CommonJS require hook that compiles every `.ts` file in memory with swc, using the
// decorator settings Nest needs (legacy decorators + emitDecoratorMetadata), then runs the script.
// Type checking is left to `tsc --noEmit` (bench/ is part of tsconfig.json).
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

// Stack traces point at the .ts lines thanks to the inline source maps below.
process.setSourceMapsEnabled(true);

Module._extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    swcrc: false,
    configFile: false,
    sourceMaps: 'inline',
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

// Nest's decorators read and write design-time metadata through this global polyfill.
require('reflect-metadata');

const script = process.argv[2];
if (!script) {
  console.error('usage: node scripts/run-ts.js <file>.ts [args...]');
  process.exit(2);
}
// Drop this launcher from argv so the script sees `node <script> [args...]`, as if run directly.
process.argv.splice(1, 1);
require(path.resolve(script));
