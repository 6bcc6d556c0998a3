ecert-template 1
# Professional: a formal design. Deep navy band along the left edge, gold rules,
# serif display type; the QR sits in the lower right, well inside the frame.
page a4 landscape
margin 16

# Fallback chains, tried in order for each character: DejaVu for Latin, Greek, Cyrillic, Armenian
# and Georgian; the Noto TrueType families for the scripts HarfBuzz shapes (Arabic, Hebrew, the
# Indic scripts, Thai, Lao, Khmer, Myanmar, Tibetan, Ethiopic, Thaana, Syriac); AR PL UMing for
# Chinese and Japanese (kana too, so a Japanese name takes one font); Nanum for Hangul.
# A further 'font' line with the same name continues a chain.
font display /usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf
font display /usr/share/fonts/truetype/noto/NotoNaskhArabic-Bold.ttf /usr/share/fonts/truetype/noto/NotoSerifHebrew-Bold.ttf /usr/share/fonts/truetype/noto/NotoSerifDevanagari-Bold.ttf /usr/share/fonts/truetype/noto/NotoSerifBengali-Bold.ttf
font display /usr/share/fonts/truetype/noto/NotoSerifGurmukhi-Bold.ttf /usr/share/fonts/truetype/noto/NotoSerifGujarati-Bold.ttf /usr/share/fonts/truetype/noto/NotoSansOriya-Bold.ttf /usr/share/fonts/truetype/noto/NotoSerifTamil-Bold.ttf
font display /usr/share/fonts/truetype/noto/NotoSerifTelugu-Bold.ttf /usr/share/fonts/truetype/noto/NotoSerifKannada-Bold.ttf /usr/share/fonts/truetype/noto/NotoSerifMalayalam-Bold.ttf /usr/share/fonts/truetype/noto/NotoSerifSinhala-Bold.ttf
font display /usr/share/fonts/truetype/noto/NotoSerifThai-Bold.ttf /usr/share/fonts/truetype/noto/NotoSerifLao-Bold.ttf /usr/share/fonts/truetype/noto/NotoSerifKhmer-Bold.ttf /usr/share/fonts/truetype/noto/NotoSerifMyanmar-Bold.ttf
font display /usr/share/fonts/truetype/noto/NotoSerifTibetan-Bold.ttf /usr/share/fonts/truetype/noto/NotoSerifEthiopic-Bold.ttf /usr/share/fonts/truetype/noto/NotoSansThaana-Bold.ttf /usr/share/fonts/truetype/noto/NotoSansSyriac-Regular.ttf
font display /usr/share/fonts/truetype/arphic/uming.ttc@0 /usr/share/fonts/truetype/nanum/NanumMyeongjoBold.ttf
font sans /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
font sans /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf /usr/share/fonts/truetype/noto/NotoSansHebrew-Regular.ttf /usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf /usr/share/fonts/truetype/noto/NotoSansBengali-Regular.ttf
font sans /usr/share/fonts/truetype/noto/NotoSansGurmukhi-Regular.ttf /usr/share/fonts/truetype/noto/NotoSansGujarati-Regular.ttf /usr/share/fonts/truetype/noto/NotoSansOriya-Regular.ttf /usr/share/fonts/truetype/noto/NotoSansTamil-Regular.ttf
font sans /usr/share/fonts/truetype/noto/NotoSansTelugu-Regular.ttf /usr/share/fonts/truetype/noto/NotoSansKannada-Regular.ttf /usr/share/fonts/truetype/noto/NotoSansMalayalam-Regular.ttf /usr/share/fonts/truetype/noto/NotoSansSinhala-Regular.ttf
font sans /usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf /usr/share/fonts/truetype/noto/NotoSansLao-Regular.ttf /usr/share/fonts/truetype/noto/NotoSansKhmer-Regular.ttf /usr/share/fonts/truetype/noto/NotoSansMyanmar-Regular.ttf
font sans /usr/share/fonts/truetype/noto/NotoSerifTibetan-Regular.ttf /usr/share/fonts/truetype/noto/NotoSansEthiopic-Regular.ttf /usr/share/fonts/truetype/noto/NotoSansThaana-Regular.ttf /usr/share/fonts/truetype/noto/NotoSansSyriac-Regular.ttf
font sans /usr/share/fonts/truetype/arphic/uming.ttc@0 /usr/share/fonts/truetype/nanum/NanumGothic.ttf

colour navy #14274e
colour gold #b08d3c
colour ink #1b1f24
colour muted #5b6470
colour paper #f7f4ec

# Warm paper inside a navy frame, with a gold hairline.
rect 0 0 297 210 fill=navy
rect 6 6 285 198 fill=paper
rect 9 9 279 192 stroke=gold width=0.8
# Navy band on the left carrying the organisation.
rect 9 9 56 192 fill=navy
line 65 9 65 201 stroke=gold width=1.5

text 16 30 42 6 font=sans size=7 spacing=2 align=center colour=#d9c48f "ISSUED BY"
text 16 38 42 10 font=display size=11 min=6 align=center colour=paper "{org}"
line 27 52 47 52 stroke=gold width=0.8
text 16 150 42 6 font=sans size=7 spacing=2 align=center colour=#d9c48f "CERTIFICATION"
text 16 157 42 10 font=display size=13 min=6 align=center colour=paper "{code}"

text 76 30 200 10 font=sans size=10 spacing=4 colour=gold "PROFESSIONAL CERTIFICATION"
text 76 42 200 18 font=display size=32 colour=navy "Certificate"
line 76 62 116 62 stroke=gold width=1.5
text 76 72 200 8 font=sans size=11 colour=muted "This certifies that"
text 76 82 200 20 font=display size=30 min=8 colour=ink "{name}"
text 76 106 200 8 font=sans size=11 colour=muted "has demonstrated the knowledge and skills required for"
text 76 116 200 12 font=display size=16 min=8 colour=navy "{title}"

line 76 140 276 140 stroke=#d8cfb8 width=0.6
text 76 147 90 5 font=sans size=6.5 spacing=1.2 colour=muted "CERTIFICATE NUMBER"
text 76 153 110 7 font=sans size=11.5 colour=ink "{number}"
text 76 166 40 5 font=sans size=6.5 spacing=1.2 colour=muted "VALID FROM"
text 76 172 40 7 font=sans size=11 colour=ink "{effective}"
text 120 166 40 5 font=sans size=6.5 spacing=1.2 colour=muted "VALID THROUGH"
text 120 172 40 7 font=sans size=11 colour=ink "{expires}"

qr 236 142 40
text 150 182.5 123 4 font=sans size=6 align=right colour=muted "Verify this certificate"
text 150 187 123 5 font=sans size=6.5 align=right colour=ink "{url}"
