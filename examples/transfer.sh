#!/bin/sh
# Move AMOUNT from one integer balance to another in one aft transaction.
#
# usage: transfer.sh FROM TO AMOUNT
#
# The transaction spans several aft processes: 'aft begin' registers it, each
# 'get -t' and 'put -t' continues it, and nothing it writes is visible until
# 'aft commit'. Any failure aborts it, so no reader ever sees one balance
# changed without the other. The script exits with the failing aft command's
# status; 75 means the transaction was aborted and is safe to run again.
#
# When AFT_TXN is set, as under 'aft run -- transfer.sh …', the script works
# inside that transaction and leaves commit and abort to the caller.
#
# Environment: AFT is the aft binary (default: aft on PATH); AFT_STORE picks the
# store. TRANSFER_CONSISTENCY=lww runs the transfer without aft's guarantees,
# to show what plain storage does.

set -u

AFT=${AFT:-aft}

if [ "$#" -ne 3 ]; then
    echo "usage: transfer.sh FROM TO AMOUNT" >&2
    exit 64
fi
from=$1
to=$2
amount=$3

is_integer() {
    case $1 in
        '' | - | *[!0-9-]* | ?*-*) return 1 ;;
    esac
    return 0
}

if ! is_integer "$amount"; then
    echo "transfer.sh: invalid AMOUNT '$amount'; give a whole number" >&2
    exit 64
fi
if [ "$from" = "$to" ]; then
    echo "transfer.sh: FROM and TO are both '$from'; give two different keys" >&2
    exit 64
fi

if [ -n "${AFT_TXN:-}" ]; then
    tx=$AFT_TXN
    owns_transaction=false
else
    tx=$("$AFT" --consistency "${TRANSFER_CONSISTENCY:-read-atomic}" begin) || exit
    owns_transaction=true
fi

# Abort the transaction if this script began it, discarding its staged writes,
# and exit with STATUS.
fail() {
    if [ "$owns_transaction" = true ]; then
        "$AFT" -q abort "$tx" || echo "transfer.sh: failed to abort transaction $tx; run 'aft abort $tx'" >&2
    fi
    exit "$1"
}

from_balance=$("$AFT" get -t "$tx" -- "$from") || fail "$?"
to_balance=$("$AFT" get -t "$tx" -- "$to") || fail "$?"
if ! is_integer "$from_balance"; then
    echo "transfer.sh: balance '$from_balance' of $from is not a whole number; fix it with 'aft put'" >&2
    fail 65
fi
if ! is_integer "$to_balance"; then
    echo "transfer.sh: balance '$to_balance' of $to is not a whole number; fix it with 'aft put'" >&2
    fail 65
fi

# '--' keeps a negative balance from being read as an option.
"$AFT" -q put -t "$tx" -- "$from" "$((from_balance - amount))" || fail "$?"
"$AFT" -q put -t "$tx" -- "$to" "$((to_balance + amount))" || fail "$?"
if [ "$owns_transaction" = true ]; then
    "$AFT" -q commit "$tx" || fail "$?"
fi
