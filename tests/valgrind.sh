#!/bin/sh
# Print the memcheck command line `make valgrind` runs the unit tests and the tools under (tests/run.sh,
# tests/e2e/lib.sh): any error, or a definite or indirect leak, makes the program exit 99.
top=$(cd "$(dirname "$0")/.." && pwd)
echo "valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect" \
	"--show-leak-kinds=definite,indirect --suppressions=$top/tests/valgrind.supp"
