/* The C tests' checks: EXPECT counts a pass or prints the failure; expect_status also wants a one-line message on failure. */
#ifndef EDGELSTM_TEST_EXPECT_H
#define EDGELSTM_TEST_EXPECT_H

#include <stdio.h>
#include <string.h>
#include "edgelstm.h"

static int passed, failed;

#define EXPECT(cond, ...) do { if (cond) passed++; else { failed++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

static inline void expect_status(int got, int want, const char *what) {
    const char *message = edgelstm_last_error();
    EXPECT(got == want, "%s: status %d, expected %d (%s)", what, got, want, message ? message : "");
    if (want != EDGELSTM_OK) EXPECT(message != NULL && strlen(message) > 0 && strchr(message, '\n') == NULL, "%s: no one-line message", what);
}

#endif
