#!/usr/bin/env node
/**
 * Builds dist/ from src/: a CommonJS and an ES module build for bundlers
 * and Node, a script-tag build (dist/tfjs-backend-wasm-train.min.js, global
 * `tfWasmTrain`, reading TF.js from the `tf` global that tf.min.js and
 * tf-backend-wasm.min.js set), and the type declarations.
 *
 * TF.js stays outside every build (a peer dependency): the kernels must
 * register in the same TF.js the application uses. The SIMD kernels travel
 * as the prebuilt binaries in src/wasm/binaries.generated.ts
 * (scripts/assemble.ts), so the package needs no assembler at run time.
 *
 * Uses esbuild and TypeScript from the workspace (the lab's devDependencies).
 */
'use strict';
const {spawnSync} = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const PACKAGE = path.resolve(__dirname, '..');
const DIST = path.join(PACKAGE, 'dist');
const PEERS = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm'];

/** For the script-tag build: each peer import reads the global TF.js sets. */
const globalsPlugin = {
  name: 'tfjs-globals',
  setup(build) {
    build.onResolve({filter: /^@tensorflow\/tfjs-(core|backend-wasm)$/}, args => ({path: args.path, namespace: 'tfjs-global'}));
    build.onLoad({filter: /.*/, namespace: 'tfjs-global'}, args => ({
      // tf-backend-wasm.min.js adds its exports to the `tf` global as tf.wasm.
      contents: args.path === '@tensorflow/tfjs-core' ? 'module.exports = globalThis.tf;' : 'module.exports = globalThis.tf.wasm;',
      loader: 'js',
    }));
  },
};

async function main() {
  const esbuild = require('esbuild');
  fs.rmSync(DIST, {recursive: true, force: true});
  const common = {entryPoints: [path.join(PACKAGE, 'src', 'index.ts')], bundle: true, target: 'es2020',
                  logLevel: 'error', legalComments: 'none', sourcemap: true};
  await esbuild.build({...common, platform: 'neutral', format: 'cjs', external: PEERS, outfile: path.join(DIST, 'index.cjs')});
  await esbuild.build({...common, platform: 'neutral', format: 'esm', external: PEERS, outfile: path.join(DIST, 'index.mjs')});
  await esbuild.build({...common, platform: 'browser', format: 'iife', globalName: 'tfWasmTrain', minify: true,
                       plugins: [globalsPlugin], outfile: path.join(DIST, 'tfjs-backend-wasm-train.min.js')});
  const tsc = path.join(path.dirname(require.resolve('typescript/package.json', {paths: [PACKAGE]})), 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(PACKAGE, 'tsconfig.json')], {stdio: 'inherit'});
  if (result.status !== 0) throw new Error(`tsc (type declarations) exited with ${result.status}`);
}

main().catch(error => {
  process.stderr.write(`tfjs-backend-wasm-train build: ${error.message}\n`);
  process.exit(1);
});
