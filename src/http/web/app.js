// The Samsa console page: plain DOM and hand-drawn SVG, no framework and no
// request outside this broker. Views: topics (partitions drawn as logs, live
// through Server-Sent Events), a partition's messages (with the partitioner's
// steps for each key), search (key, value, JSON Pointer, header) with replay,
// consumer groups (members, assignments, lag, lag over time, rebalances).
'use strict';

const main = document.getElementById('main');
let cluster = null;
let liveSource = null;  // the one EventSource of the current view

function el(tag, attrs = {}, ...children) {
  const node = tag === 'svg' || attrs.svg ? document.createElementNS('http://www.w3.org/2000/svg', tag)
                                          : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'svg') continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  return node;
}
const svgEl = (tag, attrs = {}, ...children) => el(tag, { ...attrs, svg: true }, ...children);

async function api(path, options = {}) {
  const res = await fetch(path, options);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = body.error || {};
    throw new Error(`${e.name || res.status}: ${e.message || res.statusText}`);
  }
  return body;
}

// Over the Kafka protocol (`samsa console --bootstrap`) the broker's internals are not there.
const remote = () => Boolean(cluster && cluster.console.mode === 'remote');

function bytes(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return 'size not available';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(1)} ${units[i]}`;
}

// --- Kafka's default partitioner, step by step -----------------------------
// murmur2 as the Java client (and librdkafka's murmur2_random) computes it,
// written out so the page can show each step and check the broker's answer.
function murmur2(data) {
  const m = 0x5bd1e995, r = 24, seed = 0x9747b28c;
  let h = (seed ^ data.length) >>> 0;
  let i = 0;
  for (; i + 4 <= data.length; i += 4) {
    let k = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) >>> 0;
    k = Math.imul(k, m) >>> 0;
    k = (k ^ (k >>> r)) >>> 0;
    k = Math.imul(k, m) >>> 0;
    h = Math.imul(h, m) >>> 0;
    h = (h ^ k) >>> 0;
  }
  switch (data.length - i) {
    case 3: h = (h ^ (data[i + 2] << 16)) >>> 0; // falls through
    case 2: h = (h ^ (data[i + 1] << 8)) >>> 0; // falls through
    case 1: h = (h ^ data[i]) >>> 0; h = Math.imul(h, m) >>> 0;
  }
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h, m) >>> 0;
  h = (h ^ (h >>> 15)) >>> 0;
  return h | 0;  // signed, as Java's int
}

function explainPartition(key, partitions, serverSteps, actual) {
  const data = new TextEncoder().encode(key);
  const hash = murmur2(data);
  const positive = hash & 0x7fffffff;
  const partition = positive % partitions;
  const hex = [...data.slice(0, 32)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const agrees = !serverSteps || (serverSteps.murmur2 === hash && serverSteps.partition === partition);
  return el('div', { class: 'steps', 'data-testid': 'why' },
    el('strong', {}, `Why is key "${key}" in partition ${partition}?`),
    el('ol', {},
      el('li', {}, `The key as UTF-8 bytes (${data.length}): `, el('code', {}, hex + (data.length > 32 ? ' …' : ''))),
      el('li', {}, 'murmur2(bytes, seed 0x9747b28c) = ', el('code', {}, String(hash)),
        ` (0x${(hash >>> 0).toString(16).padStart(8, '0')})`),
      el('li', {}, 'Clear the sign bit: hash & 0x7fffffff = ', el('code', {}, String(positive))),
      el('li', {}, `Modulo the topic's ${partitions} partitions: ${positive} % ${partitions} = `,
        el('strong', {}, String(partition)))),
    el('p', { class: agrees ? 'ok' : 'error' },
      agrees ? 'The broker computed the same.' : 'The broker computed something else: ' + JSON.stringify(serverSteps)),
    actual !== undefined && actual !== partition
      ? el('p', { class: 'error' }, `But this record is in partition ${actual}: its producer chose the partition ` +
        '(or used another partitioner), so the key did not decide.')
      : null,
    el('p', { class: 'muted' },
      'A different partition count moves keys: this is why adding partitions breaks per-key order.'));
}

// --- topics ----------------------------------------------------------------
function drawPartition(p, rate) {
  const width = 1000, height = 46;
  const start = p.log_start_offset, end = p.high_watermark;
  const bases = p.segment_base_offsets || [];
  const span = Math.max(1, end - Math.min(start, bases.length ? bases[0] : start));
  const origin = Math.min(start, bases.length ? bases[0] : start);
  const x = (o) => 4 + ((o - origin) / span) * (width - 8);
  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', preserveAspectRatio: 'none',
    'aria-label': `partition ${p.partition}: offsets ${start} to ${end}, ${p.segments} segments` });
  svg.append(svgEl('rect', { class: 'bar', x: x(start), y: 4, width: Math.max(2, x(end) - x(start)), height: 22 }));
  for (const b of bases) svg.append(svgEl('line', { class: 'seg', x1: x(b), x2: x(b), y1: 2, y2: 28 }));
  svg.append(svgEl('text', { class: 'axis', x: 4, y: 42 }, `start ${start}`));
  svg.append(svgEl('text', { class: 'axis', x: width - 4, y: 42, 'text-anchor': 'end' }, `high watermark ${end}`));
  return el('div', { class: 'partition', 'data-partition': p.partition },
    el('div', {},
      el('strong', {}, `Partition ${p.partition}`), ' ',
      el('span', { class: 'muted', 'data-testid': `hw-${p.partition}` }, `${end - start} records (offsets ${start}–${end})`),
      p.segments === null || p.segments === undefined ? ' · size and segments not available over the Kafka protocol'
        : ` · ${bytes(p.size_bytes)} · ${p.segments} segment${p.segments === 1 ? '' : 's'}`,
      rate !== undefined ? ` · ${rate.toFixed(1)} records/s` : '', ' · ',
      el('a', { href: `#/topics/${encodeURIComponent(p.topic)}/${p.partition}` }, 'messages')),
    svg);
}

