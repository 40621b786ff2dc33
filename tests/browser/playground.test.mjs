// The playground in a real browser (Debian's Chromium driven by playwright-core), against a
// running `mlcat serve --demo`: the GraphiQL page runs a typed query, and the lineage view draws
// the demo pipeline, shows a node's properties, says when a traversal is cut, reports errors and
// exports the graph, and shows governance (owners, tags, terms, domain, deprecation) with
// deprecated nodes marked. On every page: no failed request, no HTTP error, no uncaught exception,
// and no request to any host but mlcat's.
//
// Run it with tests/browser/run.sh, which starts the server. By hand:
//   MLCAT_URL=http://127.0.0.1:8080 SCREENSHOT_DIR=/tmp/shots node playground.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = (process.env.MLCAT_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.SCREENSHOT_DIR || mkdtempSync(join(tmpdir(), 'mlcat-shots-'));
const VIEWPORT = { width: 1400, height: 900 };
const TIMEOUT = 20_000;

const DEMO_MODEL = 'urn:li:mlModel:(urn:li:dataPlatform:snowflake,customer_segmentation_v2,PROD)';
// The demo's older model version, deprecated in favour of DEMO_MODEL.
const DEPRECATED_MODEL = 'urn:li:mlModel:(urn:li:dataPlatform:snowflake,customer_segmentation_v1,PROD)';
const FEATURE_TABLE = 'urn:li:mlFeatureTable:(urn:li:dataPlatform:snowflake,uc01_preprocess)';
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

let context;
let userDataDir;
// What went wrong on the current page; each test asserts it stays empty.
let problems = [];

function lineageUrl(urn, direction, depth) {
  const q = new URLSearchParams({ urn, direction, depth: String(depth) });
  return `${BASE}/playground/lineage?${q}`;
}

async function shot(page, name) {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path });
  console.log(`    screenshot: ${path}`);
}

