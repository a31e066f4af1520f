#ifndef AFT_CHIREDIS_SHIM_H
#define AFT_CHIREDIS_SHIM_H

// Debian 12 ships hiredis 0.14.1: RESP2 only, no TLS, no redisConnectWithOptions.
#include <hiredis/hiredis.h>

#endif