async function showTopics() {
  const data = await api('/api/v1/topics');
  const list = el('tbody', {});
  for (const t of data.topics) {
    const records = t.partitions.reduce((a, p) => a + p.high_watermark - p.log_start_offset, 0);
    const size = remote() ? null : t.partitions.reduce((a, p) => a + p.size_bytes, 0);
    list.append(el('tr', {}, el('td', {}, el('a', { href: `#/topics/${encodeURIComponent(t.name)}` }, t.name)),
      el('td', {}, t.partitions.length), el('td', { 'data-topic-records': t.name }, records), el('td', {}, bytes(size))));
  }
  const children = [el('h2', {}, 'Topics'),
    el('div', { class: 'scroll' }, el('table', {},
      el('thead', {}, el('tr', {}, el('th', {}, 'Topic'), el('th', {}, 'Partitions'), el('th', {}, 'Records'),
        el('th', {}, 'Size'))), list))];
  if (data.topics.length === 0) children.push(el('p', { class: 'muted' }, 'No topics yet.'));
  if (cluster && cluster.console.write_enabled) {
    const status = el('p', { role: 'status' });
    const form = el('form', { id: 'create-topic' },
      el('label', {}, 'Name', el('input', { name: 'name', required: true, pattern: '[a-zA-Z0-9._-]+' })),
      el('label', {}, 'Partitions', el('input', { name: 'partitions', type: 'number', min: 1, value: 3 })),
      el('button', { type: 'submit' }, 'Create topic'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const f = new FormData(form);
      try {
        await api('/api/v1/topics', { method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ name: f.get('name'), partitions: Number(f.get('partitions')) }) });
        location.hash = `#/topics/${encodeURIComponent(f.get('name'))}`;
      } catch (e) { status.textContent = e.message; status.className = 'error'; }
    });
    children.push(el('h3', {}, 'Create a topic'), form, status);
  }
  main.replaceChildren(...children);
}

async function showTopic(name) {
  const t = await api(`/api/v1/topics/${encodeURIComponent(name)}`);
  const parts = el('div', { id: 'partitions' });
  const render = (partitions, rates) => parts.replaceChildren(
    ...partitions.map((p) => drawPartition({ ...p, topic: name }, rates ? rates[p.partition] : undefined)));
  render(t.partitions);
  const configs = el('tbody', {}, ...Object.entries(t.configs.effective).map(([k, v]) =>
    el('tr', {}, el('td', {}, k), el('td', {}, String(v)), el('td', { class: 'muted' },
      k in t.configs.overrides ? 'set on the topic' : 'default'))));
  const children = [el('h2', {}, `Topic ${name}`),
    el('p', { class: 'muted' }, 'Each bar is a partition\'s log, from its log start to its high watermark; ' +
      'brown lines are segment boundaries (where retention can cut). Updated every second.'), parts];
  if (cluster && cluster.console.write_enabled) children.push(...produceForm(name, t.partitions.length));
  if (remote()) {
    children.push(el('p', { class: 'muted', 'data-testid': 'remote-note' }, `Served by \`samsa console\` for ${cluster.console.bootstrap} ` +
      'over the Kafka protocol: segment boundaries, sizes, live rates, search and writes need the broker\'s internals ' +
      'and are not available here.'));
  } else {
    children.push(...searchForm(name));
  }
  if (cluster && cluster.console.write_enabled) children.push(...manageTopic(name, t.partitions.length));
  children.push(el('h3', {}, 'Configuration'), el('div', { class: 'scroll' }, el('table', {}, configs)));
  main.replaceChildren(...children);

  if (remote()) return;
  // Live: records/s from the change of each partition's records-in counter.
  let last = null;
  liveSource = new EventSource(`/api/v1/events?topic=${encodeURIComponent(name)}`);
  liveSource.addEventListener('figures', async (ev) => {
    const now = JSON.parse(ev.data);
    if (!now.exists) return;
    const rates = {};
    if (last) {
      const dt = Math.max(0.001, (now.time_ms - last.time_ms) / 1000);
      for (const p of now.partitions) {
        const before = last.partitions.find((q) => q.partition === p.partition);
        rates[p.partition] = before ? (p.records_in - before.records_in) / dt : 0;
      }
    }
    // Segment boundaries change only on a roll: ask for them when the count moves.
    const rolled = last && now.partitions.some((p, i) => last.partitions[i] && p.segments !== last.partitions[i].segments);
    if (rolled) t.partitions = (await api(`/api/v1/topics/${encodeURIComponent(name)}`)).partitions;
    const merged = now.partitions.map((p) => ({ ...p,
      segment_base_offsets: (t.partitions.find((q) => q.partition === p.partition) || {}).segment_base_offsets }));
    render(merged, rates);
    last = now;
  });
}

