// A page of another origin (ATTACK_URL) sends what a browser lets any page
// send to another site without asking first: POSTs whose body has no type or
// text/plain, and GETs with no-cors. Each answer is opaque to the page; the
// test reads the listeners afterwards to see that none of it took effect.
'use strict';

const path = require('path');
const { chromium } = require(path.join(process.env.NODE_MODULES, 'playwright-core'));

const requests = JSON.parse(process.env.ATTACK_REQUESTS);

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(process.env.ATTACK_URL);
    const sent = await page.evaluate(async (list) => {
      const done = [];
      for (const r of list) {
        const init = { method: r.method, mode: 'no-cors', credentials: 'include' };
        // A Blob without a type: the browser sends no Content-Type at all.
        if (r.body !== undefined) init.body = r.type ? r.body : new Blob([r.body]);
        if (r.type) init.headers = { 'Content-Type': r.type };
        try {
          const res = await fetch(r.url, init);
          done.push(`${r.method} ${r.url}: ${res.type}`);
        } catch (e) {
          done.push(`${r.method} ${r.url}: ${e}`);
        }
      }
      return done;
    }, requests);
    console.log(sent.join('\n'));
  } finally {
    await browser.close();
  }
}

main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
