// Drives the console page in Debian's chromium through playwright-core (no
// browser download). Given the console's URL: opens the page, creates a topic
// through the page, produces from the page and sees the partition grow, sees
// records produced by the API appear live (no reload), opens the message
// browser and the partitioner's explanation, a live search and a followed
// partition, and checks that the page made
// no request outside the broker and has no horizontal scroll at 375 px.
// Screenshots at 375 and 1920 px go to SCREENSHOT_DIR.
'use strict';

const path = require('path');
const { chromium } = require(path.join(process.env.NODE_MODULES, 'playwright-core'));

const base = process.env.CONSOLE_URL;
const topic = process.env.TOPIC;
const shots = process.env.SCREENSHOT_DIR;

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const outside = [];
    page.on('request', (r) => { if (!r.url().startsWith(base)) outside.push(r.url()); });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(base + '/');
    await page.waitForSelector('#create-topic');
    await page.fill('#create-topic input[name=name]', topic);
    await page.fill('#create-topic input[name=partitions]', '2');
    await page.click('#create-topic button');
    await page.waitForSelector('[data-testid=hw-0]');
    check((await page.textContent('[data-testid=hw-0]')).startsWith('0 records'), 'new partition 0 is empty');

    // Produce from the page to partition 1.
    await page.fill('#produce input[name=key]', 'user-7');
    await page.fill('#produce input[name=value]', '{"amount": 12}');
    await page.selectOption('#produce select[name=partition]', '1');
    await page.click('#produce button');
    await page.waitForFunction(() => document.querySelector('[data-testid=produce-status]').textContent.includes('offset 0'));
    await page.waitForFunction(() => document.querySelector('[data-testid=hw-1]').textContent.startsWith('1 records'),
      null, { timeout: 10000 });
    // user-7 hashes to partition 0 of 2; it was sent to 1, and the page says the key did not decide.
    check((await page.textContent('[data-testid=produce-status]')).includes('But this record is in partition 1'),
      'an explicitly placed record is not explained as hashed');

    // Records written by someone else show up live (Server-Sent Events).
    const res = await fetch(`${base}/api/v1/topics/${topic}/messages`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ value: 'from the api', partition: 0 }),
    });
    check(res.status === 201, `api produce answered ${res.status}`);
    await page.waitForFunction(() => document.querySelector('[data-testid=hw-0]').textContent.startsWith('1 records'),
      null, { timeout: 10000 });
    await page.screenshot({ path: path.join(shots, 'topic-1920.png'), fullPage: true });

    // Produce by key: the page explains the partition.
    await page.fill('#produce input[name=key]', 'order-991');
    await page.fill('#produce input[name=value]', 'v');
    await page.selectOption('#produce select[name=partition]', '');
    await page.click('#produce button');
    // The status still shows user-7's explanation until the answer arrives: wait for this key's.
    await page.waitForFunction(() => {
      const w = document.querySelector('[data-testid=produce-status] [data-testid=why]');
      return w && w.textContent.includes('"order-991"');
    });
    const why = await page.textContent('[data-testid=produce-status] [data-testid=why]');
    check(why.includes('The broker computed the same.'), `partitioner explanation agrees: ${why}`);
    check(!why.includes('But this record'), `a keyed record placed by murmur2 is explained as hashed: ${why}`);

    // The message browser of partition 1 shows the record and its explanation.
    await page.goto(`${base}/#/topics/${topic}/1`);
    await page.waitForSelector('tr[data-offset="0"]');
    check((await page.textContent('tr[data-offset="0"]')).includes('"amount": 12'), 'JSON value pretty-printed');
    await page.click('tr[data-offset="0"] button');
    await page.waitForSelector('tr[data-offset="0"] [data-testid=why]');

    // Search by key and by a JSON field, then replay a match to another topic.
    for (const [i, body] of [['cust-1', '{"user": {"name": "alice"}, "n": 1}'], ['cust-2', '{"user": {"name": "bob"}}'],
      ['cust-3', '{"user": {"name": "alice"}, "n": 3}']].entries()) {
      const r = await fetch(`${base}/api/v1/topics/${topic}/messages`, { method: 'POST',
        headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ key: body[0], value: body[1], partition: i % 2 }) });
      check(r.status === 201, `api produce answered ${r.status}`);
    }
    await page.goto(`${base}/#/topics/${topic}`);
    await page.waitForSelector('#search');
    await page.fill('#search input[name=key]', 'cust-2');
    await page.click('#search button[type=submit]');
    await page.waitForFunction(() => document.querySelector('[data-testid=search-status]').textContent.includes('1 found'));
    check((await page.textContent('#search ~ div table')).includes('bob'), 'search by key finds bob');
    await page.fill('#search input[name=key]', '');
    await page.fill('#search input[name=pointer]', '/user/name');
    await page.fill('#search input[name=equals]', '"alice"');
    await page.press('#search input[name=equals]', 'Enter');  // the keyboard submits too
    await page.waitForFunction(() => document.querySelector('[data-testid=search-status]').textContent.includes('2 found'));
    check(!(await page.textContent('#search ~ div table')).includes('bob'), 'the JSON field search leaves bob out');
    const created = await fetch(`${base}/api/v1/topics`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `${topic}-copy`, partitions: 1 }) });
    check(created.status === 201, `create the replay target: ${created.status}`);
    await page.fill('input[name=replay_to]', `${topic}-copy`);
    await page.focus('[data-testid=replay]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid=replay-status]').textContent.includes('replayed to'));
    const copy = await (await fetch(`${base}/api/v1/topics/${topic}-copy/partitions/0/messages?offset=0&limit=10`)).json();
    check(copy.records.length === 1 && copy.records[0].value.includes('alice'), 'the replayed record is in the copy');

    // A live search: started at the end, it shows matching records as they are written.
    await page.goto(`${base}/#/topics/${topic}`);
    await page.waitForSelector('#search');
    await page.fill('#search input[name=key]', 'live-');
    await page.fill('#search input[name=pointer]', '');  // the same view as before: clear the JSON search
    await page.fill('#search input[name=equals]', '');
    await page.selectOption('#search select[name=start]', 'latest');
    await page.check('#search input[name=live]');
    await page.click('#search button[type=submit]');
    await page.waitForFunction(() => document.querySelector('[data-testid=search-status]').textContent.includes('caught up'));
    const produceOne = async (key, value, partition) => {
      const r = await fetch(`${base}/api/v1/topics/${topic}/messages`, { method: 'POST',
        headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ key, value, partition }) });
      check(r.status === 201, `api produce answered ${r.status}`);
      return r.json();
    };
    await produceOne('other', 'not shown', 0);
    await produceOne('live-1', 'shown live', 1);
    await page.waitForFunction(() => document.querySelector('[data-testid=search-status]').textContent.includes('1 found'));
    const liveRows = await page.textContent('#search ~ div table tbody');
    check(liveRows.includes('shown live') && !liveRows.includes('not shown'), `live search rows: ${liveRows}`);

    // The message browser follows its partition.
    await page.goto(`${base}/#/topics/${topic}/0`);
    await page.click('[data-testid=follow]');
    await page.waitForFunction(() => document.querySelector('[data-testid=follow-status]').textContent.includes('following'));
    const followed = await produceOne('k', 'followed record', 0);
    await page.waitForSelector(`tr[data-offset="${followed.offset}"]`, { timeout: 10000 });
    check((await page.textContent(`tr[data-offset="${followed.offset}"]`)).includes('followed record'), 'followed record shown');

    // Manage from the page: add a partition, then delete the copy (its name typed again).
    await page.goto(`${base}/#/topics/${topic}`);
    await page.waitForSelector('#add-partitions');
    await page.fill('#add-partitions input[name=count]', '3');
    await page.click('#add-partitions button');
    await page.waitForSelector('[data-testid=hw-2]', { timeout: 10000 });
    await page.goto(`${base}/#/topics/${topic}-copy`);
    await page.waitForSelector('#delete-topic');
    await page.fill('#delete-topic input[name=confirm]', 'wrong');
    await page.click('#delete-topic button');
    await page.waitForFunction(() => document.querySelector('[data-testid=manage-status]').textContent.includes('does not match'));
    await page.fill('#delete-topic input[name=confirm]', `${topic}-copy`);
    await page.click('#delete-topic button');
    await page.waitForFunction(() => location.hash === '#/topics');
    const left = await (await fetch(`${base}/api/v1/topics/${topic}-copy`)).status;
    check(left === 404, `the deleted topic is gone (${left})`);

    // A record in the Schema Registry's wire format (produced by the test):
    // shown decoded, with its schema named.
    if (process.env.DECODED_TOPIC) {
      await page.goto(`${base}/#/topics/${process.env.DECODED_TOPIC}/0`);
      await page.waitForSelector('tr[data-offset="0"] [data-schema-id]');
      const cell = await page.textContent('tr[data-offset="0"] [data-schema-id]');
      check(cell.includes('AVRO') && cell.includes(`${process.env.DECODED_TOPIC}-value v1`) && cell.includes('"amount": 12.5'),
        `a schema-registry record decoded: ${cell}`);
    }

    // The group the test started: its rebalance on the timeline, lag over time.
    if (process.env.GROUP) {
      await page.goto(`${base}/#/groups/${process.env.GROUP}`);
      await page.waitForSelector('[data-testid=timeline] li[data-generation]');
      const line = await page.textContent('[data-testid=timeline]');
      check(line.includes('stable') && line.includes('joined') && line.includes('moved'), `timeline: ${line}`);
      await page.waitForSelector('[data-testid=lag-chart-lag]');
      await page.waitForSelector('[data-testid=lag-chart-lag_seconds]');
      const shot = path.join(shots, 'group-1920.png');
      await page.screenshot({ path: shot, fullPage: true });
      await page.setViewportSize({ width: 375, height: 800 });
      const o = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      check(o <= 0, `no horizontal scroll on the group at 375 px (overflow ${o})`);
      await page.screenshot({ path: path.join(shots, 'group-375.png'), fullPage: true });
      await page.setViewportSize({ width: 1920, height: 1080 });
    }

    // Phone width: no horizontal scroll.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${base}/#/topics/${topic}`);
    await page.waitForSelector('[data-testid=hw-0]');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    check(overflow <= 0, `no horizontal scroll at 375 px (overflow ${overflow})`);
    await page.screenshot({ path: path.join(shots, 'topic-375.png'), fullPage: true });

    check(outside.length === 0, `requests outside the broker: ${outside.join(', ')}`);
    check(errors.length === 0, `page errors: ${errors.join('; ')}`);
    console.log('browser check passed');
  } finally {
    await browser.close();
  }
}

main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
