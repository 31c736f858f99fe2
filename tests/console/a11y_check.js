// Runs axe-core (npm) over every view of the console page in Debian's
// chromium through playwright-core (no browser download): the topic list,
// a topic (partitions, produce, search, manage), a partition's messages,
// the group list and a group, at 1920 and 375 px. Any violation fails, with
// its rule, impact and the elements it names. axe is injected into the page
// (bypassCSP: the page's policy allows only its own scripts).
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require(path.join(process.env.NODE_MODULES, 'playwright-core'));

const base = process.env.CONSOLE_URL;
const axeSource = fs.readFileSync(process.env.AXE_CORE_JS, 'utf8');
const views = [
  ['topics', '#/topics', '#create-topic'],
  ['topic', `#/topics/${process.env.TOPIC}`, '[data-testid=hw-0]'],
  ['messages', `#/topics/${process.env.TOPIC}/0`, 'tr[data-offset]'],
  ['groups', '#/groups', 'table'],
  ['group', `#/groups/${process.env.GROUP}`, '[data-testid=state-machine]'],
];

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const failures = [];
  try {
    for (const width of [1920, 375]) {
      const context = await browser.newContext({ bypassCSP: true, viewport: { width, height: 900 } });
      const page = await context.newPage();
      for (const [name, hash, ready] of views) {
        await page.goto(`${base}/${hash}`);
        await page.waitForSelector(ready);
        // A search with results, so its table is checked too.
        if (name === 'topic') {
          await page.fill('#search input[name=key]', 'k');
          await page.click('#search button[type=submit]');
          await page.waitForSelector('[data-match]');
        }
        await page.addScriptTag({ content: axeSource });
        const result = await page.evaluate(async () =>
          // eslint-disable-next-line no-undef
          axe.run(document, { resultTypes: ['violations'] }));
        for (const v of result.violations) {
          failures.push(`${name} @${width}px: ${v.id} (${v.impact}): ${v.help}\n    ` +
            v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join('\n    '));
        }
        console.log(`${name} @${width}px: ${result.violations.length} violations, ${result.passes ? result.passes.length : 0} rules passed`);
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
  if (failures.length) {
    console.error(failures.join('\n'));
    process.exit(1);
  }
  console.log('axe: no violations');
}

main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
