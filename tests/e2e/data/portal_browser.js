// A candidate's journey through ecert-portald in Debian's Chromium, driven by puppeteer-core:
//   node portal_browser.js URL MAILDIR ARTIFACTS EMAIL EMAIL2 NUMBER NUMBER2 PDF-OUT
// Signs in with the link read from the SMTP server's Maildir, checks My Certificates, downloads the
// PDF of NUMBER (written to PDF-OUT), associates EMAIL2 by its activation link (NUMBER2 then shows),
// disassociates it again, and takes screenshots of every page on a phone and a desktop, in English
// and Chinese. Any Content-Security-Policy violation or page error fails the run.
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');
const puppeteer = require('puppeteer-core');

const [url, maildir, art, email, email2, number, number2, pdfOut] = process.argv.slice(2);
// no isMobile: changing it reloads the page, which would send a form again
const sizes = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 860 } };
const problems = [];

function fail(msg) {
	console.error('FAIL: ' + msg);
	process.exit(1);
}

// The link in the newest message to addr that arrived after `seen` messages to it.
async function mailLink(addr, seen) {
	for (let i = 0; i < 100; i++) {
		const found = [];
		for (const f of fs.readdirSync(path.join(maildir, 'new'))) {
			const text = fs.readFileSync(path.join(maildir, 'new', f), 'latin1');
			if (new RegExp('^To: ' + addr.replace(/[.]/g, '\\.') + '\\r?$', 'mi').test(text))
				found.push({ f, text });
		}
		if (found.length > seen) {
			found.sort((a, b) => a.f.localeCompare(b.f, 'en', { numeric: true }));
			const raw = found[found.length - 1].text;
			// the text part is base64 UTF-8: decode every base64 block and look for the link
			const blocks = raw.split(/\r?\n\r?\n/).map((b) => {
				try { return Buffer.from(b.replace(/\s+/g, ''), 'base64').toString('utf8'); } catch (e) { return ''; }
			});
			for (const b of blocks) {
				const m = b.match(/https?:\/\/[^\s<"]+\?t=[A-Za-z0-9_-]+/);
				if (m) return { link: m[0], count: found.length };
			}
			fail('no link in the mail to ' + addr);
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	fail('no mail to ' + addr);
}

function countMail(addr) {
	let n = 0;
	for (const f of fs.readdirSync(path.join(maildir, 'new'))) {
		const text = fs.readFileSync(path.join(maildir, 'new', f), 'latin1');
		if (new RegExp('^To: ' + addr.replace(/[.]/g, '\\.') + '\\r?$', 'mi').test(text)) n++;
	}
	return n;
}

// A page reached by a form (POST): photographed as it is, in its language, at both sizes.
async function shootPosted(page, name) {
	for (const [dev, vp] of Object.entries(sizes)) {
		await page.setViewport(vp);
		await page.screenshot({ path: path.join(art, `portal-${name}-en-${dev}.png`), fullPage: true });
	}
	await page.setViewport(sizes.desktop);
}

// A page reached by a link (GET): loaded again in each language at both sizes.
async function shoot(page, name) {
	for (const [dev, vp] of Object.entries(sizes)) {
		for (const lang of ['en', 'zh']) {
			await page.setViewport(vp);
			const u = new URL(page.url());
			u.searchParams.set('lang', lang);
			await page.goto(u.toString(), { waitUntil: 'load' });
			await page.screenshot({ path: path.join(art, `portal-${name}-${lang}-${dev}.png`), fullPage: true });
		}
	}
	// back to English on a desktop for the rest of the journey
	await page.setViewport(sizes.desktop);
	const u = new URL(page.url());
	u.searchParams.set('lang', 'en');
	await page.goto(u.toString(), { waitUntil: 'load' });
}

// GET u with the page's own cookies (the pages' policy lets no script fetch anything)
async function fetchWithCookies(page, u) {
	const cookie = (await page.cookies()).map((c) => c.name + '=' + c.value).join('; ');
	return new Promise((resolve, reject) => {
		http.get(u, { headers: { Cookie: cookie } }, (res) => {
			const parts = [];
			res.on('data', (d) => parts.push(d));
			res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'],
				bytes: Buffer.concat(parts) }));
		}).on('error', reject);
	});
}

async function submit(page, selector) {
	await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

(async () => {
	const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
	const page = await browser.newPage();
	page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text()); });
	page.on('pageerror', (e) => problems.push('page error: ' + e.message));
	await page.setViewport(sizes.desktop);

	// sign in with the mailed link
	await page.goto(url + '/login', { waitUntil: 'load' });
	await shoot(page, 'login');
	const before = countMail(email);
	await page.type('#email', email);
	await submit(page, 'form[action="/login"] button');
	if (!(await page.content()).includes('Check your email')) fail('no "Check your email" page');
	await shootPosted(page, 'check-email');
	const { link } = await mailLink(email, before);
	await page.goto(link, { waitUntil: 'load' });
	await shoot(page, 'continue');
	await submit(page, 'main form button');
	if (!page.url().endsWith('/me')) fail('sign-in did not lead to /me but to ' + page.url());

	// My Certificates
	let body = await page.$eval('main', (m) => m.innerText);
	if (!body.includes('My Certificates') || !body.replace(/ /g, '').includes(number)) fail('My Certificates lacks ' + number);
	if (body.replace(/ /g, '').includes(number2)) fail('My Certificates shows ' + number2 + ' before association');
	await shoot(page, 'my-certificates');

	// the download link is on the page; the pages' policy allows no script to fetch it, so the
	// browser's own cookies fetch it from here
	const href = await page.$eval(`a[href="/me/certificates/${number}.pdf"]`, (a) => a.getAttribute('href'));
	const pdf = await fetchWithCookies(page, url + href);
	if (pdf.status !== 200 || pdf.type !== 'application/pdf') fail('download answered ' + pdf.status + ' ' + pdf.type);
	fs.writeFileSync(pdfOut, pdf.bytes);

	// associate a second address by its activation link
	await page.goto(url + '/me/emails', { waitUntil: 'load' });
	await shoot(page, 'emails');
	const before2 = countMail(email2);
	await page.type('#email', email2);
	await submit(page, 'form[action="/me/emails"] button');
	await shootPosted(page, 'link-sent');
	const act = await mailLink(email2, before2);
	await page.goto(act.link, { waitUntil: 'load' });
	await submit(page, 'main form button');
	if (!(await page.content()).includes('The address is associated.')) fail('association failed');
	await page.goto(url + '/me', { waitUntil: 'load' });
	body = await page.$eval('main', (m) => m.innerText);
	if (!body.replace(/ /g, '').includes(number2)) fail('My Certificates lacks ' + number2 + ' after association');

	// associate a record by its score report: the page's script solves the challenge, the mail confirms
	await page.goto(url + '/me/associate', { waitUntil: 'load' });
	await shoot(page, 'associate');
	await page.type('#last_name', 'Wang');
	await page.type('#first_name', 'Wei');
	await page.type('#registration_no', 'S-1');
	await page.type('#email', email);
	await page.click('input[name="consent"]');
	const before3 = countMail(email);
	await submit(page, '#associate button');
	if (!(await page.content()).includes('If these details match an exam record')) fail('the score-report form was refused: ' +
		(await page.$eval('main', (m) => m.innerText)));
	const rec = await mailLink(email, before3);
	await page.goto(rec.link, { waitUntil: 'load' });
	await submit(page, 'main form button');
	if (!(await page.content()).includes('The exam record is associated.')) fail('the record was not associated');
	await page.goto(url + '/me', { waitUntil: 'load' });
	if (!(await page.$eval('main', (m) => m.innerText)).includes('HCIA-Cloud')) fail('My Certificates lacks HCIA-Cloud');

	// disassociate it again
	await page.goto(url + '/me/emails', { waitUntil: 'load' });
	const rows = await page.$$('form[action="/me/emails/remove"]');
	if (rows.length !== 2) fail('expected two associated addresses, saw ' + rows.length);
	await submit(page, `form[action="/me/emails/remove"] input[value="${email2}"] ~ button`);
	const del = await mailLink(email2, act.count);
	await page.goto(del.link, { waitUntil: 'load' });
	await submit(page, 'main form button');
	if (!(await page.content()).includes('The address is disassociated.')) fail('disassociation failed');
	await page.goto(url + '/me', { waitUntil: 'load' });
	body = await page.$eval('main', (m) => m.innerText);
	if (body.replace(/ /g, '').includes(number2)) fail(number2 + ' still shown after disassociation');

	// apply for a paper certificate: the review shows the name as the certificate's fonts draw it
	await page.goto(url + '/me', { waitUntil: 'load' });
	await Promise.all([page.waitForNavigation({ waitUntil: 'load' }),
		page.click('a[href="/me/apply?certification=HCIP-Cloud"]')]);
	await shoot(page, 'apply');
	await page.click('input[value="paper"]');
	await page.type('#name', 'Wang Wei');
	await page.type('#address', '8 Hai Road\nNanshan, Shenzhen');
	await page.click('input[name="consent"]');
	await submit(page, 'form[action="/me/apply"] button');
	if (!(await page.$('main svg[aria-label="Wang Wei"]'))) fail('the review page shows no drawn name: ' +
		(await page.$eval('main', (m) => m.innerText)));
	await shootPosted(page, 'review');
	await submit(page, 'form[action="/me/apply/confirm"] button');
	if (!(await page.content()).includes('Your application was received')) fail('the application was not received');
	// and an electronic one, straight from its row
	await page.goto(url + '/me/apply?certification=HCIA-Security', { waitUntil: 'load' });
	await page.type('#name', 'Wang Wei');
	await page.click('input[name="consent"]');
	await submit(page, 'form[action="/me/apply"] button');
	await submit(page, 'form[action="/me/apply/confirm"] button');
	if (!(await page.content()).includes('Your application was received')) fail('the electronic application was not received');

	// the office's issuance run signs them (a timer in production)
	require('child_process').execFileSync(process.env.ECERT_ISSUE, ['issue', '--all', '-d', process.env.ECERT_DIR],
		{ stdio: 'ignore' });
	await page.goto(url + '/me', { waitUntil: 'load' });
	const detail = await page.$$eval('a[href^="/me/certificates/"]', (as) => as.map((a) => a.getAttribute('href'))
		.filter((h) => !h.endsWith('.pdf')));
	let shown = false;
	for (const h of detail) {
		await page.goto(url + h, { waitUntil: 'load' });
		if ((await page.content()).includes('Expected shipping')) {
			shown = true;
			await shoot(page, 'certificate');
			break;
		}
	}
	if (!shown) fail('no detail page shows the paper certificate\'s expected shipping');
	const paperPage = url + new URL(page.url()).pathname;
	// the electronic one is Approved with a download, fetched with the browser's own session
	await page.goto(url + '/me', { waitUntil: 'load' });
	const fresh = await page.$$eval('main tr', (rows) => rows.filter((r) => r.innerText.includes('HCIA-Security'))
		.map((r) => { const a = r.querySelector('a[href$=".pdf"]'); return a ? a.getAttribute('href') : ''; }));
	if (!fresh.length || !fresh[0]) fail('the electronic certificate has no download on My Certificates');
	const got = await fetchWithCookies(page, url + fresh[0]);
	if (got.status !== 200 || got.type !== 'application/pdf') fail('the new download answered ' + got.status);
	fs.writeFileSync(pdfOut.replace(/\.pdf$/, '-new.pdf'), got.bytes);

	// the office ships it: the page shows the carrier and the order number
	require('child_process').execFileSync(process.env.ECERT_ISSUE, ['ship', new URL(paperPage).pathname.split('/').pop(), '--carrier',
		'SF Express', '--order', 'SF99887766', '-d', process.env.ECERT_DIR], { stdio: 'ignore' });
	await page.goto(paperPage, { waitUntil: 'load' });
	if (!(await page.content()).includes('SF Express, SF99887766')) fail('the shipping is not shown');

	// a name correction, asked for on the certificate's page
	await page.type('#name', ' (王伟)');
	await submit(page, `form[action$="/correction"] button`);
	if (!(await page.content()).includes('Your correction request was received')) fail('the correction was not received');

	// renewal of the electronic certificate: asked for here, signed by the office's run, then downloaded
	await page.goto(url + '/me/certificates/' + number, { waitUntil: 'load' });
	await submit(page, `form[action="/me/certificates/${number}/renew"] button`);
	if (!(await page.content()).includes('Your renewal request was received')) fail('the renewal was not received');
	require('child_process').execFileSync(process.env.ECERT_ISSUE, ['issue', '--all', '-d', process.env.ECERT_DIR],
		{ stdio: 'ignore' });
	await page.goto(url + '/me/certificates/' + number, { waitUntil: 'load' });
	const renewed = await page.$eval('main a[href^="/me/certificates/"]:not([href$=".pdf"])', (a) => a.getAttribute('href'));
	body = await page.$eval('main', (m) => m.innerText);
	if (!/replaced by/.test(body)) fail('the renewed certificate does not point to its successor');
	await page.goto(url + renewed, { waitUntil: 'load' });
	if (!(await page.$(`a[href="${renewed}.pdf"]`))) fail('the renewed certificate has no download');

	// sign out
	await submit(page, 'header form button');
	if (!page.url().endsWith('/login')) fail('sign-out did not lead to /login');

	await browser.close();
	if (problems.length) fail(problems.join('\n'));
	console.log('ok');
})().catch((e) => fail(e.stack || String(e)));