function produceForm(topic, partitions) {
  const status = el('p', { role: 'status', 'data-testid': 'produce-status' });
  const form = el('form', { id: 'produce' },
    el('label', {}, 'Key', el('input', { name: 'key', placeholder: '(none)' })),
    el('label', {}, 'Value', el('input', { name: 'value', required: true })),
    el('label', {}, 'Headers (JSON object)', el('input', { name: 'headers', placeholder: '{"source":"console"}' })),
    el('label', {}, 'Partition', el('select', { name: 'partition' }, el('option', { value: '' }, 'by key'),
      ...Array.from({ length: partitions }, (_, i) => el('option', { value: i }, String(i))))),
    el('button', { type: 'submit' }, 'Produce'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    const body = { value: f.get('value') };
    if (f.get('key')) body.key = f.get('key');
    if (f.get('partition') !== '') body.partition = Number(f.get('partition'));
    try {
      if (f.get('headers')) body.headers = JSON.parse(f.get('headers'));
      const r = await api(`/api/v1/topics/${encodeURIComponent(topic)}/messages`, { method: 'POST',
        headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      status.className = 'ok';
      status.replaceChildren(`Written to partition ${r.partition} at offset ${r.offset} (${r.chosen_by}).`);
      if (r.partitioner) {
        status.append(explainPartition(r.partitioner.key, r.partitioner.partitions, r.partitioner, r.partition));
      }
    } catch (e) { status.className = 'error'; status.textContent = e.message; }
  });
  return [el('h3', {}, 'Produce a message'), form, status];
}

// --- search and replay -----------------------------------------------------------
function replayButton(topic, partition, offset, target) {
  const status = el('span', { role: 'status', 'data-testid': 'replay-status' });
  const button = el('button', { type: 'button', 'data-testid': 'replay' }, 'Replay');
  button.addEventListener('click', async () => {
    const to = (target && target.value.trim()) || topic;
    try {
      const r = await api(`/api/v1/topics/${encodeURIComponent(topic)}/partitions/${partition}/messages/${offset}/replay`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ topic: to }) });
      status.className = 'ok';
      status.textContent = ` replayed to ${r.topic}-${r.partition} at offset ${r.offset}`;
    } catch (e) { status.className = 'error'; status.textContent = ` ${e.message}`; }
  });
  return el('span', {}, button, status);
}

// Where a search or tail starts: every partition from the earliest record,
// from an offset, or from the first record at or after a time.
function startFields() {
  return [
    el('label', {}, 'Start', el('select', { name: 'start' }, el('option', { value: '' }, 'earliest'),
      el('option', { value: 'from_offset' }, 'at offset'), el('option', { value: 'from_timestamp' }, 'at time'),
      el('option', { value: 'latest' }, 'now (new records only)'))),
    el('label', {}, 'Offset or time', el('input', { name: 'at', placeholder: '120 or 2026-12-03T20:00' }))];
}
function startQuery(f, q) {
  const start = f.get('start'), at = (f.get('at') || '').trim();
  if (start === 'latest') q.set('from', 'latest');
  else if (start === 'from_offset') q.set('from_offset', at || '0');
  else if (start === 'from_timestamp') {
    const ms = /^\d+$/.test(at) ? Number(at) : Date.parse(at);
    if (Number.isNaN(ms)) throw new Error(`"${at}" is not a time (milliseconds or 2026-12-03T20:00)`);
    q.set('from_timestamp', String(ms));
  }
}

