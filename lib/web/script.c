/*
 * The verification page's only script (/static/verify.js). A phone that scans the QR code opens
 * /v/NUMBER#TOKEN; the fragment never reaches the server. The script checks the token's signature
 * with WebCrypto against the issuing CAs' keys the endpoint publishes (/jwks.json) and only then
 * shows the full name and dates the token carries, marked as checked in the browser. A token that
 * does not verify is a warning, never a name. Text is set with textContent only.
 */
#include "err.h"
#include "web.h"

static const char script[] =
    "'use strict';\n"
    "(function () {\n"
    "  var box = document.getElementById('qr');\n"
    "  if (!box || location.hash.length < 2) return;\n"
    "  var zh = document.documentElement.lang.indexOf('zh') === 0;\n"
    "  var w = zh ? {\n"
    "    title: '\\u4e8c\\u7ef4\\u7801\\u4e2d\\u7684\\u7b7e\\u540d\\u5185\\u5bb9',\n"
    "    ok: '\\u7b7e\\u540d\\u5df2\\u5728\\u60a8\\u7684\\u6d4f\\u89c8\\u5668\\u4e2d\\u6838\\u9a8c\\u3002',\n"
    "    holder: '\\u6301\\u8bc1\\u4eba', valid: '\\u6709\\u6548\\u671f',\n"
    "    bad: '\\u8b66\\u544a\\uff1a\\u4e8c\\u7ef4\\u7801\\u4e2d\\u7684\\u5185\\u5bb9\\u672a\\u901a\\u8fc7\\u7b7e\\u540d\\u6838\\u9a8c\\uff0c\\u4e0d\\u662f\\u6301\\u8bc1\\u4eba\\u7684\\u4fe1\\u606f\\u3002',\n"
    "    other: '\\u8b66\\u544a\\uff1a\\u4e8c\\u7ef4\\u7801\\u4e2d\\u7684\\u5185\\u5bb9\\u5c5e\\u4e8e\\u53e6\\u4e00\\u4e2a\\u8bc1\\u4e66\\u7f16\\u53f7\\u3002'\n"
    "  } : {\n"
    "    title: 'Signed by the issuer in the QR code',\n"
    "    ok: 'Signature checked in your browser.',\n"
    "    holder: 'Holder', valid: 'Valid',\n"
    "    bad: 'Warning: what the QR code carries does not verify. It is not the holder\\'s data.',\n"
    "    other: 'Warning: what the QR code carries belongs to another certificate number.'\n"
    "  };\n"
    "  function b64u(s) {\n"
    "    if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new Error('base64url');\n"
    "    s = s.replace(/-/g, '+').replace(/_/g, '/');\n"
    "    while (s.length % 4) s += '=';\n"
    "    var b = atob(s), u = new Uint8Array(b.length);\n"
    "    for (var i = 0; i < b.length; i++) u[i] = b.charCodeAt(i);\n"
    "    return u;\n"
    "  }\n"
    "  function text(u) { return new TextDecoder('utf-8', { fatal: true }).decode(u); }\n"
    "  function show(cls, line, rows) {\n"
    "    box.hidden = false;\n"
    "    box.className = 'qr ' + cls;\n"
    "    var h = document.createElement('h2'), p = document.createElement('p');\n"
    "    h.textContent = w.title;\n"
    "    p.textContent = line;\n"
    "    p.id = 'qr-result';\n"
    "    box.replaceChildren(h, p);\n"
    "    if (!rows) return;\n"
    "    var dl = document.createElement('dl');\n"
    "    rows.forEach(function (r) {\n"
    "      var dt = document.createElement('dt'), dd = document.createElement('dd');\n"
    "      dt.textContent = r[0];\n"
    "      dd.textContent = r[1];\n"
    "      dd.id = r[2];\n"
    "      dl.append(dt, dd);\n"
    "    });\n"
    "    box.append(dl);\n"
    "  }\n"
    "  function warn(line) { show('bad', line || w.bad); }\n"
    "  var parts = location.hash.slice(1).split('.'), head, body;\n"
    "  try {\n"
    "    if (parts.length !== 3) throw new Error('parts');\n"
    "    head = JSON.parse(text(b64u(parts[0])));\n"
    "    body = JSON.parse(text(b64u(parts[1])));\n"
    "  } catch (e) { warn(); return; }\n"
    "  if (body.n !== box.dataset.number) { warn(w.other); return; }\n"
    "  var es = head.alg === 'ES256', ed = head.alg === 'EdDSA';\n"
    "  if (!es && !ed) { warn(); return; }\n"
    "  fetch('/jwks.json', { credentials: 'omit' }).then(function (r) {\n"
    "    if (!r.ok) throw new Error('jwks');\n"
    "    return r.json();\n"
    "  }).then(function (set) {\n"
    "    var jwk = (set.keys || []).filter(function (k) { return k.kid === head.kid && k.alg === head.alg; })[0];\n"
    "    if (!jwk) throw new Error('kid');\n"
    "    var alg = es ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'Ed25519' };\n"
    "    return crypto.subtle.importKey('jwk', jwk, alg, false, ['verify']);\n"
    "  }).then(function (key) {\n"
    "    var alg = es ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'Ed25519' };\n"
    "    return crypto.subtle.verify(alg, key, b64u(parts[2]),\n"
    "      new TextEncoder().encode(parts[0] + '.' + parts[1]));\n"
    "  }).then(function (ok) {\n"
    "    if (!ok) throw new Error('signature');\n"
    "    show('ok', w.ok, [[w.holder, String(body.nm), 'qr-name'],\n"
    "      [w.valid, String(body.nb) + ' \\u2013 ' + String(body.na), 'qr-dates']]);\n"
    "  }).catch(function () { warn(); });\n"
    "})();\n";

int
ec_web_script(struct ec_web_resp *r)
{
	r->status = 200;
	r->ctype = "text/javascript; charset=utf-8";
	ec_buf_reset(&r->body);
	ec_buf_add(&r->body, script, sizeof script - 1);
	ec_web_resp_header(r, "Cache-Control", "public, max-age=3600");
	return r->body.err;
}
