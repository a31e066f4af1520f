#!/bin/sh
# Plays anomaly demos in both consistency modes, each on a fresh in-memory store.
#
# usage: examples/anomalies/play.sh [FILE.aft...]
# With no FILE, plays every .aft file beside this script. Each file runs as
# 'aft shell --echo --keep-going', so the output reads as a transcript with
# the prompts and comments of the file, and errors (such as a key read as
# absent) appear where they happen. $AFT names the aft binary (default: aft).
set -u
AFT=${AFT:-aft}
here=$(dirname "$0")
if [ $# -eq 0 ]; then
    set -- "$here"/*.aft
fi
for file in "$@"; do
    for mode in read-atomic lww; do
        echo "=== $(basename "$file" .aft), --consistency $mode"
        "$AFT" --store memory: --consistency "$mode" shell --echo --keep-going < "$file" 2>&1
        echo
    done
done
