/** `cnnlab doctor` is honest: it names what is missing or broken and how to fix it. */
import {strict as assert} from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {FASHION_MNIST_FILES} from '../../lib/data';
import {runCli, tempDir} from '../helpers/cli';

describe('cnnlab doctor @integration', function () {
  this.timeout(120_000);

  it('reports versions, the kernel spec, the data and the backends that load', async () => {
    const r = await runCli(['doctor']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /ok\s+Jupyter\s+JupyterLab 4\.\d+\.\d+, Notebook 7\.\d+\.\d+/);
    assert.match(r.stdout, /ok\s+kernel spec\s+tslab at jupyter\/kernels\/tslab/);
    assert.match(r.stdout, /ok\s+backend wasm\s+WebAssembly SIMD \+ XNNPACK \+ the lab's SIMD kernels( with fused multiply-add)? \(.*\), \d threads?\n/);
    // The opt-in engine (npm run setup:tensorflow) either loads or is said to be absent, with how to get it.
    assert.match(r.stdout, /info\s+backend tensorflow\s+neither @tensorflow\/tfjs-node-gpu nor @tensorflow\/tfjs-node is installed \(npm run setup:tensorflow|ok\s+backend tensorflow\s+TensorFlow C library \d/);
    assert.match(r.stdout, /The lab can run\./);
  });

  it('finds the Vulkan loader, the driver and the adapter, and keeps Dawn\'s warnings out of its output', async function () {
    const {softwareVulkanEnv} = require('../../scripts/software-vulkan.cjs') as {softwareVulkanEnv(): {env?: NodeJS.ProcessEnv; reason?: string}};
    const vulkan = softwareVulkanEnv();
    if (vulkan.reason) {
      console.log(`      (skipped: ${vulkan.reason})`);
      this.skip();
    }
    const r = await runCli(['doctor'], {env: vulkan.env});
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /ok\s+Vulkan loader\s+.*\.cache\/vulkan\/root\/usr\/lib\/x86_64-linux-gnu\/libvulkan\.so\.1/);
    assert.match(r.stdout, /ok\s+Vulkan drivers\s+lvp_icd\.json/);
    assert.match(r.stdout, /ok\s+backend webgpu\s+.*llvmpipe.*\(a software rasteriser, not a GPU/);
    assert.doesNotMatch(r.stdout + r.stderr, /artificially reduced/);
    // The driver hidden in a vendor folder is named with the variable that selects it.
    const bare = await runCli(['doctor'], {env: {LD_LIBRARY_PATH: vulkan.env!['LD_LIBRARY_PATH'], VK_DRIVER_FILES: '', VK_ICD_FILENAMES: ''}});
    assert.match(bare.stdout, /Vulkan drivers\s+(no ICD file|none the loader reads|.*\.json)/);
  });

  it('a truncated data file: names the file, says how to fix it, exits non-zero', async () => {
    const dir = tempDir('doctor-data');
    for (const file of Object.values(FASHION_MNIST_FILES)) {
      fs.copyFileSync(path.join('/usr/share/datasets/fashion-mnist', file), path.join(dir, file));
    }
    const cut = path.join(dir, FASHION_MNIST_FILES.testImages);
    const bytes = fs.readFileSync(cut);
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
    const r = await runCli(['doctor'], {env: {LAB_DATA_DIR: dir}});
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`MISSING Fashion-MNIST\\s+${cut}: not a complete gzip file`));
    assert.match(r.stdout, /fix: replace the file in .* with an intact copy/);
    assert.match(r.stdout, /The lab cannot run yet/);
  });

  it('a missing kernel spec and missing data are each named with their fix', async () => {
    const r = await runCli(['doctor'], {env: {LAB_JUPYTER_DIR: tempDir('no-kernel'), LAB_DATA_DIR: tempDir('no-data')}});
    assert.equal(r.code, 1);
    assert.match(r.stdout, /MISSING kernel spec\s+missing\n\s+fix: /);
    assert.match(r.stdout, /MISSING Fashion-MNIST\s+.*lacks train-images-idx3-ubyte\.gz/);
  });
});
