// dashboard.test.mjs - muster's web dashboard in a real browser: Debian's
// headless Chromium (never a downloaded one) driven by playwright-core.
// Run by run.py, which starts muster with data and passes MUSTER_URL,
// MUSTER_VIEWER_TOKEN and MUSTER_BROWSER_ARTIFACTS. Signs in through the form,
// checks that every chart and figure shows the numbers of GET
// /api/v1/dashboard and /trend, that the page loads with no CSP violation or
// failed request, follows a violation to its image page, downloads the
// inventory and POA&M workbooks through the session, takes screenshots and
// signs out. Any failure exits non-zero.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.MUSTER_URL;
const TOKEN = process.env.MUSTER_VIEWER_TOKEN;
const OUT = process.env.MUSTER_BROWSER_ARTIFACTS;
const EXE = process.env.MUSTER_CHROMIUM || '/usr/bin/chromium';
assert.ok(BASE && TOKEN && OUT, 'MUSTER_URL, MUSTER_VIEWER_TOKEN and MUSTER_BROWSER_ARTIFACTS are required');

const api = async (path) => {
  const r = await fetch(BASE + path, { headers: { Authorization: 'Bearer ' + TOKEN } });
  assert.equal(r.status, 200, `GET ${path}: ${r.status}`);
  return r.json();
};

const step = (msg) => console.log('  ' + msg);

