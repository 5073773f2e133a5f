#!/bin/sh
# Prints a python interpreter of version $1 (e.g. 3.13): python$1 on PATH if it runs, else the
# newest pyenv-installed one; prints nothing when there is none (the Makefile then says so).
want="$1"
ok() { [ -n "$1" ] && "$1" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$want'.split('.'))))" 2>/dev/null; }
candidate=$(command -v "python$want" 2>/dev/null)
if ok "$candidate"; then echo "$candidate"; exit 0; fi
root=${PYENV_ROOT:-$HOME/.pyenv}
for candidate in $(ls -d "$root"/versions/"$want".*/bin/python"$want" 2>/dev/null | sort -V -r); do
  if ok "$candidate"; then echo "$candidate"; exit 0; fi
done
exit 0
