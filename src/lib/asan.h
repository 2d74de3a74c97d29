/*
 * ASan poisoning for the allocators of src/lib (pool.c, radix.c): slots not in use are
 * poisoned, so a use after free is reported even though the memory stays in a slab. No-ops
 * without AddressSanitizer.
 */
#ifndef BGP64_LIB_ASAN_H
#define BGP64_LIB_ASAN_H

#if defined(__SANITIZE_ADDRESS__)
#define BGP64_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BGP64_ASAN 1
#endif
#endif
#ifdef BGP64_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n)   ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n)   ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#endif
