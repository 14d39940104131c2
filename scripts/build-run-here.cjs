#!/usr/bin/env node
/**
 * Bundles the reports' "run it here" page code (lib/run-here/browser.ts)
 * with TF.js and the kernel package into dist/run-here/run-here.js: one
 * script, global `cnnlabRunHere`, that lib/run-here/section.ts inlines
 * into a report. setup.cjs runs it after compiling lib/.
 *
 * The page code reaches modules written for Node (the cost cache, the repo
 * root); those are replaced by lib/run-here/browser-shims.ts, and a lib/
 * module that would load any other Node built-in is an error here, not in a
 * reader's browser.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'dist', 'run-here', 'run-here.js');
const SHIMS = path.join(ROOT, 'lib', 'run-here', 'browser-shims.ts');

/** Node-only modules of lib/ the page code imports without calling, and what stands in for them. */
const REPLACED = [/[\\/]lib[\\/]models[\\/]costs(\.ts)?$/, /[\\/]lib[\\/]root(\.ts)?$/];

const browserOnly = {
  name: 'browser-only',
  setup(build) {
    // A library's require of a Node module behind its own environment check stays a require the page
    // never calls; a lib/ module that imports one when it loads would fail in the page, so it fails here.
    build.onResolve({filter: /^(node:|fs$|path$|os$|crypto$|child_process$)/}, args => {
      const fromLib = !path.relative(path.join(ROOT, 'lib'), args.importer).startsWith('..');
      if (fromLib && args.kind === 'import-statement') {
        return {errors: [{text: `the "run it here" bundle must not load Node's '${args.path}' (imported by ${path.relative(ROOT, args.importer)})`}]};
      }
      return {path: args.path, external: true};
    });
    build.onResolve({filter: /(costs|root)$/}, args => {
      const target = path.resolve(args.resolveDir, args.path);
      return REPLACED.some(pattern => pattern.test(target)) ? {path: SHIMS} : undefined;
    });
  },
};

async function buildRunHere() {
  const esbuild = require('esbuild');
  fs.mkdirSync(path.dirname(OUT), {recursive: true});
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'lib', 'run-here', 'browser.ts')], outfile: OUT,
    bundle: true, platform: 'browser', format: 'iife', globalName: 'cnnlabRunHere', target: 'es2020',
    minify: true, legalComments: 'none', logLevel: 'error', plugins: [browserOnly],
    // wabt is for kernels generated per geometry: the page's grouped convolutions run their JavaScript loops.
    external: ['wabt'],
  });
  const text = fs.readFileSync(OUT, 'utf8');
  if (/<\/script/i.test(text)) throw new Error(`${OUT} contains "</script", which would end the report's inline script`);
  return OUT;
}

buildRunHere().then(out => process.stderr.write(`wrote ${path.relative(process.cwd(), out)}\n`), error => {
  process.stderr.write(`build-run-here: ${error.message}\n`);
  process.exit(1);
});
