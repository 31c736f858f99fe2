// The page as `samsa console --bootstrap` serves it: every view renders from
// the read-only API, says what is not available over the Kafka protocol, and
// throws no error or request outside the console.
'use strict';

const path = require('path');
const { chromium } = require(path.join(process.env.NODE_MODULES, 'playwright-core'));

const base = process.env.CONSOLE_URL;
const topic = process.env.TOPIC;
const group = process.env.GROUP;

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    const outside = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => { if (!r.url().startsWith(base)) outside.push(r.url()); });
    await page.goto(`${base}/#/topics`);
    await page.waitForSelector(`a[href="#/topics/${topic}"]`);
    check((await page.textContent('#cluster')).includes('read-only'), 'the header says read-only');
    await page.goto(`${base}/#/topics/${topic}`);
    await page.waitForSelector('[data-testid=remote-note]');
    check((await page.textContent('[data-testid=hw-0]')).startsWith('6 records'), 'partition 0 has 6 records');
    check((await page.textContent('#partitions')).includes('not available over the Kafka protocol'), 'sizes say why');
    check(!(await page.$('#search')), 'no search form over the Kafka protocol');
    await page.goto(`${base}/#/topics/${topic}/0`);
    await page.waitForSelector('tr[data-offset="5"]');
    await page.goto(`${base}/#/groups/${group}`);
    await page.waitForSelector('[data-lag-partition]');
    check((await page.textContent('main')).includes('Lag: 4 records'), 'the group lag');
    check(errors.length === 0, `page errors: ${errors.join('; ')}`);
    check(outside.length === 0, `requests outside the console: ${outside.join(', ')}`);
    console.log('remote page check passed');
  } finally {
    await browser.close();
  }
}

main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
