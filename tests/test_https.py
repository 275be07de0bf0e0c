"""HTTPS: the tee sits above TLS, so the records hold the plaintext HTTP exchange."""
import datetime
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import FAST
from warc_helpers import items, records

PAGE = b"<html><head><title>Over TLS</title></head><body><article><h1>Over TLS</h1><p>Sent encrypted, stored plain.</p></article></body></html>"


def _self_signed(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2)).sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def tls_site(tmp_path):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path == "/robots.txt":
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200, "Fine Thanks")
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*_self_signed(tmp_path))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_https_exchange_archived_in_plaintext(tls_site, archiver_cmd, tmp_path):
    archive = tmp_path / "a"
    result = archiver_cmd(archive, "crawl", tls_site + "/news/1?x=1", *FAST)
    assert result.returncode == 0, result.stderr
    recs = records(archive)
    (resp,) = [r for r in recs if r["type"] == "response" and r["headers"]["WARC-Target-URI"].endswith("/news/1?x=1")]
    assert resp["http"].statusline == "200 Fine Thanks"
    assert resp["payload"] == PAGE
    protocols = [v for k, v in resp["headers_list"] if k == "WARC-Protocol"]
    assert protocols[0] == "http/1.1" and protocols[1].startswith("tls/1.")
    assert resp["headers"].get("WARC-Cipher-Suite")
    req = recs[recs.index(resp) + 1]
    assert req["type"] == "request" and req["http"].statusline.startswith("/news/1?x=1")
    assert req["http"].get_header("Host") == tls_site.removeprefix("https://")
    (item,) = items(archive)
    assert item["title"] == "Over TLS"
    assert archiver_cmd(archive, "verify").returncode == 0
