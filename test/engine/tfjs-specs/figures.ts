/**
 * The TF.js spec suite's figures for docs/kernels.md: per spec file, how many
 * specs pass in each configuration. `npm run tfjs-specs` (about a minute on
 * two cores); `--json FILE` also writes every outcome.
 */
import * as fs from 'node:fs';

import {CONFIGURATIONS, ConfigurationName, FileOutcome, SPEC_FILES} from './configurations';
import {buildSpecBundle, runSuite, statuses} from './suite';

const {softwareVulkanEnv} = require('../../../scripts/software-vulkan.cjs') as
    {softwareVulkanEnv(): {env?: NodeJS.ProcessEnv; reason?: string}};

const COLUMNS: ConfigurationName[] = ['cpu-stock', 'wasm-stock', 'wasm-lab', 'wasm-lab-js', 'wasm-lab-threads', 'webgpu-stock', 'webgpu-lab'];

function passed(outcomes: readonly FileOutcome[], configuration: ConfigurationName, file?: string): string {
  const mine = outcomes.filter(o => o.configuration === configuration && (file == null || o.file === file));
  if (mine.length === 0) return '';
  if (mine.some(o => o.unavailable != null)) return 'n/a';
  const all = [...statuses(mine, configuration).values()];
  return `${all.filter(s => s === 'passed').length}/${all.length}`;
}

async function main(): Promise<void> {
  const jsonAt = process.argv.indexOf('--json');
  await buildSpecBundle();
  const vulkan = softwareVulkanEnv();
  const configurations = COLUMNS.filter(name => vulkan.reason == null || CONFIGURATIONS[name].backend !== 'webgpu');
  let done = 0;
  const outcomes = await runSuite(configurations, {env: vulkan.env ?? {}, onFile: () => {
    done++;
    if (process.stderr.isTTY) process.stderr.write(`\r${done} spec files run`);
  }});
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (jsonAt > 0) fs.writeFileSync(process.argv[jsonAt + 1], JSON.stringify(outcomes, null, 1));
  const lines = [`| spec file (tfjs-core 4.22 dist/) | ${COLUMNS.join(' | ')} |`, `|---|${COLUMNS.map(() => '---:').join('|')}|`];
  for (const {file} of SPEC_FILES) lines.push(`| ${file} | ${COLUMNS.map(c => passed(outcomes, c, file)).join(' | ')} |`);
  lines.push(`| **all** | ${COLUMNS.map(c => `**${passed(outcomes, c)}**`).join(' | ')} |`);
  console.log(lines.join('\n'));
  if (vulkan.reason) console.log(`\nwebgpu not run: ${vulkan.reason}`);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