// A search runs page by page: each answer says how much it scanned and
// hands back a cursor; "Search on" continues from it. "Live" streams it
// instead (Server-Sent Events) and keeps delivering new matches as they
// arrive, until its limit, its scan budget or a minute runs out.
function searchForm(topic) {
  const writes = cluster && cluster.console.write_enabled;
  const target = writes ? el('input', { name: 'replay_to', placeholder: topic }) : null;
  const rows = el('tbody', {});
  const status = el('p', { role: 'status', 'data-testid': 'search-status' });
  const more = el('button', { type: 'button', hidden: '' }, 'Search on');
  const stop = el('button', { type: 'button', hidden: '' }, 'Stop');
  let cursor = null;
  let query = null;
  let stream = null;
  const form = el('form', { id: 'search', role: 'search' },
    el('label', {}, 'Key contains', el('input', { name: 'key' })),
    el('label', {}, 'Value contains', el('input', { name: 'value' })),
    el('label', {}, 'JSON Pointer', el('input', { name: 'pointer', placeholder: '/user/name' })),
    el('label', {}, 'equals (JSON)', el('input', { name: 'equals', placeholder: '"alice"' })),
    el('label', {}, 'Header', el('input', { name: 'header' })),
    ...startFields(),
    el('label', { class: 'check' }, el('input', { name: 'live', type: 'checkbox' }), 'Live: keep delivering new matches'),
    el('button', { type: 'submit' }, 'Search'));
  const addRow = (m) => rows.append(el('tr', { 'data-match': `${m.partition}:${m.offset}` }, el('td', {}, `${m.partition}`),
    el('td', {}, el('a', { href: `#/topics/${encodeURIComponent(topic)}/${m.partition}?offset=${m.offset}` }, m.offset)),
    el('td', {}, recordCell(m.key, m.key_schema, 'text')), el('td', {}, recordCell(m.value, m.value_schema, 'json')),
    el('td', {}, writes ? replayButton(topic, m.partition, m.offset, target) : '')));
  const run = async () => {
    const q = new URLSearchParams(query);
    if (cursor) {
      for (const k of ['from', 'from_offset', 'from_timestamp']) q.delete(k);
      q.set('cursor', cursor);
    }
    try {
      const r = await api(`/api/v1/topics/${encodeURIComponent(topic)}/search?${q}`);
      r.matches.forEach(addRow);
      cursor = r.cursor;
      more.hidden = r.complete;
      status.className = '';
      status.textContent = `${rows.children.length} found; this page scanned ${r.scanned.records} records ` +
        `(${bytes(r.scanned.bytes)}) ` + (r.complete ? '— the whole topic is searched.' : '— budget spent, more to search.');
    } catch (e) { status.className = 'error'; status.textContent = e.message; }
  };
  const closeStream = () => { if (stream) { stream.close(); stream = null; } stop.hidden = true; };
  const live = () => {
    const q = new URLSearchParams(query);
    q.set('topic', topic);
    stream = new EventSource(`/api/v1/tail?${q}`);
    liveSource = stream;  // closed when the view changes
    stop.hidden = false;
    status.className = '';
    status.textContent = 'Searching…';
    stream.addEventListener('match', (ev) => {
      addRow(JSON.parse(ev.data));
      status.textContent = `${rows.children.length} found, live…`;
    });
    stream.addEventListener('caught_up', () => {
      status.textContent = `${rows.children.length} found; caught up — new matching records appear as they arrive.`;
    });
    stream.addEventListener('end', (ev) => {
      const e = JSON.parse(ev.data);
      closeStream();
      if (e.reason === 'error') { status.className = 'error'; status.textContent = e.error.message; return; }
      status.textContent = `${rows.children.length} found; stopped (${e.reason}) after scanning ` +
        `${e.scanned.records} records (${bytes(e.scanned.bytes)}).`;
    });
    stream.onerror = () => { if (stream) { closeStream(); status.textContent += ' (stream closed)'; } };
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    closeStream();
    const f = new FormData(form);
    query = new URLSearchParams([...f].filter(([k, v]) => v !== '' && !['start', 'at', 'live'].includes(k)));
    try { startQuery(f, query); } catch (e) { status.className = 'error'; status.textContent = e.message; return; }
    rows.replaceChildren();
    cursor = null;
    more.hidden = true;
    if (f.get('live')) live();
    else await run();
  });
  more.addEventListener('click', run);
  stop.addEventListener('click', () => { closeStream(); status.textContent += ' Stopped.'; });
  const children = [el('h3', {}, 'Search'), form];
  if (target) children.push(el('form', {}, el('label', {}, 'Replay to topic', target)));
  children.push(status, stop, el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, el('tr', {},
    el('th', {}, 'Partition'), el('th', {}, 'Offset'), el('th', {}, 'Key'), el('th', {}, 'Value'), el('th', {}, 'Actions'))),
  rows)), more);
  return children;
}

// --- management --------------------------------------------------------------------
async function send(method, path, body) {
  return api(path, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body || {}) });
}

function manageTopic(topic, partitions) {
  const status = el('p', { role: 'status', 'data-testid': 'manage-status' });
  const report = (p) => p.then((text) => { status.className = 'ok'; status.textContent = text; })
    .catch((e) => { status.className = 'error'; status.textContent = e.message; });
  const base = `/api/v1/topics/${encodeURIComponent(topic)}`;
  const grow = el('form', { id: 'add-partitions' },
    el('label', {}, 'Partitions (new total)', el('input', { name: 'count', type: 'number', min: partitions + 1, value: partitions + 1 })),
    el('button', { type: 'submit' }, 'Add partitions'));
  grow.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const count = Number(new FormData(grow).get('count'));
    report(send('POST', `${base}/partitions`, { count }).then(() => { setTimeout(route, 0); return `now ${count} partitions`; }));
  });
  const config = el('form', { id: 'set-config' },
    el('label', {}, 'Config', el('input', { name: 'name', required: true, placeholder: 'retention.ms' })),
    el('label', {}, 'Value (empty = back to the default)', el('input', { name: 'value' })),
    el('button', { type: 'submit' }, 'Apply'));
  config.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = new FormData(config);
    const body = f.get('value') === '' ? { delete: [f.get('name')] } : { set: { [f.get('name')]: f.get('value') } };
    report(send('POST', `${base}/configs`, body).then(() => { setTimeout(route, 0); return `${f.get('name')} changed`; }));
  });
  // Deleting cannot be undone: the name must be typed again.
  const remove = el('form', { id: 'delete-topic' },
    el('label', {}, `Type ${topic} to delete it`, el('input', { name: 'confirm', autocomplete: 'off' })),
    el('button', { type: 'submit', class: 'danger' }, 'Delete topic'));
  remove.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (new FormData(remove).get('confirm') !== topic) { status.className = 'error'; status.textContent = 'the name does not match'; return; }
    report(send('DELETE', base).then(() => { location.hash = '#/topics'; return `${topic} deleted`; }));
  });
  return [el('h3', {}, 'Manage'), grow, config, remove, status];
}

