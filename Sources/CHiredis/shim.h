#ifndef AFT_CHIREDIS_SHIM_H
#define AFT_CHIREDIS_SHIM_H

// Debian 12 ships hiredis 0.14.1: RESP2 only, no TLS, no redisConnectWithOptions.
#include <hiredis/hiredis.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

// hiredis 0.14.1 writes to its socket with write(2), so a write to a connection the
// server has reset raises SIGPIPE, which kills a process that has not ignored it.
// These two calls block SIGPIPE in the calling thread around hiredis I/O and discard
// a SIGPIPE raised meanwhile, so the write fails with EPIPE instead and the
// signal disposition of the host program stays untouched.

typedef struct {
    sigset_t previous_mask;
    int was_pending;
} aft_sigpipe_guard;

static inline void aft_sigpipe_block(aft_sigpipe_guard *guard) {
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &block, &guard->previous_mask);

    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    guard->was_pending = sigismember(&pending, SIGPIPE) == 1;
}

static inline void aft_sigpipe_restore(aft_sigpipe_guard *guard) {
    // A SIGPIPE that was pending before the guard belongs to someone else and stays.
    if (!guard->was_pending) {
        sigset_t pending;
        sigemptyset(&pending);
        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE) == 1) {
            sigset_t only;
            sigemptyset(&only);
            sigaddset(&only, SIGPIPE);
            struct timespec no_wait = {0, 0};
            while (sigtimedwait(&only, NULL, &no_wait) == -1 && errno == EINTR) {
            }
        }
    }
    pthread_sigmask(SIG_SETMASK, &guard->previous_mask, NULL);
}

#endif
