/*
 * /static/pow.js: solves the score-report form's challenge in the browser (pow.c checks it). The
 * form works without it: the wait then stands for the work.
 */
#include <string.h>

#include "pweb_int.h"

static const char script[] =
    "'use strict';\n"
    "(function () {\n"
    "const K = new Uint32Array([0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,"
    "0xab1c5ed5,0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,0x72be5d74,0x80deb1fe,0x9bdc06a7,0xc19bf174,"
    "0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,0x76f988da,0x983e5152,"
    "0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,0x14292967,0x27b70a85,0x2e1b2138,"
    "0x4d2c6dfc,0x53380d13,0x650a7354,0x766a0abb,0x81c2c92e,0x92722c85,0xa2bfe8a1,0xa81a664b,0xc24b8b70,"
    "0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,0x106aa070,0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,"
    "0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,0x682e6ff3,0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,0x90befffa,"
    "0xa4506ceb,0xbef9a3f7,0xc67178f2]);\n"
    "const W = new Uint32Array(64);\n"
    /* SHA-256 of bytes; returns the first word of the digest (enough to count leading zero bits) */
    "function first(bytes) {\n"
    "  const n = bytes.length, total = ((n + 9 + 63) >> 6) << 6, m = new Uint8Array(total);\n"
    "  m.set(bytes); m[n] = 0x80;\n"
    "  const bits = n * 8; m[total - 4] = bits >>> 24; m[total - 3] = bits >>> 16; m[total - 2] = bits >>> 8;"
    " m[total - 1] = bits;\n"
    "  let h0 = 0x6a09e667, h1 = 0xbb67ae85, h2 = 0x3c6ef372, h3 = 0xa54ff53a, h4 = 0x510e527f, h5 = 0x9b05688c,"
    " h6 = 0x1f83d9ab, h7 = 0x5be0cd19;\n"
    "  for (let o = 0; o < total; o += 64) {\n"
    "    for (let i = 0; i < 16; i++) W[i] = (m[o + 4 * i] << 24) | (m[o + 4 * i + 1] << 16) |"
    " (m[o + 4 * i + 2] << 8) | m[o + 4 * i + 3];\n"
    "    for (let i = 16; i < 64; i++) {\n"
    "      const a = W[i - 15], b = W[i - 2];\n"
    "      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);\n"
    "      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);\n"
    "      W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;\n"
    "    }\n"
    "    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;\n"
    "    for (let i = 0; i < 64; i++) {\n"
    "      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));\n"
    "      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;\n"
    "      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));\n"
    "      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;\n"
    "      h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;\n"
    "    }\n"
    "    h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;\n"
    "    h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;\n"
    "  }\n"
    "  return h0 >>> 0;\n"
    "}\n"
    "const form = document.getElementById('associate');\n"
    "if (!form) return;\n"
    "const enc = new TextEncoder();\n"
    "form.addEventListener('submit', function (ev) {\n"
    "  if (form.pow_nonce.value) return;\n"
    "  ev.preventDefault();\n"
    "  const status = document.getElementById('pow-status');\n"
    "  status.textContent = '\\u2026';\n"
    "  const prefix = form.pow_seed.value + '\\n' + form.registration_no.value + '\\n' +"
    " form.email.value.replace(/[A-Z]/g, (c) => c.toLowerCase()) + '\\n';\n"
    "  let nonce = 0;\n"
    "  (function chunk() {\n"
    "    for (let i = 0; i < 20000; i++, nonce++) {\n"
    "      if (first(enc.encode(prefix + nonce)) >>> (32 - " "18" ") === 0) {\n"
    "        form.pow_nonce.value = String(nonce);\n"
    "        form.submit();\n"
    "        return;\n"
    "      }\n"
    "    }\n"
    "    setTimeout(chunk, 0);\n"
    "  })();\n"
    "});\n"
    "})();\n";

int
pow_script(struct pg *g)
{
	g->out->status = 200;
	g->out->ctype = "text/javascript; charset=utf-8";
	ec_buf_reset(&g->out->body);
	ec_buf_add(&g->out->body, script, sizeof script - 1);
	return g->out->body.err;
}
