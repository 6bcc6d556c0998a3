// pdf.js (npm pdfjs-dist, the renderer of Firefox and of many web viewers) in Debian's Chromium: each PDF
// given is rendered at DPI to OUTDIR/<name>.png and its text content written to OUTDIR/<name>.txt, one
// item per line. pdf.js's own warnings (a font it had to repair, a broken object) fail the run.
// Usage: node pdfjs_render.js DPI OUTDIR FILE.pdf...  (NODE_PATH holds puppeteer-core and pdfjs-dist;
// CHROMIUM names the browser)
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');
const puppeteer = require('puppeteer-core');

const [dpi, outdir, ...pdfs] = process.argv.slice(2);
if (!dpi || !outdir || pdfs.length === 0) {
	console.error('usage: node pdfjs_render.js DPI OUTDIR FILE.pdf...');
	process.exit(2);
}
const build = path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), 'build');
const page_html = '<!doctype html><meta charset="utf-8"><script src="/pdf.min.js"></script><canvas id="c"></canvas>';

// Served from 127.0.0.1 so that pdf.js may start its worker (a file: page may not).
const server = http.createServer((req, res) => {
	const u = req.url;
	let body = null, type = 'application/octet-stream';
	if (u === '/')
		body = page_html, type = 'text/html';
	else if (u === '/pdf.min.js' || u === '/pdf.worker.min.js')
		body = fs.readFileSync(path.join(build, u.slice(1))), type = 'text/javascript';
	else if (/^\/doc\/\d+$/.test(u) && +u.slice(5) < pdfs.length)
		body = fs.readFileSync(pdfs[+u.slice(5)]), type = 'application/pdf';
	res.writeHead(body === null ? 404 : 200, { 'Content-Type': type });
	res.end(body === null ? 'not found' : body);
});

(async () => {
	await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
	const base = 'http://127.0.0.1:' + server.address().port;
	const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
	const problems = [];
	let current = '';
	try {
		const page = await browser.newPage();
		page.on('console', (m) => { if (/^Warning:|error/i.test(m.text())) problems.push(current + ': ' + m.text()); });
		page.on('pageerror', (e) => problems.push(current + ': page error: ' + e.message));
		await page.goto(base + '/');
		for (let i = 0; i < pdfs.length; i++) {
			current = path.basename(pdfs[i]);
			const r = await page.evaluate(async (url, scale) => {
				pdfjsLib.GlobalWorkerOptions.workerSrc = '/pdf.worker.min.js';
				const doc = await pdfjsLib.getDocument({ url, verbosity: pdfjsLib.VerbosityLevel.WARNINGS }).promise;
				const p = await doc.getPage(1);
				const vp = p.getViewport({ scale });
				const c = document.getElementById('c');
				c.width = Math.ceil(vp.width), c.height = Math.ceil(vp.height);
				const ctx = c.getContext('2d');
				ctx.fillStyle = '#fff';
				ctx.fillRect(0, 0, c.width, c.height);
				await p.render({ canvasContext: ctx, viewport: vp }).promise;
				const tc = await p.getTextContent();
				const text = tc.items.map((it) => it.str).join('\n');
				await doc.destroy();
				return { png: c.toDataURL('image/png'), text };
			}, base + '/doc/' + i, dpi / 72);
			const stem = path.join(outdir, current.replace(/\.pdf$/, ''));
			fs.writeFileSync(stem + '.png', Buffer.from(r.png.split(',')[1], 'base64'));
			fs.writeFileSync(stem + '.txt', r.text + '\n');
		}
	} finally {
		await browser.close();
		server.close();
	}
	if (problems.length) {
		console.error(problems.join('\n'));
		process.exit(1);
	}
})().catch((e) => { console.error(e); process.exit(1); });
