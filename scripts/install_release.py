"""`make upgrade`'s release swap (scripts/install.py): the running release's code set aside while the new one is
tried, and put back when the new one's migration fails; the backup `flask backup` made before. Standard library
only, like install.py."""
import shutil


def release_aside(prefix, code):
    """The running release's code moved to prefix/.previous (replacing an older one kept there)."""
    previous = prefix / ".previous"
    if previous.exists():
        shutil.rmtree(previous)
    previous.mkdir()
    for name in code:
        if (prefix / name).exists():
            (previous / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(prefix / name), str(previous / name))
    return previous


def release_back(prefix, previous, code):
    """The code kept by release_aside in place again, the failed release's code gone."""
    for name in code:
        target = prefix / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        if (previous / name).exists():
            shutil.move(str(previous / name), str(target))
    shutil.rmtree(previous)


def backup_file(output):
    """The file `flask backup` made: its first line is 备份完成：<path>."""
    return output.splitlines()[0].split("：", 1)[1].strip()
