#!/bin/sh
# Read integer balances in one aft transaction and print them with their total.
#
# usage: check-balances.sh [-n COUNT] KEY...
#
# Each read is a single 'aft get KEY...', so it reads every key at one
# consistent point and never sees half of another transaction. With -n COUNT it reads
# COUNT times and prints one line per read, such as
#     balance:alice=60 balance:bob=90 total=150
#
# Environment: AFT is the aft binary (default: aft on PATH); AFT_STORE picks the
# store. TRANSFER_CONSISTENCY=lww reads without aft's guarantees.

set -u

AFT=${AFT:-aft}
# Each read is a transaction of its own, even if the caller set AFT_TXN.
unset AFT_TXN

count=1
if [ "${1:-}" = -n ]; then
    count=${2:-}
    shift
    [ "$#" -gt 0 ] && shift
fi
case $count in
    '' | *[!0-9]*)
        echo "check-balances.sh: invalid COUNT '$count'; give a whole number" >&2
        exit 64
        ;;
esac
if [ "$#" -lt 1 ]; then
    echo "usage: check-balances.sh [-n COUNT] KEY..." >&2
    exit 64
fi

read_once() {
    # 'aft get' prints one key's value alone, and "KEY VALUE" lines for several.
    # A quoted key may contain spaces, so the value is the text after the last one.
    output=$("$AFT" --consistency "${TRANSFER_CONSISTENCY:-read-atomic}" get -- "$@") || return
    if [ "$#" -eq 1 ]; then
        output="$1 $output"
    fi
    total=0
    fields=
    while IFS= read -r line; do
        value=${line##* }
        total=$((total + value))
        fields="$fields${line% *}=$value "
    done <<END
$output
END
    echo "${fields}total=$total"
}

i=0
while [ "$i" -lt "$count" ]; do
    read_once "$@" || exit
    i=$((i + 1))
done