function resetOffsets(id, topics) {
  const status = el('div', { role: 'status', 'data-testid': 'reset-status' });
  const form = el('form', { id: 'reset-offsets' },
    el('label', {}, 'Topic', el('select', { name: 'topic' }, ...topics.map((t) => el('option', { value: t }, t)))),
    el('label', {}, 'To', el('select', { name: 'to' }, el('option', { value: 'earliest' }, 'earliest'),
      el('option', { value: 'latest' }, 'latest'), el('option', { value: 'offset' }, 'offset'))),
    el('label', {}, 'Offset', el('input', { name: 'offset', type: 'number', min: 0 })),
    el('button', { type: 'submit' }, 'Dry run'));
  const body = () => {
    const f = new FormData(form);
    return { topic: f.get('topic'), to: f.get('to') === 'offset' ? Number(f.get('offset')) : f.get('to') };
  };
  const path = `/api/v1/groups/${encodeURIComponent(id)}/offsets/reset`;
  const table = (r) => el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Partition'), el('th', {}, 'Committed'),
    el('th', {}, 'New'))), el('tbody', {}, ...r.partitions.map((p) => el('tr', {}, el('td', {}, p.partition),
    el('td', {}, p.current ?? 'none'), el('td', {}, p.new)))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const planned = body();
    try {
      const plan = await send('POST', path, planned);
      const execute = el('button', { type: 'button', 'data-testid': 'reset-execute' }, 'Reset these offsets');
      execute.addEventListener('click', async () => {
        try {
          const done = await send('POST', path, { ...planned, execute: true });
          status.className = 'ok';
          status.replaceChildren(el('p', {}, 'Offsets reset.'), table(done));
        } catch (e) { status.className = 'error'; status.textContent = e.message; }
      });
      status.className = '';
      status.replaceChildren(el('p', {}, 'Dry run: nothing changed yet.'), table(plan), execute);
    } catch (e) { status.className = 'error'; status.textContent = e.message; }
  });
  return [el('h3', {}, 'Reset offsets'), form, status];
}

// --- messages ----------------------------------------------------------------
function asText(value, mode) {
  if (value === null) return el('span', { class: 'muted' }, 'null');
  if (mode === 'json') {
    try { return el('pre', {}, JSON.stringify(JSON.parse(value), null, 2)); } catch { /* not JSON: as text */ }
  }
  if (mode === 'hex') {
    return el('code', {}, [...new TextEncoder().encode(value)].map((b) => b.toString(16).padStart(2, '0')).join(' '));
  }
  return el('code', {}, value);
}

// A key or value in the Schema Registry's wire format (the API adds
// key_schema/value_schema): decoded JSON under a line naming the schema, or
// the raw value with the reason it was not decoded.
function recordCell(value, schema, mode) {
  if (!schema) return asText(value, mode);
  const subjects = (schema.subjects || []).map((s) => `${s.subject} v${s.version}`).join(', ');
  const label = [`schema ${schema.id}`, schema.type, subjects].filter(Boolean).join(' · ');
  if ('decoded' in schema && mode !== 'hex') {
    return el('div', { 'data-schema-id': schema.id }, el('small', { class: 'muted' }, label),
      el('pre', {}, JSON.stringify(schema.decoded, null, 2)));
  }
  return el('div', {}, el('small', { class: 'muted' }, schema.note ? `${label}: ${schema.note}` : label),
    asText(value, mode));
}

