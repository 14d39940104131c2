/**
 * JupyterLab for real: `startLab` on 127.0.0.1, the tour opened in headless
 * Chromium, every cell run from the UI; the plot appears and no cell shows
 * an error. The screenshot is kept in test-artifacts/.
 */
import {strict as assert} from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

import {LabServer, startLab} from '../../lib/cli/lab';
import {OfflineBrowser, launchOffline} from '../helpers/browser';
import {ARTIFACTS, ROOT, tempDir} from '../helpers/cli';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * What a stalled run looked like, for the failure message (CI keeps only what
 * the tests print): the kernel's states, each code cell's prompt and output
 * text, and any dialog open over the notebook.
 */
async function whereTheNotebookIs(page: import('playwright-core').Page, states: string[]): Promise<string> {
  const cells = await page.locator('.jp-Notebook .jp-CodeCell').evaluateAll(nodes => nodes.map(node => {
    const prompt = node.querySelector('.jp-InputPrompt')?.textContent?.trim() ?? '';
    const output = (node.querySelector('.jp-OutputArea')?.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 300);
    return `${prompt} ${output}`;
  }));
  const dialogs = await page.locator('.jp-Dialog').allTextContents();
  return [`kernel states (every 0.5 s): ${states.join(' ')}`, 'code cells:', ...cells.map(cell => `  ${cell}`),
    `dialogs: ${dialogs.length === 0 ? 'none' : dialogs.join(' | ')}`].join('\n');
}

