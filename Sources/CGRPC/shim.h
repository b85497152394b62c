// libc headers first: grpc's platform header defines _GNU_SOURCE, which otherwise makes
// Glibc and this module disagree about fd_set.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/select.h>
#include <time.h>
#include <pthread.h>

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/slice.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>
#include <grpc/support/log.h>

// Macros Swift cannot import.
// Takes a pointer: an inlined slice keeps its bytes inside the struct, so a by-value parameter
// would hand back a pointer into this function's own (dead) copy.
static inline const uint8_t *cgrpc_slice_start(const grpc_slice *s) { return GRPC_SLICE_START_PTR(*s); }
static inline size_t cgrpc_slice_length(grpc_slice s) { return GRPC_SLICE_LENGTH(s); }
static inline uint32_t cgrpc_propagate_defaults(void) { return GRPC_PROPAGATE_DEFAULTS; }
