#ifndef GMA_CGLPK_SHIM_H
#define GMA_CGLPK_SHIM_H
#include <glpk.h>
#endif
