"""Wait until the SMTP server on 127.0.0.1:PORT greets (220), at most 20 s; exit 1 if it never does."""
import socket
import sys
import time

end = time.time() + 20
while time.time() < end:
    try:
        with socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1) as s:
            if s.recv(200).startswith(b"220"):
                s.sendall(b"QUIT\r\n")
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.05)
sys.exit(1)
