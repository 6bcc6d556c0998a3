#!/bin/sh
# ecert-portald end to end with curl and a real SMTP server (Debian's aiosmtpd): sign in by the mailed
# link (bound to the browser that asked) and by the code (wrong codes limited), My Certificates from the
# associated records, the PDF download checked by ecert-verify, associating and disassociating a second
# address by mailed links, and the refusals: another account's PDF and a signed-out one are 404, a form
# without its csrf value or from another origin is 403, a used link is refused. ecert-issue keeps
# working beside the portal, and a result imported for an associated address appears at once.
. tests/e2e/lib.sh
. tests/e2e/lib_portal.sh

# refusals at start: root without --user, a public URL with test cookies, an unknown option
if [ "$(id -u)" -eq 0 ]; then
	expect 2 ecert-portald -d "$D" --listen 127.0.0.1:0 --insecure-cookies
	expect_err "refusing to run as root"
fi
# shellcheck disable=SC2086
expect 2 ecert-portald -d "$D" --listen 127.0.0.1:0 --public-url https://portal.example.org --insecure-cookies $USER_OPT
expect_err "'--insecure-cookies' is for plain-HTTP tests on loopback only"
expect 2 ecert-portald -d "$D" --bogus
expect 0 ecert-portald --help
expect_out "--public-url URL"

# req JAR CODE ARGS...: curl with cookie jar JAR, body in $T/body, headers in $T/hdr; the status must be CODE.
req() {
	jar=$1 want=$2
	shift 2
	got=$(curl -s -c "$T/$jar" -b "$T/$jar" -o "$T/body" -D "$T/hdr" -w '%{http_code}' "$@")
	[ "$got" = "$want" ] || { grep -o "role=.alert.>[^<]*" "$T/body" >&2; head -c 300 "$T/body" >&2; fail "curl $* answered $got, expected $want"; }
}
csrf() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/body" | head -n 1; }
has() { grep -qF -- "$1" "$T/body" || { head -c 3000 "$T/body" >&2; fail "the page lacks '$1'"; }; }
lacks() { grep -qF -- "$1" "$T/body" && { head -c 3000 "$T/body" >&2; fail "the page shows '$1'"; }; return 0; }
hdr() { grep -qi -- "$1" "$T/hdr" || { cat "$T/hdr" >&2; fail "headers lack '$1'"; }; }
mails() { grep -rl "^To: $1" "$T/mail/new" 2>/dev/null | wc -l; }
pick() { "$PY" "$DATA/mail_pick.py" "$T/mail" "$1" "$2" || fail "no new mail to $1"; }
# other CODE K: the 6-digit code K above CODE (a wrong one)
other() { awk -v c="$1" -v k="$2" 'BEGIN { printf "%06d", (c + k) % 1000000 }'; }