async function showMessages(topic, partition, params) {
  const query = new URLSearchParams({ limit: params.get('limit') || '50' });
  if (params.get('offset')) query.set('offset', params.get('offset'));
  if (params.get('timestamp')) query.set('timestamp', params.get('timestamp'));
  const mode = params.get('mode') || 'json';
  const data = await api(`/api/v1/topics/${encodeURIComponent(topic)}/partitions/${partition}/messages?${query}`);
  const t = await api(`/api/v1/topics/${encodeURIComponent(topic)}`);
  const rows = el('tbody', {});
  const addRow = (r) => {
    const why = el('td', {});
    if (r.key !== null) {
      why.append(el('button', { class: 'link', type: 'button', onclick: () => why.replaceChildren(
        explainPartition(r.key, t.partitions.length, r.partitioner, partition)) }, `why partition ${partition}?`));
    }
    rows.append(el('tr', { 'data-offset': r.offset }, el('td', {}, r.offset),
      el('td', {}, new Date(r.timestamp).toISOString()), el('td', {}, recordCell(r.key, r.key_schema, 'text')),
      el('td', {}, recordCell(r.value, r.value_schema, mode)),
      el('td', {}, r.headers.map((h) => el('div', {}, el('code', {}, `${h.key}=${h.value ?? 'null'}`)))), why,
      el('td', {}, cluster && cluster.console.write_enabled ? replayButton(topic, partition, r.offset, null) : '')));
  };
  data.records.forEach(addRow);
  // Follow: new records of this partition appear below as they are written
  // (a tail on /api/v1/tail, bounded to a thousand records or ten minutes).
  const followStatus = el('span', { role: 'status', 'data-testid': 'follow-status' });
  const follow = el('button', { type: 'button', 'data-testid': 'follow', 'aria-pressed': 'false' }, 'Follow new records');
  follow.addEventListener('click', () => {
    if (liveSource) { liveSource.close(); liveSource = null; follow.setAttribute('aria-pressed', 'false');
      followStatus.textContent = ' stopped'; return; }
    const q = new URLSearchParams({ topic, partition, from: 'latest', limit: '1000', max_ms: '600000' });
    liveSource = new EventSource(`/api/v1/tail?${q}`);
    follow.setAttribute('aria-pressed', 'true');
    followStatus.textContent = ' connecting…';
    liveSource.addEventListener('caught_up', () => { followStatus.textContent = ' following…'; });
    liveSource.addEventListener('match', (ev) => addRow(JSON.parse(ev.data)));
    liveSource.addEventListener('end', (ev) => {
      if (liveSource) liveSource.close();
      liveSource = null;
      follow.setAttribute('aria-pressed', 'false');
      followStatus.textContent = ` stopped (${JSON.parse(ev.data).reason})`;
    });
  });
  const form = el('form', {},
    el('label', {}, 'From offset', el('input', { name: 'offset', type: 'number', value: params.get('offset') || '' })),
    el('label', {}, 'or timestamp (ms)', el('input', { name: 'timestamp', type: 'number', value: params.get('timestamp') || '' })),
    el('label', {}, 'Limit', el('input', { name: 'limit', type: 'number', min: 1, max: 500, value: params.get('limit') || 50 })),
    el('label', {}, 'Value as', el('select', { name: 'mode' }, ...['json', 'text', 'hex'].map((m) =>
      el('option', { value: m, ...(m === mode ? { selected: '' } : {}) }, m)))),
    el('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = new URLSearchParams([...new FormData(form)].filter(([, v]) => v !== ''));
    location.hash = `#/topics/${encodeURIComponent(topic)}/${partition}?${f}`;
  });
  main.replaceChildren(el('h2', {}, `${topic} · partition ${partition}`),
    el('p', { class: 'muted' }, `Offsets ${data.log_start_offset}–${data.high_watermark}; showing ${data.records.length} ` +
      `from ${data.records.length ? data.records[0].offset : data.next_offset}.`), form,
    el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Offset'),
      el('th', {}, 'Timestamp'), el('th', {}, 'Key'), el('th', {}, 'Value'), el('th', {}, 'Headers'), el('th', {}, 'Partitioner'),
      el('th', {}, 'Actions'))), rows)),
    el('p', {}, follow, followStatus), el('p', {}, el('a', { href: `#/topics/${encodeURIComponent(topic)}/${partition}?offset=${data.next_offset}` }, 'next page')));
}

// --- groups --------------------------------------------------------------------
async function showGroups() {
  const data = await api('/api/v1/groups');
  const rows = data.groups.map((g) => el('tr', {},
    el('td', {}, el('a', { href: `#/groups/${encodeURIComponent(g.group_id)}` }, g.group_id)),
    el('td', {}, g.type), el('td', {}, g.state), el('td', {}, g.members), el('td', {}, g.lag),
    el('td', {}, g.lag_seconds === null ? '…' : seconds(g.lag_seconds))));
  main.replaceChildren(el('h2', {}, 'Consumer groups'),
    el('p', { class: 'muted' }, 'classic: JoinGroup/SyncGroup rounds; consumer: the KIP-848 protocol (the broker ' +
      'assigns, members reconcile to a group epoch); share: KIP-932 queues (records delivered to any member).'),
    rows.length ? el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Group'),
      el('th', {}, 'Type'), el('th', {}, 'State'), el('th', {}, 'Members'), el('th', {}, 'Lag (records)'),
      el('th', {}, 'Lag (time)'))),
      el('tbody', {}, ...rows)))
      : el('p', { class: 'muted' }, 'No groups yet.'));
}

const groupStates = {
  classic: ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'],
  consumer: ['Empty', 'Assigning', 'Reconciling', 'Stable', 'Dead'],
  share: ['Empty', 'Stable', 'Dead'],
};

const assignmentText = (a) => a.map((x) => `${x.topic}: ${x.partitions.join(', ')}`).join('; ') || 'none';

