"""The certificate page's way back and its wording, and fingerprints that break only between groups."""
import re
import sys

from factories import ROOT, inline_text

from portal.exchange import signing

sys.path.insert(0, str(ROOT / "scripts"))
import install  # noqa: E402

GROUP = re.compile(r'<span class="fp">([^<]*)</span>')


def fingerprint_html(page):
    return re.search(r'<code class="fingerprint">(.*?)</code>', page).group(1)


def test_the_way_back_is_the_login_when_signed_out_and_home_when_signed_in(client, users, login_as):
    page = client.get("/certificate").get_data(as_text=True)
    assert "返回登录" in page and "返回首页" not in page
    assert "本机尚未配置 HTTPS 证书，请联系系统管理员按部署说明完成安装" in page and "make" not in page
    login_as("worker")
    page = client.get("/certificate").get_data(as_text=True)
    assert '<a href="/">返回首页</a>' in page and "返回登录" not in page


def test_the_certificate_fingerprint_breaks_only_between_its_pairs(app, client, tmp_path):
    printed = install.make_certificates(tmp_path / "tls", "127.0.0.1", "station-pc")
    app.config["CA_CERT"] = str(tmp_path / "tls/ca.crt")
    response = client.get("/certificate")
    html = fingerprint_html(response.get_data(as_text=True))
    groups = GROUP.findall(html)
    assert len(groups) == 32 and all(re.fullmatch(r"[0-9A-F]{2}", group) for group in groups)
    assert GROUP.sub("", html) == ":<wbr>" * 31  # a break is offered after each colon, nowhere else
    assert ":".join(groups) in inline_text(response) and ":".join(groups) in printed.upper()


def test_the_signing_key_fingerprint_breaks_only_between_its_groups(app, client, login_as):
    with app.app_context():
        key, _ = signing.make_key()
        fingerprint = signing.fingerprint(key)
    login_as("lead")
    html = fingerprint_html(client.get("/settings/").get_data(as_text=True))
    assert GROUP.findall(html) == fingerprint.split(" ") and len(fingerprint.split(" ")) == 16
    assert GROUP.sub("", html) == " " * 15
