import os
import subprocess
import sys


def test_secret_key_is_generated_into_var_once_and_kept_private(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | {"IOMSHARE_VAR": str(tmp_path)}
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    run = lambda: subprocess.run(  # noqa: E731
        [
            sys.executable,
            "-c",
            f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='iomshare.settings'; {code}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    first, second = run(), run()
    assert first == second and len(first) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_debug_is_off_unless_asked_for():
    from django.conf import settings

    assert settings.DEBUG is (os.environ.get("DEBUG", "").lower() in {"1", "true", "yes"})
