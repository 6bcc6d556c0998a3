ecert-template 1
# Associate: a light, modern design. Teal accent, a bold serif for display type,
# a sans-serif for everything else. Two faces (plus the CJK fallback) keep the PDF small.
page a4 landscape
margin 18

font display /usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf /usr/share/fonts/truetype/arphic/uming.ttc@0
font sans /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf /usr/share/fonts/truetype/arphic/uming.ttc@0

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
qr 239 144 36
text 150 180.5 122 4 font=sans size=6 align=right colour=muted "Scan or visit to verify"
text 150 185 122 5 font=sans size=6.5 align=right colour=ink "{url}"
