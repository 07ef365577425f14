"""The `gongkai` command: Django's management commands under one name.

`gongkai serve`, `gongkai demo`, `gongkai import`, `gongkai search`, ... are
management commands of the apps; any Django command (migrate, createsuperuser)
works too.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "gongkai"
    if len(argv) == 1:
        argv.append("help")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
