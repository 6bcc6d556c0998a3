"""Solve the portal's score-report challenge as its script does: print the first nonce for which
SHA-256(SEED \\n REG \\n lower(EMAIL) \\n NONCE) starts with BITS zero bits.
   python3 pow_solve.py SEED REG EMAIL [BITS]"""
import hashlib
import sys

seed, reg, email = sys.argv[1], sys.argv[2], sys.argv[3].lower()
bits = int(sys.argv[4]) if len(sys.argv) > 4 else 18
prefix = (seed + "\n" + reg + "\n" + email + "\n").encode()
limit = 1 << (256 - bits)
nonce = 0
while int.from_bytes(hashlib.sha256(prefix + str(nonce).encode()).digest(), "big") >= limit:
    nonce += 1
print(nonce)
