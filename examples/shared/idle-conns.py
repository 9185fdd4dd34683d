# Opens N keep-alive connections to HOST:PORT, each makes one GET PATH with the token, then holds; prints when all are held.
# Opened by examples/shared/http-sitting.sh (docs/benchmarks.md).
import socket, sys, time
host, port, path, token, n, hold = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), float(sys.argv[6])
socks = []
ok = 0
for i in range(n):
    s = socket.create_connection((host, port))
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nConnection: keep-alive\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(65536)
    head, body = data.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    while len(body) < length:
        body += s.recv(65536)
    if head.startswith(b"HTTP/1.1 200"):
        ok += 1
    socks.append(s)
print(f"held {len(socks)} connections, {ok} answered 200", flush=True)
time.sleep(hold)
