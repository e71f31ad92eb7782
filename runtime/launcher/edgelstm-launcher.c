/*
 * edgelstm (x64): NativeAOT fixes the instruction set at build time and a binary built for AVX-512 aborts
 * on a CPU without it, so the x64 release ships two builds and this launcher runs the right one:
 * edgelstm-x86-64-v4 (AVX-512) when the CPU has AVX-512 F/BW/CD/DQ/VL, else edgelstm-x86-64-v3 (AVX2).
 * EDGELSTM_X64_LEVEL=v3 or v4 overrides the choice.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int has_v4(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512cd")
        && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
}

int main(int argc, char **argv) {
    (void)argc;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0) { perror("edgelstm: /proc/self/exe"); return 1; }
    self[n] = '\0';
    const char *level = getenv("EDGELSTM_X64_LEVEL");
    int v4 = level ? strcmp(level, "v4") == 0 : has_v4();
    char target[PATH_MAX];
    snprintf(target, sizeof target, "%s/edgelstm-x86-64-%s", dirname(self), v4 ? "v4" : "v3");
    argv[0] = target;
    execv(target, argv);
    fprintf(stderr, "edgelstm: cannot run %s: %s\n", target, strerror(errno));
    return 1;
}