async function showGroup(id) {
  const g = await api(`/api/v1/groups/${encodeURIComponent(id)}`);
  const lagHistory = await api(`/api/v1/groups/${encodeURIComponent(id)}/lag-history`);
  const rebalances = await api(`/api/v1/groups/${encodeURIComponent(id)}/rebalances`);
  const type = g.type || 'classic';
  const machine = el('p', { 'data-testid': 'state-machine' }, ...groupStates[type].map((s) =>
    el('span', { class: s === g.state ? 'ok' : 'muted', ...(s === g.state ? { 'aria-current': 'true' } : {}) },
      s === g.state ? `[${s}] ` : `${s} `)));
  const children = [el('h2', {}, `Group ${id}`), el('p', { class: 'muted' }, `${type} group` +
    (type === 'classic' ? '' : ` · group epoch ${g.group_epoch}, assignment epoch ${g.assignment_epoch}, assignor ${g.assignor}`)),
  el('h3', {}, 'State'), machine];
  let members;
  if (type === 'classic') {
    members = el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Member'), el('th', {}, 'Client'),
      el('th', {}, 'Host'), el('th', {}, 'Partitions'))), el('tbody', {}, ...(g.members || []).map((m) =>
      el('tr', {}, el('td', {}, el('code', {}, m.member_id)), el('td', {}, m.client_id), el('td', {}, m.client_host),
        el('td', {}, assignmentText(m.assignment))))));
  } else {
    // Epochs teach the protocol: a member at the group epoch with its target
    // assignment is reconciled; one behind is still giving up or taking partitions.
    members = el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Member'), el('th', {}, 'Client'),
      el('th', {}, 'Member epoch'), el('th', {}, 'Partitions'),
      ...(type === 'consumer' ? [el('th', {}, 'Target')] : []), el('th', {}, 'Subscribed'))),
    el('tbody', {}, ...g.members.map((m) => el('tr', { 'data-member': m.member_id },
      el('td', {}, el('code', {}, m.member_id)), el('td', {}, `${m.client_id} (${m.client_host})`),
      el('td', { class: m.member_epoch === g.group_epoch ? 'ok' : 'error' }, m.member_epoch),
      el('td', {}, assignmentText(m.assignment)),
      ...(type === 'consumer' ? [el('td', {}, assignmentText(m.target_assignment))] : []),
      el('td', {}, (m.subscribed_topics || []).join(', '))))));
  }
  children.push(el('h3', {}, 'Members'), g.members.length ? el('div', { class: 'scroll' }, members)
    : el('p', { class: 'muted' }, 'No members.'));
  if (type === 'share') {
    children.push(el('h3', {}, 'Share partitions'),
      el('p', { class: 'muted' }, 'Every record before the start offset is done; records after it are delivered ' +
        'to any member and acknowledged one by one (in flight: available, acquired under a lock, acknowledged, archived).'),
      el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Partition'),
        el('th', {}, 'Start offset'), el('th', {}, 'Next offset'), el('th', {}, 'High watermark'), el('th', {}, 'Lag'),
        el('th', {}, 'In flight'))), el('tbody', {}, ...g.partitions.map((p) => el('tr', {},
        el('td', {}, `${p.topic}-${p.partition}`), el('td', {}, p.start_offset), el('td', {}, p.next_offset),
        el('td', {}, p.high_watermark), el('td', {}, p.lag),
        el('td', {}, Object.entries(p.in_flight).map(([k, v]) => `${k} ${v}`).join(', ')))))))); 
  } else {
    const seriesOf = (o) => (lagHistory.partitions || []).find((p) => p.topic === o.topic && p.partition === o.partition);
    const offsets = g.offsets.map((o) => el('tr', { 'data-lag-partition': `${o.topic}-${o.partition}` },
      el('td', {}, `${o.topic}-${o.partition}`),
      el('td', {}, o.committed_offset), el('td', {}, o.high_watermark), el('td', {}, o.lag ?? '?'),
      el('td', {}, seconds(o.lag_seconds)), el('td', {}, sparkline(seriesOf(o), `${o.topic}-${o.partition}`))));
    children.push(el('h3', {}, `Lag: ${g.lag} records, ${seconds(g.lag_seconds || 0)} behind`),
      el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, el('tr', {},
        el('th', {}, 'Partition'), el('th', {}, 'Committed'), el('th', {}, 'High watermark'), el('th', {}, 'Lag'),
        el('th', {}, 'Lag (time)'), el('th', {}, 'Lag over time'))), el('tbody', {}, ...offsets))),
      el('p', { class: 'muted' }, 'Lag in time = now minus the timestamp of the first record the group has not consumed; ' +
        'the group is as far behind as its latest partition.'),
      el('h3', {}, 'Lag over time (records)'), lagChart(lagHistory, 'lag', 'records'),
      el('h3', {}, 'Lag over time (seconds)'), lagChart(lagHistory, 'lag_seconds', 'seconds'));
  }
  children.push(el('h3', {}, type === 'classic' ? 'Rebalances' : 'Group epochs (sampled)'), rebalanceTimeline(rebalances));
  if (cluster && cluster.console.write_enabled && type !== 'share' && g.offsets.length) {
    children.push(...resetOffsets(id, [...new Set(g.offsets.map((o) => o.topic))]));
  }
  main.replaceChildren(...children);
}

