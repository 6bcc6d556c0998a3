ecert-template 1
# Associate: a light, modern design. Teal accent, a bold serif for display type,
# a sans-serif for everything else. Two faces for Latin text keep the PDF small; the other
# scripts' fonts cost nothing until a name needs them.
page a4 landscape
margin 18

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

colour ink #1d2733
colour accent #0b6e69
colour muted #5f6b76
colour rule #b9c4cc

# Frame: a strong outer line and a hairline inside it.
rect 8 8 281 194 stroke=accent width=2.2
rect 11 11 275 188 stroke=rule width=0.6

text 20 26 257 8 font=sans size=10 spacing=2.5 align=center colour=muted "{org}"
text 20 38 257 16 font=display size=30 spacing=4 align=center colour=accent "CERTIFICATE"
text 20 54 257 8 font=sans size=10 spacing=3.5 align=center colour=muted "OF ACHIEVEMENT"
line 133.5 66 163.5 66 stroke=accent width=1.2

text 20 74 257 8 font=sans size=11 align=center colour=muted "This is to certify that"
text 30 84 237 20 font=display size=34 min=10 align=center colour=ink "{name}"
line 78.5 106 218.5 106 stroke=rule width=0.6
text 20 112 257 8 font=sans size=11 align=center colour=muted "has successfully met the requirements of"
text 30 122 237 12 font=display size=17 min=8 align=center colour=accent "{title}"
text 20 135 257 7 font=sans size=9.5 spacing=1.5 align=center colour=muted "{code}"

# Details, bottom left.
text 24 158 100 5 font=sans size=6.5 spacing=1.2 colour=muted "CERTIFICATE NUMBER"
text 24 164 120 7 font=sans size=12 colour=ink "{number}"
text 24 175 40 5 font=sans size=6.5 spacing=1.2 colour=muted "EFFECTIVE"
text 24 181 40 7 font=sans size=11 colour=ink "{effective}"
text 70 175 40 5 font=sans size=6.5 spacing=1.2 colour=muted "EXPIRES"
text 70 181 40 7 font=sans size=11 colour=ink "{expires}"

# QR, bottom right, with the verification URL under it.
qr 235 140 40
text 150 180.5 122 4 font=sans size=6 align=right colour=muted "Scan or visit to verify"
text 150 185 122 5 font=sans size=6.5 align=right colour=ink "{url}"
