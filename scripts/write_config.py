"""Write instance/config.py with a random SECRET_KEY, unless it already exists."""
import pathlib
import secrets
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = ROOT / "instance" / "config.py"


def main():
    if TARGET.exists():
        print("%s 已存在，未修改。" % TARGET)
        return 0
    example = (ROOT / "instance" / "config.example.py").read_text(encoding="utf-8")
    text = example.replace('"CHANGE-ME-TO-A-RANDOM-STRING"', repr(secrets.token_urlsafe(48)))
    TARGET.parent.mkdir(exist_ok=True)
    TARGET.write_text(text, encoding="utf-8")
    TARGET.chmod(0o600)
    print("已生成 %s（含随机密钥）。" % TARGET)
    return 0


if __name__ == "__main__":
    sys.exit(main())