# sign-in page: the security headers, no store, a csrf value
req a 200 "$U/login"
hdr "Content-Security-Policy: default-src 'none'"
hdr "Cache-Control: no-store"
hdr "X-Frame-Options: DENY"
has 'name="email"'
C=$(csrf)
[ ${#C} -eq 64 ] || fail "no csrf value on the sign-in page"
# a form without its csrf value, or from another origin, is refused before anything is mailed
req a 403 -d "email=wang.wei%40example.cn" "$U/login"
req a 403 -H "Origin: https://evil.example" -d "csrf=$C&email=wang.wei%40example.cn" "$U/login"
req a 403 -H "Sec-Fetch-Site: cross-site" -d "csrf=$C&email=wang.wei%40example.cn" "$U/login"
req a 400 -d "csrf=$C&email=not-an-address" "$U/login"
[ "$(mails wang.wei@example.cn)" -eq 0 ] || fail "a refused form sent mail"
# the same answer for an address with and without exam records
req a 200 -d "csrf=$C&email=nobody%40example.net" "$U/login"
sed 's/nobody@example.net/ADDRESS/g' "$T/body" >"$T/nobody.html"
req a 200 -d "csrf=$C&email=wang.wei%40example.cn" "$U/login"
has "Check your email"
sed 's/wang.wei@example.cn/ADDRESS/g' "$T/body" | cmp -s - "$T/nobody.html" || fail "an unknown address got another answer"
set -- $(pick wang.wei@example.cn 0)
LINK=$1 CODE=$2
case $LINK in "$U/login/verify?t="*) ;; *) fail "the sign-in mail's link is '$LINK'" ;; esac
[ ${#CODE} -eq 6 ] || fail "the sign-in mail has no 6-digit code"

# a mail scanner's GET signs nobody in; another browser cannot use the link
req scanner 200 "$LINK"
has "Continue"
req scanner 400 -d "csrf=$(csrf)&t=${LINK#*t=}" "$U/login/verify"
has "another browser"
req a 200 "$LINK"
req a 303 -d "csrf=$(csrf)&t=${LINK#*t=}" "$U/login/verify"
hdr "Location: /me"
hdr "Set-Cookie: ecert-s="
hdr "HttpOnly"
req a 200 "$U/me"
has "My Certificates"
has "$NP"
has "/me/certificates/$NP.pdf"
has "Partly Done"
has "HCIE-Datacom-Lab"
lacks "$NW"
lacks "$NL"
# the link is spent
req b 200 "$LINK"
req b 400 -d "csrf=$(csrf)&t=${LINK#*t=}" "$U/login/verify"

# the PDF: ecert-verify says valid against the trust bundle and the CRLs
req a 200 -o "$T/p1.pdf" "$U/me/certificates/$NP.pdf"
curl -s -c "$T/a" -b "$T/a" -o "$T/p1.pdf" "$U/me/certificates/$NP.pdf"
head -c 5 "$T/p1.pdf" | grep -q '%PDF-' || fail "the download is not a PDF"
KID=$(cat "$D/certs/current")
expect 0 ecert-verify --trust "$D/trust.pem" --crl "$D/crl/root.crl" --crl "$D/crl/$KID.crl" "$T/p1.pdf"
expect_out "$(echo "$NP" | cut -c1-4)"
# nobody else gets it: signed out, or another account (Li Na signs in with her code)
req anon 404 "$U/me/certificates/$NP.pdf"
req li 200 "$U/login"
C=$(csrf)
req li 200 -d "csrf=$C&email=li.na%40example.cn" "$U/login"
set -- $(pick li.na@example.cn 0)
LCODE=$2
BAD=$(other "$LCODE" 1)
req li 400 -d "csrf=$C&email=li.na%40example.cn&code=$BAD" "$U/login/code"
has "wrong code"
req li 303 -d "csrf=$C&email=li.na%40example.cn&code=$LCODE" "$U/login/code"
req li 200 "$U/me"
has "$NL"
lacks "$NP"
req li 404 "$U/me/certificates/$NP.pdf"
req a 404 "$U/me/certificates/$NL.pdf"
req a 404 "$U/me/certificates/0000000000000000000000.pdf"

# code guessing: five wrong codes spend the request (and the IP is slowed before long)
req g 200 "$U/login"
C=$(csrf)
req g 200 -d "csrf=$C&email=wang.wei%40example.cn" "$U/login"
set -- $(pick wang.wei@example.cn 1)
GCODE=$2
n=0
for k in 1 2 3 4 5; do
	BAD=$(other "$GCODE" "$k")
	got=$(curl -s -c "$T/g" -b "$T/g" -o "$T/body" -w '%{http_code}' -d "csrf=$C&email=wang.wei%40example.cn&code=$BAD" "$U/login/code")
	[ "$got" = 400 ] || [ "$got" = 429 ] || fail "a wrong code answered $got"
	n=$((n + 1))
done
got=$(curl -s -c "$T/g" -b "$T/g" -o "$T/body" -w '%{http_code}' -d "csrf=$C&email=wang.wei%40example.cn&code=$GCODE" "$U/login/code")
[ "$got" = 303 ] && fail "the right code still worked after five wrong ones"

# a second address: its activation link binds its records; it cannot go to another account too
req a 200 "$U/me/emails"
has "Trainee Email Mgmt."
has "wang****@example.cn"
C=$(csrf)
req a 200 -d "csrf=$C&email=wei.work%40example.com" "$U/me/emails"
set -- $(pick wei.work@example.com 0)
ALINK=$1
req a 200 "$ALINK"
req a 200 -d "csrf=$(csrf)&t=${ALINK#*t=}" "$U/me/emails/verify"
has "The address is associated."
req a 200 "$U/me"
has "$NW"
# HCIP-AI is no-renew in this catalogue (lib_portal.sh): no Renew on its page, a renewal refused
req a 200 "$U/me/certificates/$NW"
has "This certification is not renewed"
lacks "/renew"
req a 400 -d "csrf=$(csrf)" "$U/me/certificates/$NW/renew"
has "This certification is not renewed"
expect 1 I renew "$NW"
expect_err "no-renew in the catalogue"
req li 200 "$U/me/emails"
req li 200 -d "csrf=$(csrf)&email=wei.work%40example.com" "$U/me/emails"
set -- $(pick wei.work@example.com 1)
req li 200 "$1"
req li 400 -d "csrf=$(csrf)&t=${1#*t=}" "$U/me/emails/verify"
has "associated with another account"

# ecert-issue works beside the running portal; a new result of an associated address appears at once
printf 'registration_no,last_name,first_name,email,tel,certification,exam_date,result,exam\nW-2,Wang,Wei,wei.work@example.com,,HCIA-Storage,%s,pass,\n' "$DAY2" >"$T/more.csv"
expect 0 I import "$T/more.csv"
req a 200 "$U/me"
has "HCIA-Storage"
has "Not Applied"

# disassociate by the mailed confirmation link
req a 200 "$U/me/emails"
req a 200 -d "csrf=$(csrf)&email=wei.work%40example.com" "$U/me/emails/remove"
set -- $(pick wei.work@example.com 2)
req a 200 "$1"
req a 200 -d "csrf=$(csrf)&t=${1#*t=}" "$U/me/emails/remove/verify"
has "The address is disassociated."
req a 200 "$U/me"
lacks "$NW"
lacks "HCIA-Storage"
expect 0 I audit verify

# associating a record by its score report: the data only finds it, the mailed link binds it, and the
# record's own address hears of it; the challenge is solved as the page's script does (or waited for)
printf 'registration_no,last_name,first_name,email,tel,certification,exam_date,result,exam\nX-1,Ng,Ka Yan,ka.ng@example.hk,,HCIP-Storage,%s,pass,\n' "$DAY" >"$T/x.csv"
expect 0 I import "$T/x.csv"
req li 200 "$U/me/associate"
has 'name="pow_seed"'
has 'src="/static/pow.js"'
seed() { sed -n 's/.*name="pow_seed" value="\([A-Za-z0-9_-]*\)".*/\1/p' "$T/body"; }
S=$(seed)
N=$("$PY" "$DATA/pow_solve.py" "$S" X-1 li.na@example.cn)
before=$(mails li.na@example.cn)
# wrong names: the same answer, and no mail
req li 200 -d "csrf=$(csrf)&pow_seed=$S&pow_nonce=$N&last_name=Ng&first_name=Someone&registration_no=X-1&email=li.na%40example.cn&consent=yes" "$U/me/associate"
has "If these details match an exam record"
sleep 0.5
[ "$(mails li.na@example.cn)" -eq "$before" ] || fail "wrong names on a score report sent a link"
# the challenge is used once, must be solved for these fields, and without a solution needs the wait
req li 400 -d "csrf=$(csrf)&pow_seed=$S&pow_nonce=$N&last_name=Ng&first_name=Ka+Yan&registration_no=X-1&email=li.na%40example.cn&consent=yes" "$U/me/associate"
has "sent already"
req li 200 "$U/me/associate"
S=$(seed)
req li 400 -d "csrf=$(csrf)&pow_seed=$S&pow_nonce=$N&last_name=Ng&first_name=Ka+Yan&registration_no=X-1&email=li.na%40example.cn&consent=yes" "$U/me/associate"
has "not solved"
# a forged or altered challenge, even solved for these fields, is refused
req li 200 "$U/me/associate"
S=$(seed)
F=$(printf '%s' "$S" | sed 's/^\(.\{20\}\)\(.\)/\1\2/' | awk '{ c = substr($0, 21, 1); r = (c == "A") ? "B" : "A"; print substr($0, 1, 20) r substr($0, 22) }')
[ "$F" != "$S" ] || fail "the seed was not altered"
req li 400 -d "csrf=$(csrf)&pow_seed=$F&pow_nonce=$("$PY" "$DATA/pow_solve.py" "$F" X-1 li.na@example.cn)&last_name=Ng&first_name=Ka+Yan&registration_no=X-1&email=li.na%40example.cn&consent=yes" "$U/me/associate"
has "missing or damaged"
req li 200 "$U/me/associate"
S=$(seed)
req li 400 -d "csrf=$(csrf)&pow_seed=$S&pow_nonce=&last_name=Ng&first_name=Ka+Yan&registration_no=X-1&email=li.na%40example.cn&consent=yes" "$U/me/associate"
has "wait"
req li 400 -d "csrf=$(csrf)&pow_seed=$S&pow_nonce=$("$PY" "$DATA/pow_solve.py" "$S" X-1 li.na@example.cn)&last_name=Ng&first_name=Ka+Yan&registration_no=X-1&email=li.na%40example.cn" "$U/me/associate"
has "consent"
req li 200 "$U/me/associate"
S=$(seed)
N=$("$PY" "$DATA/pow_solve.py" "$S" X-1 LI.NA@example.cn)
req li 200 -d "csrf=$(csrf)&pow_seed=$S&pow_nonce=$N&last_name=+ng&first_name=KA+YAN&registration_no=X-1&email=LI.NA%40example.cn&consent=yes" "$U/me/associate"
has "If these details match an exam record"
set -- $(pick li.na@example.cn "$before")
RLINK=$1
# two tabs with the link: one binding
req li 200 "$RLINK"
req li 200 -d "csrf=$(csrf)&t=${RLINK#*t=}" "$U/me/associate/verify"
has "The exam record is associated."
req li 400 -d "csrf=$(csrf)&t=${RLINK#*t=}" "$U/me/associate/verify"
req li 200 "$U/me"
has "HCIP-Storage"
expect 0 I outbox list --json
grep -q '"kind":"recordbound"' "$T/out" || { cat "$T/out" >&2; fail "the record's own address was not told"; }
# bound, the record is no longer found for another account
req a 200 "$U/me/associate"
S=$(seed)
N=$("$PY" "$DATA/pow_solve.py" "$S" X-1 wang.wei@example.cn)
n0=$(mails wang.wei@example.cn)
req a 200 -d "csrf=$(csrf)&pow_seed=$S&pow_nonce=$N&last_name=Ng&first_name=Ka+Yan&registration_no=X-1&email=wang.wei%40example.cn&consent=yes" "$U/me/associate"
sleep 0.5
[ "$(mails wang.wei@example.cn)" -eq "$n0" ] || fail "a record bound to another account was offered again"

# applying: the form, the review with the name drawn by the certificate's fonts, one submission
req a 200 "$U/me"
has "/me/apply?certification=HCIP-Cloud"
req a 200 "$U/me/apply?certification=HCIP-Cloud"
has "<option>wang.wei@example.cn</option>"
has 'value="paper"'
C=$(csrf)
req a 404 "$U/me/apply?certification=HCIA-Storage"
req a 404 -d "csrf=$C&certification=HCIA-Datacom&email=wang.wei%40example.cn&format=electronic&name=Wang+Wei&consent=yes" "$U/me/apply"
# an address over its bound, named; a name no font prints, refused at the review; a forbidden format
LONG=$(awk 'BEGIN { while (n++ < 10000) printf "a" }')
req a 400 -d "csrf=$C&certification=HCIP-Cloud&email=wang.wei%40example.cn&format=paper&name=Wang+Wei&address=$LONG&consent=yes" "$U/me/apply"
has "address:"
req a 400 -d "csrf=$C&certification=HCIP-Cloud&email=wang.wei%40example.cn&format=electronic&name=%E1%8E%A0%E1%8E%A1&consent=yes" "$U/me/apply"
has "no font covers"
req a 400 -d "csrf=$C&certification=HCIE-Security&email=wang.wei%40example.cn&format=electronic&name=Wang+Wei&consent=yes" "$U/me/apply"
has "paper only"
req a 400 -d "csrf=$C&certification=HCIP-Cloud&email=wang.wei%40example.cn&format=paper&name=Wang+Wei&address=1+Road&tel=&consent=" "$U/me/apply"
has "consent"
req a 400 -d "csrf=$C&certification=HCIP-Cloud&email=li.na%40example.cn&format=electronic&name=Wang+Wei&consent=yes" "$U/me/apply"
has "associated email"
I list --status requested --json >/dev/null
expect 0 I list --status requested --json
grep -q 'HCIP-Cloud' "$T/out" && fail "a refused application was stored"
FORM="csrf=$C&certification=HCIP-Cloud&email=wang.wei%40example.cn&format=paper&name=Wang++Wei&tel=%2B86+139+0000+0000&address=8+Hai+Road%0D%0AShenzhen&consent=yes"
req a 200 -d "$FORM" "$U/me/apply"
has "<svg"
has 'aria-label="Wang Wei"'
has "cannot be changed"
has 'action="/me/apply/confirm"'
# two tabs (or a double click) submit the same review: one application
req a 200 -d "$FORM" "$U/me/apply/confirm"
has "Your application was received"
req a 200 -d "$FORM" "$U/me/apply/confirm"
has "Your application was received"
expect 0 I list --status requested --json
[ "$(grep -c '"code":"HCIP-Cloud"' "$T/out")" -eq 1 ] || { cat "$T/out" >&2; fail "expected exactly one HCIP-Cloud application"; }
expect_out '"format":"paper"'
req a 200 "$U/me"
has "Requested"
# the office's issuance run approves it; the detail page shows the expected shipping, then the shipping
expect 0 I issue --all
NC=$(awk '$1 == "A-1" { print $2 }' "$T/out")
[ ${#NC} -eq 22 ] || { cat "$T/out" >&2; fail "A-1 was not issued"; }
req a 200 "$U/me"
has "/me/certificates/$NC"
# the "issued" mail links to the certificate's page in the portal (portal_url in ecert.conf)
expect 0 I outbox list --json
ID=$(tr '{' '\n' <"$T/out" | grep '"kind":"issued"' | tail -n 1 | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
[ -n "$ID" ] || { cat "$T/out" >&2; fail "no issued notice queued"; }
expect 0 I outbox show "$ID"
expect_out "https://portal.example.org/me/certificates/$NC"
req a 200 "$U/me/certificates/$NC"
has "Expected shipping"
has "8 Hai Road"
has "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&amp;name=Huawei%20Certified%20ICT%20Professional%20-%20Cloud%20Service%20Solutions"
has "certId=$NC"
req li 404 "$U/me/certificates/$NC"
# the address changes until the certificate ships, not after
req a 200 -d "csrf=$C&address=9+Hai+Road%0D%0AShekou" "$U/me/certificates/$NC/address"
has "The address is changed"
req a 200 "$U/me/certificates/$NC"
# kept on its two lines: in the register, on the page, in the office's view
has "<td>9 Hai Road"
has "Shekou</td>"
expect 0 I show "$NC" --json
expect_out '"address":"9 Hai Road\nShekou"'
expect 0 I show "$NC"
grep -q '^Address  *9 Hai Road$' "$T/out" && grep -q '^  *Shekou$' "$T/out" || { cat "$T/out" >&2; fail "show does not print the address on two lines"; }
# more lines than an envelope takes, or a line with a bidi override: refused, naming the line
req a 400 -d "csrf=$C&address=1%0A2%0A3%0A4%0A5%0A6%0A7%0A8%0A9" "$U/me/certificates/$NC/address"
has "9 lines, at most 8"
req a 400 -d "csrf=$C&address=9+Hai+Road%0AShe%E2%80%AEkou" "$U/me/certificates/$NC/address"
has "line 2: character U+202E is not allowed"
req a 400 -d "csrf=$C&address=" "$U/me/certificates/$NC/address"
expect 0 I ship "$NC" --carrier "SF Express" --order SF123456789
req a 200 "$U/me/certificates/$NC"
has "SF Express, SF123456789"
req a 400 -d "csrf=$C&address=10+Hai+Road" "$U/me/certificates/$NC/address"
has "shipped already"
expect 0 I audit verify

# renewal: asked for in the portal, signed by the office's next issuance run
req a 200 "$U/me/certificates/$NP"
has 'action="/me/certificates/'"$NP"'/renew"'
C=$(csrf)
req li 200 "$U/me"
req li 404 -d "csrf=$(csrf)" "$U/me/certificates/$NP/renew"
req a 200 -d "csrf=$C" "$U/me/certificates/$NP/renew"
has "Your renewal request was received"
req a 200 -d "csrf=$(csrf)" "$U/me/certificates/$NP/renew"
req a 200 "$U/me/certificates/$NP"
has "Renewal requested on"
# with --json, stdout stays one JSON document (no application waited) and the renewal is said on stderr
expect 0 I issue --all --json
[ "$(cat "$T/out")" = "[]" ] || { cat "$T/out" >&2; fail "issue --json printed more than its JSON"; }
expect_err "renewal requested: renewed $NP as"
NR=$(sed -n 's/^renewal requested: renewed [0-9]* as \([0-9]*\),.*/\1/p' "$T/err")
[ ${#NR} -eq 22 ] || { cat "$T/out" >&2; fail "the renewal printed no number"; }
expect 0 I issue --all
expect_err "nothing to issue"
req a 200 "$U/me"
has "Superseded"
has "/me/certificates/$NR"
req a 200 "$U/me/certificates/$NP"
has "replaced by"
req a 410 "$U/me/certificates/$NP.pdf"
req a 200 -o "$T/renewed.pdf" "$U/me/certificates/$NR.pdf"
expect 0 I audit verify
# a name correction: asked for here (checked as an application's name), answered by the office's reissue
req a 400 -d "csrf=$C&name=%E1%8E%A0" "$U/me/certificates/$NR/correction"
has "no font covers"
req a 200 -d "csrf=$C&name=Wang+Wei+%28%E7%8E%8B%E4%BC%9F%29" "$U/me/certificates/$NR/correction"
has "Your correction request was received"
req a 200 "$U/me/certificates/$NR"
has "Name correction requested"
expect 0 I corrections list
expect_out "Wang Wei (王伟)"
expect_out "$NR"
expect 0 I reissue "$NR" --name "Wang Wei (王伟)"
expect 0 I corrections list --json
[ "$(cat "$T/out")" = "[]" ] || { cat "$T/out" >&2; fail "the reissue did not answer the correction request"; }
expect 2 I corrections nonsense
expect 0 I audit verify

# the office takes a record away (audited), and both addresses hear of it
expect 0 I unbind L-1
expect_out "unbound 'L-1' from account"
expect 1 I unbind L-1
expect_err "not associated with any account"
expect 1 I unbind NO-SUCH
expect 0 I outbox list --json
[ "$(grep -o '"kind":"unbound"' "$T/out" | wc -l)" -eq 1 ] || { cat "$T/out" >&2; fail "expected one unbound notice (account and record share the address)"; }
req li 200 "$U/me"
lacks "$NL"
req li 404 "$U/me/certificates/$NL.pdf"
expect 0 I audit verify

# Chinese pages, by ?lang= (remembered) or Accept-Language
req a 200 "$U/me?lang=zh"
has "我的证书"
has "证书编号"
req a 200 "$U/me"
has "lang=\"zh-CN\""
# refusals of the application rules, on a Chinese page: the field and the rules' own message in Chinese
req a 400 -d "csrf=$(csrf)&certification=HCIE-Security&email=wang.wei%40example.cn&format=electronic&name=Wang+Wei&consent=yes" "$U/me/apply"
has "证书形式：HCIE-Security 只颁发纸质证书"
lacks "paper only"
req a 400 -d "csrf=$(csrf)&certification=HCIE-Security&email=wang.wei%40example.cn&format=paper&name=Wang+Wei&address=&consent=yes" "$U/me/apply"
has "邮寄地址：纸质证书需要填写邮寄地址"
req a 400 --data-urlencode "name=Ꭰ Ꮟ" -d "csrf=$(csrf)&certification=HCIE-Security&email=wang.wei%40example.cn&format=paper&address=1+Road&consent=yes" "$U/me/apply"
has "姓名：没有字体能打印 U+13A0"
req anon 200 -H "Accept-Language: zh-CN,zh;q=0.9" "$U/login"
has "登录"

# 1,000 sessions at once (made as a mailed link makes them, by the bench's helper), each asking for
# My Certificates in parallel: every one answered, with its own account's page
if [ -x "$TOP/build/bench/portal_sessions" ]; then
	"$TOP/build/bench/portal_sessions" "$D" 1000 >"$T/sessions" || fail "portal_sessions"
	mkdir "$T/pages"
	awk -v u="$U" -v t="$T/pages" '{ if (NR > 1) print "next"; printf "url = \"%s/me\"\nheader = \"Cookie: ecert-s=%s\"\noutput = \"%s/%d.html\"\nwrite-out = \"%%{http_code} %%{errormsg}\\n\"\n", u, $1, t, NR }' \
	    "$T/sessions" >"$T/curl.cfg"
	curl -s --no-progress-meter --parallel --parallel-max 100 -K "$T/curl.cfg" >"$T/codes"
	[ "$(grep -c '^200 ' "$T/codes")" -eq 1000 ] || { sort "$T/codes" | uniq -c | sort -rn | head -n 20 >&2; fail "not every one of 1,000 sessions got its page"; }
	# each page is its own account's: Wang Wei's sessions see his certificate and nobody else's
	awk -v n="$NP" '$2 == n { print NR }' "$T/sessions" | while read -r k; do
		grep -q "$NP" "$T/pages/$k.html" && ! grep -q "$NL" "$T/pages/$k.html" || { echo "$k"; break; }
	done >"$T/wrong"
	[ -s "$T/wrong" ] && fail "session $(cat "$T/wrong") did not get Wang Wei's own page"
	[ "$(grep -l 'My Certificates' "$T/pages"/*.html | wc -l)" -eq 1000 ] || fail "a session was not signed in"
fi

# sign out: the session ends; its cookie no longer signs in
cp "$T/a" "$T/a-copy"
req a 200 "$U/me"
req a 303 -d "csrf=$(csrf)" "$U/logout"
hdr "Location: /login"
req a-copy 303 "$U/me"
hdr "Location: /login"
req a 405 -X DELETE "$U/me"
# a forged session cookie is nobody's: signed out, its cookie cleared
req forged 303 -H "Cookie: ecert-s=$(printf '%064d' 7)" "$U/me"
hdr "Location: /login"
hdr "Set-Cookie: ecert-s=;"

kill -TERM "$PD"
wait "$PD" 2>/dev/null
grep -q '"event":"stopped"' "$T/pd.log" || { tail -n 5 "$T/pd.log" >&2; fail "ecert-portald did not stop cleanly"; }
# the log holds routes and statuses, no address, no certificate number, no token
grep -q "example.cn\|$NP\|${LINK#*t=}" "$T/pd.log" && fail "the portal's log holds personal data or a secret"
note "signed in by link and by code, downloaded and verified $NP, associated and disassociated an address"
exit 0
