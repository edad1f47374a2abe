// glibc's malloc tuning (mallopt, malloc_trim), which the Glibc module does not import.
#ifndef SOKUHO_CMALLOC_H
#define SOKUHO_CMALLOC_H
#include <malloc.h>

#endif
