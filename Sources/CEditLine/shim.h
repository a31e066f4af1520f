#ifndef AFT_CEDITLINE_SHIM_H
#define AFT_CEDITLINE_SHIM_H

// libedit's own header; GNU readline's headers are installed too and must not be used.
#include <histedit.h>

#endif
