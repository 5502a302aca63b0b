/* libarchive loaded on first use instead of at process start.
 *
 * Linked the usual way, libarchive brings 10 more shared libraries into every Berth process (libxml2,
 * ICU 72, nettle, acl, lzma, zstd, lz4, bz2), about 1.5 ms of CPU each time the dynamic loader maps and
 * relocates them, in `berth --version`, `ps`, and in every container's monitor, none of which reads a tar.
 * Here each libarchive function Berth calls is a wrapper that finds the real one in libarchive.so.13,
 * opened with dlopen the first time any of them runs. The constructors (`archive_*_new`) return NULL when
 * the library cannot be loaded; `berth_archive_load_error` says why. */
#define _GNU_SOURCE
#include "CArchive.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define F(ret, name, params, args) ret(*name) params;
#define N(ret, name) ret (*name)(void);
static struct {
#include "archive_functions.h"
} table;
#undef F
#undef N

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[512];

static void load(void) {
    static const char *const candidates[] = {"libarchive.so.13", "libarchive.so"};
    void *handle = NULL;
    for (size_t i = 0; handle == NULL && i < sizeof candidates / sizeof candidates[0]; i++) {
        handle = dlopen(candidates[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (handle == NULL) {
        const char *reason = dlerror();
        snprintf(failure, sizeof failure, "cannot load libarchive (Debian: libarchive13): %s", reason ? reason : "not found");
        return;
    }
#define F(ret, name, params, args)                                                                  \
    *(void **)&table.name = dlsym(handle, #name);                                                   \
    if (table.name == NULL) {                                                                       \
        snprintf(failure, sizeof failure, "libarchive has no %s: it is older than Berth needs", #name); \
        return;                                                                                     \
    }
#define N(ret, name) F(ret, name, (void), ())
#include "archive_functions.h"
#undef F
#undef N
}

const char *berth_archive_load_error(void) {
    pthread_once(&once, load);
    return failure[0] ? failure : NULL;
}

/* A function with parameters is only reached with an object a constructor returned, so the library is
 * there; this stops with the reason rather than calling through a null pointer if that ever fails. */
static void require(const char *name) {
    if (berth_archive_load_error() != NULL) {
        fprintf(stderr, "berth: %s called without libarchive: %s\n", name, failure);
        abort();
    }
}

#define F(ret, name, params, args) \
    ret name params {              \
        require(#name);            \
        return table.name args;    \
    }
#define N(ret, name)                                                   \
    ret name(void) {                                                   \
        return berth_archive_load_error() == NULL ? table.name() : NULL; \
    }
#include "archive_functions.h"
#undef F
#undef N
