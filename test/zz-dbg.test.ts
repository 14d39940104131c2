import {launchOffline} from './helpers/browser';
describe('dbg', function () { this.timeout(600000); it('x', async () => {
  const b = await launchOffline();
  for (const ch of ['00', '01', '02', '03', '04']) {
    const page = await b.context.newPage();
    page.on('pageerror', e => console.log('pageerror:', e.message));
    await page.goto(`file:///tmp/bb/page-${ch}.html`);
    const t0 = Date.now();
    await page.click('[data-role=estimate]');
    await page.waitForFunction(() => !(document.querySelector('[data-role=start]') as HTMLButtonElement).disabled || /Could not/.test(document.querySelector('[data-role=status]')!.textContent!), null, {timeout: 300000});
    console.log(ch, 'estimate took', (Date.now() - t0) / 1000, await page.textContent('[data-role=status]'));
    await page.close();
  }
  await b.close();
});});