function seconds(s) {
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

// A line of the group's lag (records or seconds), sampled by the broker (hand-drawn SVG).
function lagChart(h, field, unit) {
  const s = h.samples;
  if (s.length < 2) return el('p', { class: 'muted', 'data-testid': `lag-chart-${field}` }, 'Not enough samples yet.');
  const w = 600, ht = 120, pad = 4;
  const t0 = s[0].time_ms, t1 = s[s.length - 1].time_ms;
  const max = Math.max(1e-9, ...s.map((x) => x[field]));
  const x = (t) => pad + (w - 2 * pad) * (t - t0) / Math.max(1, t1 - t0);
  const y = (v) => ht - pad - (ht - 2 * pad) * v / max;
  const points = s.map((p) => `${x(p.time_ms).toFixed(1)},${y(p[field]).toFixed(1)}`).join(' ');
  const last = s[s.length - 1];
  const fmt = (v) => unit === 'seconds' ? seconds(v) : `${v} records`;
  return el('figure', { class: 'chart', 'data-testid': `lag-chart-${field}` },
    svgEl('svg', { viewBox: `0 0 ${w} ${ht}`, role: 'img', preserveAspectRatio: 'none',
      'aria-label': `lag from ${fmt(s[0][field])} to ${fmt(last[field])} over ${Math.round((t1 - t0) / 1000)} s, peak ${fmt(max)}` },
    svgEl('line', { x1: pad, y1: ht - pad, x2: w - pad, y2: ht - pad, class: 'axisline' }),
    svgEl('polyline', { points, class: 'lagline' })),
    el('figcaption', { class: 'muted' }, `peak ${fmt(max)}; now ${fmt(last[field])}; a sample every ${h.interval_ms / 1000} s, ` +
      `the last ${s.length} kept`));
}

// One partition's lag in records over time, small, beside its row.
function sparkline(series, label) {
  if (!series || series.samples.length < 2) return el('span', { class: 'muted' }, '…');
  const s = series.samples, w = 120, ht = 24;
  const t0 = s[0].time_ms, t1 = s[s.length - 1].time_ms;
  const max = Math.max(1, ...s.map((p) => p.lag));
  const points = s.map((p) => `${(w * (p.time_ms - t0) / Math.max(1, t1 - t0)).toFixed(1)},` +
    `${(ht - 2 - (ht - 4) * p.lag / max).toFixed(1)}`).join(' ');
  return svgEl('svg', { class: 'spark', viewBox: `0 0 ${w} ${ht}`, role: 'img', preserveAspectRatio: 'none',
    'aria-label': `${label}: lag from ${s[0].lag} to ${s[s.length - 1].lag} records, peak ${max}` },
  svgEl('polyline', { points, class: 'lagline' }));
}

function rebalanceTimeline(r) {
  if (!r.rebalances.length) return el('p', { class: 'muted', 'data-testid': 'timeline' }, 'No rebalance seen since the broker started.');
  const short = (id) => id.length > 24 ? `${id.slice(0, 24)}…` : id;
  const items = [...r.rebalances].reverse().map((e) => el('li', { 'data-generation': e.generation },
    el('strong', {}, `${r.type === 'classic' || !r.type ? 'generation' : 'epoch'} ${e.generation}`), ` · ${e.outcome}`,
    e.duration_ms !== null ? ` · ${e.duration_ms} ms` : '', ` · ${new Date(e.started_ms).toISOString()}`,
    e.joined.length ? el('div', {}, 'joined: ', ...e.joined.map((m) => el('code', {}, short(m) + ' '))) : null,
    e.left.length ? el('div', {}, 'left: ', ...e.left.map((m) => el('code', {}, short(m) + ' '))) : null,
    e.moved.length ? el('div', {}, `moved: ${e.moved.map((m) => `${m.topic}-${m.partition} ` +
      `${m.from ? short(m.from) : '(none)'} → ${m.to ? short(m.to) : '(none)'}`).join('; ')}`) : null));
  return el('ol', { class: 'timeline', 'data-testid': 'timeline' }, ...items);
}

// --- routing -------------------------------------------------------------------
async function route() {
  if (liveSource) { liveSource.close(); liveSource = null; }
  const [path, query] = location.hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query || '');
  try {
    if (parts[0] === 'groups' && parts[1]) await showGroup(parts[1]);
    else if (parts[0] === 'groups') await showGroups();
    else if (parts[0] === 'topics' && parts[1] && parts[2] !== undefined) await showMessages(parts[1], Number(parts[2]), params);
    else if (parts[0] === 'topics' && parts[1]) await showTopic(parts[1]);
    else await showTopics();
  } catch (e) {
    main.replaceChildren(el('p', { class: 'error', role: 'alert' }, e.message));
  }
}

async function start() {
  try {
    cluster = await api('/api/v1/cluster');
    const l = cluster.listeners.map((x) => `${x.host}:${x.port}`).join(', ');
    document.getElementById('cluster').textContent =
      `cluster ${cluster.cluster_id} · Kafka on ${l} · ${cluster.topics} topics · ` +
      (cluster.console.write_enabled ? 'writes on' : 'read-only (http.write.enabled=false)');
  } catch (e) {
    document.getElementById('cluster').textContent = e.message;
  }
  window.addEventListener('hashchange', route);
  await route();
}

start();