function watch(page) {
  page.on('requestfailed', (r) => {
    problems.push(`request failed: ${r.method()} ${r.url()} (${r.failure()?.errorText})`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught exception: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
}

// The labels of the drawn nodes: the text lines of each node joined, without its <title>
// (the URN), so a label counts only if it is drawn.
async function nodeLabels(page) {
  return page.$$eval('#graph g.node', (nodes) =>
    nodes.map((g) => Array.from(g.querySelectorAll('text'), (t) => t.textContent).join('')),
  );
}

async function waitForGraph(page, rootName) {
  await page.waitForSelector('#graph g.node', { timeout: TIMEOUT });
  if (rootName) {
    await page.waitForFunction(
      (name) => document.querySelector('#summary strong')?.textContent === name,
      rootName,
      { timeout: TIMEOUT },
    );
  }
}

async function clickNode(page, label) {
  const index = (await nodeLabels(page)).findIndex((l) => l.startsWith(label) || l.includes(label));
  assert.notEqual(index, -1, `no node labelled ${label}`);
  await page.locator('#graph g.node').nth(index).click();
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  userDataDir = mkdtempSync(join(tmpdir(), 'mlcat-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: VIEWPORT,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  // Any request to another host is a failure, and is not let out.
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (LOCAL_HOSTS.has(url.hostname)) return route.continue();
    problems.push(`request to a non-local host: ${route.request().url()}`);
    return route.abort();
  });
  const version = context.browser()?.version() ?? '(persistent context)';
  console.log(`# Chromium ${version} at ${CHROMIUM}; mlcat at ${BASE}; screenshots in ${SHOTS}`);
});

after(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

test('GraphiQL loads with no failed request and runs a typed query', async () => {
  problems = [];
  const page = await context.newPage();
  watch(page);
  await page.goto(`${BASE}/playground`, { waitUntil: 'networkidle' });
  const editor = page.locator('.graphiql-query-editor .CodeMirror');
  await editor.waitFor({ timeout: TIMEOUT });
  // The example operations are open as tabs.
  await page.waitForFunction(() => document.querySelectorAll('.graphiql-tab').length >= 9, null, { timeout: TIMEOUT });

  const query = '{ mlModel(urn: "urn:li:mlModel:(urn:li:dataPlatform:science,scienceModel,PROD)") { name } }';
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  // One input event, as a paste: typed key by key, the editor would close brackets itself.
  await page.keyboard.insertText(query);
  const text = await page.evaluate(() => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue());
  assert.equal(text, query, 'the editor holds exactly the typed query');
  await page.keyboard.press('Control+Enter');

  const response = page.locator('.graphiql-response');
  await page.waitForFunction(
    () => /"name":\s*"scienceModel"/.test(document.querySelector('.graphiql-response')?.textContent || ''),
    null,
    { timeout: TIMEOUT },
  );
  const answer = await response.innerText();
  assert.match(answer, /"mlModel"/);
  assert.doesNotMatch(answer, /"errors"/);
  await page.waitForLoadState('networkidle');
  await shot(page, 'graphiql');
  assert.deepEqual(problems, [], 'the GraphiQL page had failed or outside requests');
  await page.close();
});

test('lineage view draws the demo pipeline, shows properties, recentres and exports', async () => {
  problems = [];
  const page = await context.newPage();
  watch(page);
  await page.goto(lineageUrl(DEMO_MODEL, 'BOTH', 10), { waitUntil: 'networkidle' });
  await waitForGraph(page, 'customer_segmentation_v2');

  const labels = await nodeLabels(page);
  for (const name of [
    'tpcxai-raw/orders.csv',
    'tpcxai_sf0001.public.orders',
    'FREQUENCY',
    'uc01_preprocess',
    'uc01_training_data',
    'customer_segmentation_v2',
    'customer_segmentation_service',
  ]) {
    assert.ok(labels.some((l) => l.includes(name)), `node ${name} is drawn; labels: ${labels.join(' | ')}`);
  }
  assert.ok(await page.locator('#graph').isVisible());
  assert.ok(await page.locator('#legend').isVisible(), 'the legend is shown');
  const legend = await page.locator('#legend').innerText();
  for (const type of ['Dataset', 'Feature', 'Feature table', 'Model', 'Model group', 'Deployment']) {
    assert.ok(legend.includes(type), `legend names ${type}: ${legend}`);
  }
  const edgeLabels = await page.$$eval('#graph g.edge text', (ts) => ts.map((t) => t.textContent.trim()));
  for (const relation of ['DownstreamOf', 'DerivedFrom', 'Contains', 'TrainedOn', 'Consumes', 'DeployedTo']) {
    assert.ok(edgeLabels.includes(relation), `an edge is labelled ${relation}`);
  }
  assert.ok(await page.locator('#truncated-banner').isHidden(), 'a whole traversal is not marked truncated');
  // Left to right: the raw file is left of the model, the model left of its deployment.
  const x = async (name) => {
    const i = (await nodeLabels(page)).findIndex((l) => l.includes(name));
    return (await page.locator('#graph g.node').nth(i).boundingBox()).x;
  };
  assert.ok((await x('tpcxai-raw/orders.csv')) < (await x('customer_segmentation_v2')));
  assert.ok((await x('customer_segmentation_v2')) < (await x('customer_segmentation_service')));
  await shot(page, 'lineage');

  // A click shows the node's properties, fetched with entity(urn).
  await clickNode(page, 'uc01_preprocess');
  await page.waitForSelector('#details-properties', { timeout: TIMEOUT });
  assert.equal(await page.locator('#details-name').innerText(), 'uc01_preprocess');
  const details = await page.locator('#panel').innerText();
  for (const text of ['Feature table', FEATURE_TABLE, 'Features', 'FREQUENCY', 'RETURN_RATIO', 'Primary keys', 'O_CUSTOMER_SK']) {
    assert.ok(details.includes(text), `details show ${text}: ${details}`);
  }
  assert.equal(await page.locator('#graph g.node.selected').count(), 1, 'the clicked node is marked');
  await page.mouse.move(5, VIEWPORT.height - 5); // no hover effect in the picture
  await shot(page, 'lineage-details');

  // Copy as Mermaid and DOT, download as SVG.
  await page.click('#copy-mermaid');
  await page.locator('#toast').waitFor({ state: 'visible' });
  assert.match(await page.evaluate(() => navigator.clipboard.readText()), /^flowchart LR\n/);
  await page.click('#copy-dot');
  await page.waitForFunction(async () => (await navigator.clipboard.readText()).startsWith('digraph'), null, { timeout: TIMEOUT });
  const dot = await page.evaluate(() => navigator.clipboard.readText());
  assert.ok(dot.includes(`"${DEMO_MODEL}"`), 'the DOT names the nodes by URN');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-svg')]);
  const svgPath = join(SHOTS, download.suggestedFilename());
  await download.saveAs(svgPath);
  const svg = readFileSync(svgPath, 'utf8');
  assert.match(download.suggestedFilename(), /^lineage-customer_segmentation_v2-both-10\.svg$/);
  assert.match(svg, /^<\?xml[^>]*>\s*<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok(svg.includes('customer_segmentation_service') && !svg.includes('tabindex'), 'the SVG is the clean drawing');

  // Recentre on the feature table: the URL names the new graph.
  await page.click('#recentre');
  await waitForGraph(page, 'uc01_preprocess');
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('urn'), FEATURE_TABLE);
  assert.equal(url.searchParams.get('direction'), 'BOTH');
  assert.equal(url.searchParams.get('depth'), '10');
  // Back goes back to the model's graph.
  await page.goBack();
  await waitForGraph(page, 'customer_segmentation_v2');
  await page.waitForLoadState('networkidle');
  assert.deepEqual(problems, [], 'the lineage page had failed or outside requests');
  await page.close();
});

test('lineage view says when a traversal is truncated, and explains errors', async () => {
  problems = [];
  const page = await context.newPage();
  watch(page);
  await page.goto(lineageUrl(DEMO_MODEL, 'BOTH', 1), { waitUntil: 'networkidle' });
  await waitForGraph(page, 'customer_segmentation_v2');
  const banner = page.locator('#truncated-banner');
  await banner.waitFor({ state: 'visible', timeout: TIMEOUT });
  assert.match(await banner.innerText(), /truncated/i);
  assert.ok(!(await nodeLabels(page)).some((l) => l.includes('tpcxai_sf0001.public.orders')), 'depth 1 does not reach the tables');
  await shot(page, 'lineage-truncated');
  // One more hop, from the banner.
  await page.click('#deeper');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('depth') === '2', null, { timeout: TIMEOUT });
  await waitForGraph(page, 'customer_segmentation_v2');

  // An unknown URN and a bad depth: readable messages, no graph.
  await page.goto(lineageUrl('urn:li:mlModel:(urn:li:dataPlatform:snowflake,no_such_model,PROD)', 'BOTH', 3), { waitUntil: 'networkidle' });
  const error = page.locator('#error');
  await error.waitFor({ state: 'visible', timeout: TIMEOUT });
  assert.match(await error.innerText(), /no entity with URN/i);
  assert.match(await error.innerText(), /NOT_FOUND/);
  await shot(page, 'lineage-error');
  await page.goto(lineageUrl(DEMO_MODEL, 'UPSTREAM', 0), { waitUntil: 'networkidle' });
  await error.waitFor({ state: 'visible', timeout: TIMEOUT });
  assert.match(await error.innerText(), /depth must be between 1 and/i);
  assert.match(await error.innerText(), /BAD_USER_INPUT/);
  assert.equal(await page.locator('#graph').count(), 0);
  assert.deepEqual(problems, [], 'the lineage page had failed or outside requests');
  await page.close();
});

test('lineage view starts on the demo model and has a picker', async () => {
  problems = [];
  const page = await context.newPage();
  watch(page);
  await page.goto(`${BASE}/playground`, { waitUntil: 'networkidle' });
  await page.click('a[href="/playground/lineage"]');
  await waitForGraph(page, 'customer_segmentation_v2');
  assert.equal(new URL(page.url()).searchParams.get('urn'), DEMO_MODEL, 'the start is in the URL');
  // Pick another entity: the tutorial's model.
  await page.selectOption('#picker', { label: 'scienceModel' });
  await waitForGraph(page, 'scienceModel');
  // A name typed instead of a URN is found.
  await page.fill('#urn', 'customer_segmentation_service');
  await page.click('#show');
  await waitForGraph(page, 'customer_segmentation_service');
  assert.match(page.url(), /mlModelDeployment/);
  await page.waitForLoadState('networkidle');
  assert.deepEqual(problems, [], 'the lineage page had failed or outside requests');
  await page.close();
});

test('lineage view shows a non-http(s) external URL as text, never as a link', async () => {
  problems = [];
  const upsert = async (name, externalUrl) => {
    const query = `mutation($input: UpsertMLModelInput!) { upsertMLModel(input: $input) { urn } }`;
    const input = { platform: 'mlflow', name, externalUrl };
    const response = await fetch(`${BASE}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables: { input } }),
    });
    const answer = await response.json();
    assert.equal(answer.errors, undefined, JSON.stringify(answer));
    return answer.data.upsertMLModel.urn;
  };
  const cases = [
    { name: 'scripted_link', url: 'javascript:alert(document.domain)', link: false },
    { name: 'data_link', url: 'data:text/html,<script>alert(1)</script>', link: false },
    { name: 'web_link', url: 'https://example.com/models/web_link', link: true },
  ];
  const page = await context.newPage();
  watch(page);
  for (const { name, url, link } of cases) {
    const urn = await upsert(name, url);
    await page.goto(lineageUrl(urn, 'BOTH', 1), { waitUntil: 'networkidle' });
    await waitForGraph(page, name);
    await clickNode(page, name);
    await page.waitForSelector('#details-properties', { timeout: TIMEOUT });
    const panel = await page.locator('#panel').innerText();
    assert.ok(panel.includes(url), `the details show ${url}: ${panel}`);
    const links = await page.$$eval('#panel a[href]', (as) => as.map((a) => a.getAttribute('href')));
    assert.equal(links.includes(url), link, `${url} is ${link ? '' : 'not '}a link: ${links.join(' | ')}`);
    assert.ok(!links.some((h) => /^\s*(javascript|data|vbscript):/i.test(h)), `no script link: ${links.join(' | ')}`);
  }
  assert.deepEqual(problems, [], 'the lineage page had failed or outside requests');
  await page.close();
});

test('lineage view marks the deprecated model and shows its governance in the details', async () => {
  problems = [];
  const page = await context.newPage();
  watch(page);
  await page.goto(lineageUrl(DEPRECATED_MODEL, 'BOTH', 10), { waitUntil: 'networkidle' });
  await waitForGraph(page, 'customer_segmentation_v1');

  // The deprecated node is marked in the graph: a class, a visible badge and an accessible label;
  // the current version is not.
  const marked = page.locator('#graph g.node.deprecated');
  assert.equal(await marked.count(), 1, 'one deprecated node in this graph');
  assert.equal(await marked.getAttribute('data-urn'), DEPRECATED_MODEL);
  assert.match(await marked.getAttribute('aria-label'), /customer_segmentation_v1, Model, deprecated/);
  assert.match(await marked.locator('text').allTextContents().then((t) => t.join(' ')), /DEPRECATED/);
  assert.ok(await marked.locator('text[text-decoration="line-through"]').count() >= 1, 'its name is struck through');
  assert.match(await page.locator('#legend').innerText(), /Deprecated/);
  await page.goto(lineageUrl(DEMO_MODEL, 'BOTH', 10), { waitUntil: 'networkidle' });
  await waitForGraph(page, 'customer_segmentation_v2');
  assert.equal(await page.locator('#graph g.node.deprecated').count(), 0, 'v2 and its lineage are not deprecated');
  await page.goBack();
  await waitForGraph(page, 'customer_segmentation_v1');

  // The details of the deprecated model: the deprecation first, then its owners and the rest.
  await clickNode(page, 'customer_segmentation_v1');
  await page.waitForSelector('#details-governance', { timeout: TIMEOUT });
  assert.ok(await page.locator('#panel .badge-deprecated').isVisible(), 'the header says Deprecated');
  const deprecation = await page.locator('#details-deprecation').innerText();
  assert.match(deprecation, /^Deprecated/);
  assert.match(deprecation, /Replaced by Customer segmentation v2/);
  assert.match(deprecation, /To be decommissioned: 2027-03-31 00:00 UTC/);
  const owners = await page.locator('#details-owners li').allInnerTexts();
  // The ownership type's own name when the catalog has one ("Technical Owner"), else from its URN.
  assert.equal(owners.length, 2, owners.join(' | '));
  assert.match(owners[0], /^Maria Lopez · Technical owner$/i);
  assert.match(owners[1], /^Customer Analytics · Business owner$/i);
  const governance = await page.locator('#details-governance').innerText();
  for (const text of ['Owners', 'Tags', 'Legacy', 'Glossary terms', 'Customer segment', 'Domain', 'Marketing', 'Links', 'Model card of customer segmentation v1']) {
    assert.ok(governance.includes(text), `governance shows ${text}: ${governance}`);
  }
  const swatch = await page.locator('#details-tags .swatch').evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(swatch, 'rgb(100, 116, 139)', 'the tag shows in its colour (#64748b)');
  await page.mouse.move(5, VIEWPORT.height - 5);
  await shot(page, 'lineage-deprecated-details');

  // Its model group: owned too, not deprecated.
  await page.locator('#graph g.node[data-urn="urn:li:mlModelGroup:(urn:li:dataPlatform:snowflake,customer_segmentation,PROD)"]').click();
  await page.waitForFunction(() => document.querySelector('#details-name')?.textContent === 'customer_segmentation', null, { timeout: TIMEOUT });
  await page.waitForSelector('#details-governance', { timeout: TIMEOUT });
  assert.equal(await page.locator('#details-deprecation').count(), 0, 'the group is not deprecated');
  assert.equal(await page.locator('#panel .badge-deprecated').count(), 0);
  assert.match(await page.locator('#details-owners').innerText(), /Maria Lopez/);
  await page.waitForLoadState('networkidle');
  assert.deepEqual(problems, [], 'the lineage page had failed or outside requests');
  await page.close();
});

// ---------------------------------------------------------------- search

// The names of the results shown, in order.
async function resultNames(page) {
  return page.$$eval('#search-results .result .result-name', (as) => as.map((a) => a.textContent));
}

// The facet value button of `field` labelled `label`.
function facetValue(page, field, label) {
  return page.locator(`#search-facets .facet[data-field="${field}"] .facet-value`).filter({
    has: page.locator('.facet-label', { hasText: new RegExp(`^${label}$`) }),
  });
}

// Waits for the results of a search to be drawn, and answers the total the page shows.
async function waitForResults(page) {
  await page.waitForFunction(() => {
    const area = document.querySelector('#search-area');
    return area && !area.hidden && !area.hasAttribute('aria-busy') && document.querySelector('#search-total, #search-error');
  }, null, { timeout: TIMEOUT });
  const total = await page.locator('#search-total').innerText();
  return Number(total.replace(/\D/g, ''));
}

// Waits until the results show exactly `names` (in any order), and answers the total shown.
async function expectResults(page, names) {
  await page.waitForFunction(
    (expected) => {
      if (document.querySelector('#search-area[aria-busy]')) return false;
      const shown = Array.from(document.querySelectorAll('#search-results .result .result-name'), (a) => a.textContent).sort();
      return JSON.stringify(shown) === JSON.stringify([...expected].sort());
    },
    names,
    { timeout: TIMEOUT },
  ).catch(async () => {
    assert.fail(`results should be ${names.join(', ')}; shown: ${(await resultNames(page)).join(', ')}`);
  });
  return waitForResults(page);
}

test('search box: type-ahead and keyboard, results with facets that filter and combine, paging, a result opens its lineage', async () => {
  problems = [];
  const page = await context.newPage();
  watch(page);
  await page.goto(`${BASE}/playground/lineage`, { waitUntil: 'networkidle' });
  await waitForGraph(page, 'customer_segmentation_v2');

  // Type-ahead: suggestions grouped by type, the typed word marked.
  const box = page.locator('#search');
  const list = page.locator('.mlcat-suggestions');
  await box.click();
  await box.pressSequentially('segm', { delay: 30 });
  await list.waitFor({ state: 'visible', timeout: TIMEOUT });
  const option = list.locator('[role="option"]', { hasText: 'customer_segmentation_v2' });
  await option.waitFor({ timeout: TIMEOUT });
  assert.match(await option.innerText(), /customer_segmentation_v2\s*Model · Snowflake/);
  assert.equal(await option.locator('mark').innerText(), 'segm', 'the typed word is marked');
  assert.ok((await list.locator('.mlcat-suggestion-group').allInnerTexts()).some((g) => /models/i.test(g)), 'grouped by type');
  assert.equal(await box.getAttribute('aria-expanded'), 'true');
  await shot(page, 'search-suggestions');

  // Arrows move through the suggestions, Escape closes them.
  const options = list.locator('[role="option"]');
  await page.keyboard.press('ArrowDown');
  assert.equal(await options.nth(0).getAttribute('aria-selected'), 'true');
  await page.keyboard.press('ArrowDown');
  assert.equal(await options.nth(1).getAttribute('aria-selected'), 'true');
  assert.equal(await options.nth(0).getAttribute('aria-selected'), 'false');
  assert.equal(await box.getAttribute('aria-activedescendant'), await options.nth(1).getAttribute('id'));
  await page.keyboard.press('ArrowUp');
  assert.equal(await options.nth(0).getAttribute('aria-selected'), 'true');
  await page.keyboard.press('Escape');
  assert.ok(await list.isHidden(), 'Escape closes the suggestions');
  assert.equal(await box.getAttribute('aria-expanded'), 'false');

  // Enter with no suggestion chosen runs the search: the demo has 12 entities with lineage
  // that mention "customer", 10 to a page.
  await box.fill('customer');
  await page.keyboard.press('Enter');
  assert.equal(await waitForResults(page), 12);
  assert.equal(new URL(page.url()).searchParams.get('q'), 'customer');
  assert.equal(await page.locator('#search-results .result').count(), 10);
  assert.ok(await page.locator('#controls').isHidden(), 'the results take the place of the graph');
  const first = page.locator('#search-results .result').first();
  assert.equal(await first.locator('.result-name').innerText(), 'customer_segmentation', 'the best match first');
  const headings = await page.locator('#search-facets .facet h3').allInnerTexts();
  assert.deepEqual(headings.map((t) => t.toLowerCase()), ['type', 'platform', 'environment', 'tags', 'glossary terms', 'owners', 'domain']);
  assert.match(await facetValue(page, '_entityType', 'Model').innerText(), /Model\s*2/);
  assert.match(await facetValue(page, '_entityType', 'Dataset').innerText(), /Dataset\s*4/);
  assert.match(await facetValue(page, 'platform', 'Snowflake').innerText(), /Snowflake\s*8/);
  assert.match(await facetValue(page, 'owners', 'Maria Lopez').innerText(), /Maria Lopez\s*3/);
  // A result shows its type, platform, description and governance.
  const v1 = page.locator('#search-results .result[data-urn="' + DEPRECATED_MODEL + '"]');
  const v1Text = await v1.innerText();
  for (const text of ['customer_segmentation_v1', 'Model', 'Snowflake', 'PROD', 'Deprecated', 'First segmentation model', 'Legacy', 'Owners: Maria Lopez, Customer Analytics']) {
    assert.ok(v1Text.includes(text), `the result shows ${text}: ${v1Text}`);
  }
  await shot(page, 'search-results');

  // Paging.
  await page.click('#search-next');
  assert.equal(await waitForResults(page), 12);
  await page.waitForFunction(() => document.querySelectorAll('#search-results .result').length === 2, null, { timeout: TIMEOUT });
  assert.equal(await page.locator('#search-page').innerText(), 'Page 2 of 2');
  assert.equal(new URL(page.url()).searchParams.get('start'), '10');
  assert.ok(await page.locator('#search-next').isDisabled());
  await page.click('#search-prev');
  await page.waitForFunction(() => document.querySelectorAll('#search-results .result').length === 10, null, { timeout: TIMEOUT });

  // A facet value filters; a second value of the same facet widens; another facet narrows.
  await facetValue(page, '_entityType', 'Model').click();
  assert.equal(await expectResults(page, ['customer_segmentation_v1', 'customer_segmentation_v2']), 2);
  assert.equal(await facetValue(page, '_entityType', 'Model').getAttribute('aria-pressed'), 'true');
  assert.deepEqual(new URL(page.url()).searchParams.getAll('filter'), ['_entityType:MLMODEL']);
  // The other types still show what choosing them would add.
  assert.match(await facetValue(page, '_entityType', 'Dataset').innerText(), /Dataset\s*4/);
  await facetValue(page, '_entityType', 'Dataset').click();
  assert.equal(await expectResults(page, [
    'customer_segmentation_v1',
    'customer_segmentation_v2',
    'tpcxai_sf0001.public.customer_segments',
    'tpcxai-raw/customer.csv',
    'tpcxai_sf0001.public.customer',
    'tpcxai_sf0001.public.orders',
  ]), 6);
  await facetValue(page, 'tags', 'Legacy').click();
  assert.equal(await expectResults(page, ['customer_segmentation_v1']), 1);
  assert.match(await page.locator('#search-active').innerText(), /Tags: Legacy/);
  await shot(page, 'search-filtered');
  // Clicking a chosen value again removes it.
  await facetValue(page, 'tags', 'Legacy').click();
  assert.equal(await waitForResults(page), 6);
  await facetValue(page, '_entityType', 'Dataset').click();
  assert.equal(await expectResults(page, ['customer_segmentation_v1', 'customer_segmentation_v2']), 2);

  // A result opens its lineage, with the result at its start.
  await page.locator('#search-results .result-name', { hasText: /^customer_segmentation_v2$/ }).click();
  await waitForGraph(page, 'customer_segmentation_v2');
  assert.equal(new URL(page.url()).searchParams.get('urn'), DEMO_MODEL);
  assert.equal(await page.locator(`#graph g.node[data-urn="${DEMO_MODEL}"]`).count(), 1);
  assert.ok(await page.locator('#search-area').isHidden());
  // Back returns to the filtered results.
  await page.goBack();
  assert.equal(await expectResults(page, ['customer_segmentation_v1', 'customer_segmentation_v2']), 2);
  await page.waitForLoadState('networkidle');
  assert.deepEqual(problems, [], 'the search had failed or outside requests');
  await page.close();
});

test('search from the GraphiQL page: a suggestion chosen with the keyboard opens its lineage, Enter the results', async () => {
  problems = [];
  const page = await context.newPage();
  watch(page);
  await page.goto(`${BASE}/playground`, { waitUntil: 'networkidle' });
  const box = page.locator('#search');
  await box.click();
  await box.pressSequentially('uc01_pre', { delay: 30 });
  const list = page.locator('.mlcat-suggestions');
  // (The features of the table are suggested too, with the table's name as their namespace.)
  const table = list.locator('[role="option"]').filter({ has: page.locator('.mlcat-suggestion-name', { hasText: /^uc01_preprocess$/ }) });
  await table.waitFor({ timeout: TIMEOUT });
  const options = await list.locator('[role="option"]').allInnerTexts();
  const index = options.findIndex((o) => o.startsWith('uc01_preprocess'));
  assert.notEqual(index, -1, options.join(' | '));
  await shot(page, 'graphiql-search');
  for (let i = 0; i <= index; i++) await page.keyboard.press('ArrowDown');
  assert.equal(await table.getAttribute('aria-selected'), 'true');
  await page.keyboard.press('Enter');
  await waitForGraph(page, 'uc01_preprocess');
  assert.equal(new URL(page.url()).searchParams.get('urn'), FEATURE_TABLE);

  await page.goto(`${BASE}/playground`, { waitUntil: 'networkidle' });
  await page.locator('#search').fill('frequency');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/playground\/lineage\?q=frequency/, { timeout: TIMEOUT });
  assert.ok((await waitForResults(page)) >= 1);
  assert.equal((await resultNames(page))[0], 'FREQUENCY', 'the exact name first');
  assert.equal(await page.locator('#search').inputValue(), 'frequency');
  await page.waitForLoadState('networkidle');
  assert.deepEqual(problems, [], 'the search had failed or outside requests');
  await page.close();
});

test('search shows the server\'s errors as text', async () => {
  problems = [];
  const page = await context.newPage();
  watch(page);
  // A filter on a field the server does not know, from a hand-made address.
  await page.goto(`${BASE}/playground/lineage?q=customer&filter=colour:blue`, { waitUntil: 'networkidle' });
  const error = page.locator('#search-error');
  await error.waitFor({ state: 'visible', timeout: TIMEOUT });
  assert.match(await error.innerText(), /cannot filter on "colour"/);
  assert.match(await error.innerText(), /BAD_USER_INPUT/);
  // The refused filter can be removed from there.
  await page.locator('#search-active .chip-remove', { hasText: 'colour: blue' }).click();
  assert.equal(await waitForResults(page), 12);
  assert.deepEqual(new URL(page.url()).searchParams.getAll('filter'), []);
  // A query longer than the server takes: the suggestions and the search both say why.
  const box = page.locator('#search');
  await box.fill('x'.repeat(1001));
  const failed = page.locator('.mlcat-suggestion-error');
  await failed.waitFor({ timeout: TIMEOUT });
  assert.match(await failed.innerText(), /longer than 1000 characters.*BAD_USER_INPUT/);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /longer than 1000/.test(document.querySelector('#search-error')?.textContent || ''), null, { timeout: TIMEOUT });
  await shot(page, 'search-error');
  await page.waitForLoadState('networkidle');
  assert.deepEqual(problems, [], 'the search had failed or outside requests');
  await page.close();
});

test('lineage view shows a training run with its status and the model version it trained', async () => {
  problems = [];
  const call = async (query, variables) => {
    const response = await fetch(`${BASE}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const answer = await response.json();
    assert.equal(answer.errors, undefined, JSON.stringify(answer));
    return answer.data;
  };
  const data = 'urn:li:dataset:(urn:li:dataPlatform:s3,browser/churn_train.parquet,PROD)';
  const model = (await call(
    'mutation($input: UpsertMLModelInput!) { upsertMLModel(input: $input) { urn } }',
    { input: { platform: 'mlflow', name: 'browser_churn' } },
  )).upsertMLModel.urn;
  await call(
    'mutation($input: ReplaceAspectInput!) { replaceAspect(input: $input) { changed } }',
    { input: { urn: model, aspectName: 'versionProperties', value: {
      versionSet: 'urn:li:versionSet:(browser_churn,mlModel)', version: { versionTag: '2' }, sortId: '2' } } },
  );
  await call(
    'mutation($input: UpsertDataProcessInstanceInput!) { upsertDataProcessInstance(input: $input) { urn } }',
    { input: { id: 'browser-churn-run', name: 'churn training run', inputs: [data], outputs: [model] } },
  );
  await call(
    'mutation($input: DataProcessRunEventInput!) { reportDataProcessRunEvent(input: $input) { urn } }',
    { input: { urn: 'urn:li:dataProcessInstance:browser-churn-run', status: 'COMPLETE', result: 'SUCCESS', durationMillis: 4000 } },
  );
  const page = await context.newPage();
  watch(page);
  await page.goto(lineageUrl(model, 'UPSTREAM', 3), { waitUntil: 'networkidle' });
  await waitForGraph(page, 'browser_churn');
  const labels = await nodeLabels(page);
  const run = labels.find((l) => l.includes('browser-churn-run'));
  assert.ok(run && run.includes('SUCCESS'), `the run is drawn with its status: ${labels.join(' | ')}`);
  const drawn = labels.find((l) => l.includes('browser_churn'));
  assert.ok(drawn.includes('v2'), `the model shows its version label: ${drawn}`);
  const legend = await page.locator('#legend').innerText();
  assert.ok(legend.includes('Run'), `the legend names runs: ${legend}`);
  const edgeLabels = await page.$$eval('#graph g.edge text', (ts) => ts.map((t) => t.textContent.trim()));
  for (const relation of ['Consumes', 'TrainedBy']) {
    assert.ok(edgeLabels.includes(relation), `an edge is labelled ${relation}: ${edgeLabels.join(' | ')}`);
  }
  await clickNode(page, 'browser-churn-run');
  await page.waitForSelector('#details-properties', { timeout: TIMEOUT });
  const details = await page.locator('#panel').innerText();
  assert.ok(details.includes('COMPLETE (SUCCESS)'), `the details show the run's state: ${details}`);
  await shot(page, 'lineage-training-run');
  assert.deepEqual(problems, [], 'the lineage page had failed or outside requests');
  await page.close();
});

test('lineage view expands the datasets into their columns and draws the column lineage', async () => {
  problems = [];
  const page = await context.newPage();
  watch(page);
  await page.goto(lineageUrl(DEMO_MODEL, 'UPSTREAM', 3), { waitUntil: 'networkidle' });
  await waitForGraph(page, 'customer_segmentation_v2');
  // Without columns, the datasets stand for them, and the summary says how many are hidden.
  assert.equal(await page.locator('#graph g.cluster').count(), 0);
  assert.ok(!(await nodeLabels(page)).some((l) => l.startsWith('O_ORDER_ID')), 'no column drawn');
  assert.match(await page.locator('#summary').innerText(), /columns? hidden/);
  // The toggle expands them: each dataset in a box with its columns, and the column edges.
  await page.check('#columns');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('columns') === '1', null, { timeout: TIMEOUT });
  await page.waitForSelector('#graph g.cluster', { timeout: TIMEOUT });
  await waitForGraph(page, 'customer_segmentation_v2');
  const labels = await nodeLabels(page);
  for (const column of ['O_ORDER_ID', 'DATE', 'QUANTITY', 'OR_RETURN_QUANTITY', 'WEEKDAY']) {
    assert.ok(labels.some((l) => l.startsWith(column)), `column ${column} drawn: ${labels.join(' | ')}`);
  }
  assert.ok((await page.locator('#graph g.cluster').count()) >= 3, 'a box per dataset');
  const edges = await page.$$eval('#graph g.edge title', (ts) => ts.map((t) => t.textContent));
  const orders = 'urn:li:dataset:(urn:li:dataPlatform:snowflake,tpcxai_sf0001.public.orders,PROD)';
  const column = `urn:li:schemaField:(${orders},DATE)`;
  assert.ok(
    edges.some((e) => e.includes(column) && e.includes('mlFeature:(uc01_preprocess,FREQUENCY)')),
    `the column → feature edge is drawn: ${edges.join('\n')}`,
  );
  await shot(page, 'lineage-columns');
  // A column's node opens its details like any other.
  await clickNode(page, 'DATE');
  await page.waitForSelector('#panel:not([hidden])', { timeout: TIMEOUT });
  // Unticking goes back to the datasets alone.
  await page.uncheck('#columns');
  await page.waitForFunction(() => !document.querySelector('#graph g.cluster'), null, { timeout: TIMEOUT });
  await page.waitForLoadState('networkidle');
  assert.deepEqual(problems, [], 'the lineage page had failed or outside requests');
  await page.close();
});

// A write through GraphQL, as any client sends it; the version written.
async function replaceAspect(urn, aspectName, value) {
  const response = await fetch(`${BASE}/api/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation($input: ReplaceAspectInput!) { replaceAspect(input: $input) { version } }',
      variables: { input: { urn, aspectName, value } },
    }),
  });
  const answer = await response.json();
  assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
  return answer.data.replaceAspect.version;
}

// Writes until a row for `urn` is listed (a subscription starts at the feed's head when the
// server runs it, a moment after the page sent it); the row.
async function writeUntilListed(page, urn, aspectName, value) {
  const row = page.locator(`#changes tr[data-urn="${urn}"]`).first();
  for (let i = 0; i < 20; i++) {
    await replaceAspect(urn, aspectName, value);
    try {
      await row.waitFor({ timeout: 1000 });
      return row;
    } catch {
      // not yet live: write again
    }
  }
  assert.fail(`no row for ${urn} appeared`);
}

test('live changes: a write through GraphQL appears as it is committed, filtered by entity type', async () => {
  problems = [];
  const page = await context.newPage();
  watch(page);
  await page.goto(`${BASE}/playground/changes`, { waitUntil: 'networkidle' });
  await page.waitForFunction(() => document.getElementById('status').dataset.state === 'live', null, { timeout: TIMEOUT });
  assert.match(await page.locator('#status').innerText(), /every entity type/);
  // The filter offers the schema's entity types.
  assert.ok(await page.locator('#type option[value="MLMODEL"]').count() === 1);

  const row = await writeUntilListed(page, DEMO_MODEL, 'globalTags', { tags: [{ tag: 'urn:li:tag:live' }] });
  const cells = await row.locator('td').allInnerTexts();
  assert.match(cells[0], /^\d\d:\d\d:\d\d\.\d{3}$/, 'the time of the commit');
  assert.equal(cells[1].toLowerCase(), 'upsert');
  assert.equal(cells[2], 'mlModel');
  assert.equal(cells[3], DEMO_MODEL);
  assert.equal(cells[4], 'globalTags');
  assert.match(cells[5], /^\d+$/);
  await shot(page, 'live-changes');

  // Only feature tables now: a model's change is left out, the table's is listed.
  await page.selectOption('#type', 'MLFEATURE_TABLE');
  await page.waitForFunction(() => /MLFEATURE_TABLE/.test(document.getElementById('status').textContent), null, { timeout: TIMEOUT });
  await page.click('#clear');
  await writeUntilListed(page, FEATURE_TABLE, 'globalTags', { tags: [{ tag: 'urn:li:tag:live' }] });
  await replaceAspect(DEMO_MODEL, 'globalTags', { tags: [] });
  await replaceAspect(FEATURE_TABLE, 'globalTags', { tags: [] });
  await page.waitForFunction(
    (urn) => document.querySelectorAll(`#changes tr[data-urn="${urn}"]`).length >= 2,
    FEATURE_TABLE,
    { timeout: TIMEOUT },
  );
  assert.equal(await page.locator(`#changes tr[data-urn="${DEMO_MODEL}"]`).count(), 0, 'the model is filtered out');
  assert.deepEqual(problems, [], 'the live page had failed or outside requests');
  await page.close();
});