const profile = await mkdtemp(join(tmpdir(), 'muster-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: EXE,
  headless: true,
  acceptDownloads: true,
  viewport: { width: 1280, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const problems = [];
let failed = false;
try {
  context.setDefaultTimeout(30000);
  const page = context.pages()[0] || await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('requestfailed', (r) => {
    // a download navigation is reported as aborted; anything else is a failure
    if (!/\.xlsx/.test(r.url())) problems.push('request failed: ' + r.url() + ' ' + r.failure()?.errorText);
  });

  // 1. no session: the dashboard sends us to the sign-in form
  await page.goto(BASE + '/');
  assert.match(new URL(page.url()).pathname, /^\/login$/);
  step('redirected to /login without a session');

  // 2. a wrong token is refused on the page, the right one signs in
  await page.fill('#token', 'not-a-token');
  await Promise.all([page.waitForLoadState('load'), page.click('#sign-in')]);
  assert.match(await page.textContent('#login-error'), /not valid/);
  // that refusal is a 401 page, which Chromium logs: expected, not a problem
  assert.ok(problems.length === 1 && /401/.test(problems[0]), problems.join('; '));
  problems.length = 0;
  await page.fill('#token', TOKEN);
  await Promise.all([page.waitForURL(BASE + '/'), page.click('#sign-in')]);
  const cookies = await context.cookies(BASE);
  const session = cookies.find((c) => c.name === 'muster_session');
  assert.ok(session, 'no session cookie');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');
  assert.notEqual(session.value, TOKEN);
  assert.equal(await page.evaluate(() => document.cookie), '', 'cookies must be invisible to scripts');
  step('signed in; session cookie HttpOnly, SameSite=Strict, not the token');

  // 3. the charts and figures show the API's numbers
  const dash = await api('/api/v1/dashboard');
  const trend = await api('/api/v1/dashboard/trend?months=12');
  const bars = async (chart) => Object.fromEntries(await page.$$eval(`svg#${chart} g.bar`,
    (gs) => gs.map((g) => [g.dataset.key, Number(g.dataset.value)])));
  assert.deepEqual(await bars('chart-scan-age'), dash.scan_age);
  assert.deepEqual(await bars('chart-late'), dash.poam.late);
  assert.deepEqual(await bars('chart-violations'), dash.violations);
  const points = await page.$$eval('svg#chart-open circle.point',
    (cs) => cs.map((c) => [c.dataset.series, c.dataset.x, Number(c.dataset.value)]));
  assert.equal(points.length, 3 * trend.points.length);
  for (const p of trend.points) {
    for (const risk of ['High', 'Moderate', 'Low']) {
      assert.ok(points.some(([s, x, v]) => s === risk && x === p.month && v === p.poam.open[risk]),
        `open ${risk} in ${p.month}: expected ${p.poam.open[risk]}`);
    }
  }
  const last = trend.points[trend.points.length - 1];
  assert.deepEqual(last.poam.open, dash.poam.open);
  const figure = async (name) => Number(await page.textContent(`[data-figure="${name}"]`));
  assert.equal(await figure('images'), dash.images);
  assert.equal(await figure('containers.production'), dash.containers.production);
  assert.equal(await figure('containers.other'), dash.containers.other);
  assert.equal(await figure('poam.open'), dash.poam.open.High + dash.poam.open.Moderate + dash.poam.open.Low);
  assert.equal(await figure('poam.late'), dash.poam.late.High + dash.poam.late.Moderate + dash.poam.late.Low);
  assert.equal(await figure('kev.open'), dash.kev.open);
  assert.equal(await figure('kev.overdue'), dash.kev.overdue);
  assert.equal(await figure('deviations.pending'), dash.deviations.pending);
  assert.equal(await figure('deviations.approved'), dash.deviations.approved);
  const esc = await page.$$eval('#escalations tr[data-escalation]', (rs) => rs.map((r) =>
    [r.dataset.escalation, r.dataset.risk, Number(r.dataset.count), r.dataset.crossed === 'true']));
  assert.deepEqual(esc, dash.escalations.map((e) => [e.name, e.risk, e.count, e.crossed]));
  // drawn, styled and laid out: the stylesheet applied and each chart has a size
  for (const id of ['chart-open', 'chart-scan-age', 'chart-late', 'chart-violations']) {
    const box = await page.locator('svg#' + id).boundingBox();
    assert.ok(box && box.width > 300 && box.height > 100, `${id} is not laid out: ${JSON.stringify(box)}`);
  }
  const fill = await page.$eval('svg#chart-scan-age rect.age-fresh', (r) => getComputedStyle(r).fill);
  assert.notEqual(fill, 'rgb(0, 0, 0)', 'the stylesheet did not colour the bars');
  assert.ok(dash.images > 0 && dash.poam.open.High + dash.poam.open.Moderate > 0, 'the data set is empty');
  step(`charts match the API: ${dash.images} images, scan age ${JSON.stringify(dash.scan_age)}, ` +
    `late ${JSON.stringify(dash.poam.late)}, ${trend.points.length} months of trend`);
  await page.screenshot({ path: join(OUT, 'dashboard.png'), fullPage: true });

  // 4. a violation links to its image's page
  const link = page.locator('#violations-table a.image-link').first();
  const href = await link.getAttribute('href');
  assert.match(href, /^\/images\/\d+$/);
  await Promise.all([page.waitForURL(BASE + href), link.click()]);
  const img = await api('/api/v1' + href);
  assert.equal(await page.textContent('#image-uai'), img.uai);
  assert.ok(await page.locator('#builds').count() === 1, 'no builds table');
  step(`followed a violation to ${href} (${img.uai})`);
  await page.screenshot({ path: join(OUT, 'image.png'), fullPage: true });
  await page.goBack();

  // 5. this month's workbooks through the session
  for (const id of ['download-inventory', 'download-poam']) {
    assert.equal(await page.locator('#' + id).count(), 1, `no ${id} button`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#' + id)]);
    const file = join(OUT, download.suggestedFilename() || id + '.xlsx');
    await download.saveAs(file);
    const bytes = await readFile(file);
    assert.equal(bytes.subarray(0, 2).toString(), 'PK', `${id}: not an xlsx (zip) file`);
    assert.ok((await stat(file)).size > 2000, `${id}: too small`);
    assert.ok(!download.url().includes(TOKEN), 'the token must never be in a URL');
    step(`downloaded ${file} (${bytes.length} bytes)`);
  }

  // 6. sign out: back to the form, and the dashboard is closed again
  await Promise.all([page.waitForURL(BASE + '/login'), page.click('#sign-out')]);
  await page.goto(BASE + '/');
  assert.match(new URL(page.url()).pathname, /^\/login$/);
  assert.ok(!(await context.cookies(BASE)).some((c) => c.name === 'muster_session'), 'cookie not cleared');
  step('signed out');

  assert.deepEqual(problems, [], 'the pages logged errors');
  step('no console error, CSP violation or failed request');
} catch (e) {
  failed = true;
  console.error('FAIL', e);
  try {
    const page = context.pages()[0];
    if (page) await page.screenshot({ path: join(OUT, 'failure.png'), fullPage: true });
  } catch { /* best effort */ }
  if (problems.length) console.error(problems.join('\n'));
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
