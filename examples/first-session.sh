#!/bin/sh
# A first session with aft: single and multi-key writes, a transaction that
# spans processes and stays invisible until commit, then the history tools.
#
# It uses the default store ($AFT_STORE, else ~/.local/share/aft/aft.db) and
# only keys under demo:, whose values it sets afresh each time, so it can run
# any number of times. AFT is the aft binary (default: aft on PATH).

set -eu

AFT=${AFT:-aft}
# Commands without -t must run outside any transaction, even if the caller set one.
unset AFT_TXN

# Print a step heading.
print_step() {
    printf '\n== %s\n' "$*"
}

# Print a command as it would be typed, then run it with AFT in place of aft.
# The transaction id prints as "$tx", and an argument with spaces is quoted.
show_and_run() {
    printf '$ aft'
    for argument in "$@"; do
        case $argument in
            "${tx:-}") printf ' "$tx"' ;;
            *[!A-Za-z0-9:=._-]*) printf " '%s'" "$argument" ;;
            *) printf ' %s' "$argument" ;;
        esac
    done
    printf '\n'
    "$AFT" "$@"
}

print_step "Which store is this? (set AFT_STORE or pass --store to use another)"
show_and_run stats

print_step "Write one key and read it back. Each command is one transaction."
show_and_run put demo:greeting "hello from aft"
show_and_run get demo:greeting

print_step "Write two keys in one transaction: both become visible together."
show_and_run put demo:alice=100 demo:bob=50
show_and_run get demo:alice demo:bob

print_step "Start a transaction that spans processes. 'aft begin' prints its id."
printf '$ tx=$(aft begin)\n'
tx=$("$AFT" begin)
echo "tx=$tx"

print_step "Read inside it, then stage a transfer of 30 from alice to bob."
show_and_run get -t "$tx" demo:alice demo:bob
show_and_run put -t "$tx" demo:alice=70 demo:bob=80
echo "Inside the transaction, its own writes are visible:"
show_and_run get -t "$tx" demo:alice demo:bob

print_step "Meanwhile another process, outside the transaction, still sees the old values."
show_and_run get demo:alice demo:bob

print_step "Commit. Both writes become visible at once."
show_and_run commit "$tx"
show_and_run get demo:alice demo:bob

print_step "The committed versions of a key, newest first, with the keys written alongside:"
show_and_run history -n 3 demo:alice

print_step "The commit log, newest first:"
show_and_run log -n 3

print_step "One transaction in full: what it read and what it wrote."
show_and_run show "$tx"

printf '\nDone. Try it yourself: %s --help, %s help put, %s help exit-codes.\n' "$AFT" "$AFT" "$AFT"
printf 'Put it on your PATH with: make install PREFIX=$HOME/.local\n'