describe('JupyterLab runs the tour from its UI @integration', function () {
  this.timeout(300_000);
  let lab: LabServer;
  let browser: OfflineBrowser;
  const notebook = path.join(ROOT, 'notebooks', '00-lab-tour.ipynb');
  let before: string;

  beforeEach(async () => {
    before = fs.readFileSync(notebook, 'utf8');
    // No autosave: running the tour in the UI must not rewrite the repo's notebook.
    const settings = tempDir('lab-settings');
    fs.mkdirSync(path.join(settings, '@jupyterlab', 'docmanager-extension'), {recursive: true});
    fs.writeFileSync(path.join(settings, '@jupyterlab', 'docmanager-extension', 'plugin.jupyterlab-settings'),
        JSON.stringify({autosave: false}));
    fs.mkdirSync(path.join(settings, '@jupyterlab', 'apputils-extension'), {recursive: true});
    fs.writeFileSync(path.join(settings, '@jupyterlab', 'apputils-extension', 'notification.jupyterlab-settings'),
        JSON.stringify({fetchNews: 'false', checkForUpdates: false}));
    lab = await startLab({
      port: await freePort(),
      env: {LAB_BUDGET: 'smoke', LAB_RESULTS_DIR: tempDir('lab-results')},
      extraArgs: [`--LabApp.user_settings_dir=${settings}`, `--LabApp.workspaces_dir=${tempDir('lab-workspaces')}`],
    });
    browser = await launchOffline();
  });

  afterEach(async () => {
    await browser?.close();
    lab?.process.kill('SIGTERM');
    await new Promise(resolve => lab?.process.once('exit', resolve));
  });

  it('listens on 127.0.0.1 only, with a token that no process\'s command line shows', async () => {
    assert.match(lab.url, /^http:\/\/127\.0\.0\.1:\d+\/lab\?token=[0-9a-f]{48}$/);
    const page = await browser.context.newPage();
    const denied = await page.goto(`http://127.0.0.1:${lab.port}/api/contents`);
    assert.equal(denied?.status(), 403, 'the API refuses requests without the token');
    const allowed = await page.goto(`http://127.0.0.1:${lab.port}/api/contents?token=${lab.token}`);
    assert.equal(allowed?.status(), 200, 'the token from the environment is the one the server checks');
    await page.close();
    // What `ps` shows every user of a shared machine.
    const showing = fs.readdirSync('/proc').filter(pid => /^\d+$/.test(pid)).filter(pid => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(lab.token);
      } catch {
        return false;   // the process ended while we looked
      }
    });
    assert.deepEqual(showing, [], 'processes whose command line holds the token');
  });

  it('runs every cell, draws the plot, shows no error', async () => {
    const page = await browser.context.newPage();
    await page.goto(`http://127.0.0.1:${lab.port}/lab/tree/notebooks/00-lab-tour.ipynb?token=${lab.token}`);
    await page.waitForSelector('.jp-Notebook .jp-Cell', {timeout: 60_000});
    // The kernel named in the notebook is the lab's tslab kernel.
    await page.waitForSelector('.jp-Toolbar-kernelName:has-text("TypeScript")', {timeout: 60_000});
    // Run All only once the kernel has connected and is idle, so no request waits on a connection.
    await page.locator('.jp-StatusBar-TextItem', {hasText: 'TypeScript'}).filter({hasText: 'Idle'}).first().waitFor({timeout: 120_000});
    await page.getByRole('menuitem', {name: 'Run', exact: true}).click();
    await page.getByRole('menuitem', {name: /^Run All Cells/}).click();
    // The status bar says what the kernel does: Busy from the first cell to the last, training included.
    const states: string[] = [];
    const deadline = Date.now() + 240_000;
    while (await page.locator('.cnnlab-headline').count() === 0) {
      const text = (await page.locator('.jp-StatusBar-TextItem', {hasText: 'TypeScript'}).first().textContent()) ?? '';
      states.push(text.split('|').pop()!.trim());
      if (Date.now() > deadline) assert.fail(`the tour did not finish within 4 minutes\n${await whereTheNotebookIs(page, states)}`);
      await page.waitForTimeout(500);
    }
    const busyFrom = states.indexOf('Busy');
    const busyTo = states.lastIndexOf('Busy');
    assert.ok(busyFrom >= 0, `the kernel showed Busy: ${states.join(' ')}`);
    // The last cell may end (Idle) a moment before its output is drawn; before that, Busy, except that the
    // kernel is idle for an instant between two cells, which a sample every 0.5 s sometimes catches. A cell
    // that showed Idle while it trained (the bug the launcher's busy re-publishing fixed) shows a run of them.
    const whileRunning = states.slice(busyFrom, busyTo + 1).join(' ');
    assert.doesNotMatch(whileRunning, /\b(?:Connecting|Restarting|Dead|Unknown)\b|Idle (?!Busy)/, `states while the cells ran: ${states.join(' ')}`);
    assert.ok(busyTo - busyFrom >= 6, `training ran for a few seconds of samples: ${states.join(' ')}`);
    await page.waitForSelector('.jp-StatusBar-TextItem:has-text("Idle")', {timeout: 30_000});
    await page.waitForSelector('.jp-OutputArea-output .cnnlab-plotly .main-svg', {timeout: 30_000});
    const points = await page.locator('.cnnlab-plotly .scatterlayer .point').count();
    assert.ok(points >= 3, `plotly drew ${points} points`);
    const errors = await page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').allTextContents();
    assert.deepEqual(errors, []);
    await page.locator('.cnnlab-plotly').first().scrollIntoViewIfNeeded();
    fs.mkdirSync(ARTIFACTS, {recursive: true});
    await page.screenshot({path: path.join(ARTIFACTS, 'jupyterlab-tour.png')});
    // The "run it here" section works in the Lab too (outputs the session made are trusted: its script ran).
    const section = page.locator('.jp-OutputArea-output .cnnlab-run-here');
    await section.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => (window as unknown as {cnnlabRunHere?: object}).cnnlabRunHere != null, null, {timeout: 30_000});
    assert.ok(await section.locator('[data-role=estimate]').isEnabled(), 'the section\'s Estimate button is live');
    await section.screenshot({path: path.join(ARTIFACTS, 'jupyterlab-run-here.png')});
    assert.deepEqual(browser.external, [], 'JupyterLab and the notebook fetched nothing from the network');
    assert.equal(fs.readFileSync(notebook, 'utf8'), before, 'the repository notebook was not rewritten');
  });
});
