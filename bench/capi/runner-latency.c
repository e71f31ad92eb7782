/*
 * What an embedding host pays per text through the C ABI: edgelstm_model_run_text (a runner made per call) against an
 * edgelstm_runner kept between calls on one and on two threads, on the same texts. Rounds alternate the three ways;
 * each figure is the median over rounds of the mean µs per text in a round.
 * Build and run: ./build.sh bench capi   (usage: runner-latency MODEL.elstm TEXT [ROUNDS])
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "edgelstm.h"

#define MAX_OUT (1 << 20)
static float outputs[MAX_OUT];

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int check(int status, const char *what) {
    if (status != EDGELSTM_OK) { fprintf(stderr, "%s: %s\n", what, edgelstm_last_error()); exit(1); }
    return status;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s MODEL.elstm TEXT [ROUNDS]\n", argv[0]); return 2; }
    int rounds = argc > 3 ? atoi(argv[3]) : 31, reps = 20;
    edgelstm_model *model = NULL;
    check(edgelstm_model_load(argv[1], &model), "load");
    edgelstm_runner *one = NULL, *two = NULL;
    check(edgelstm_runner_create(model, 1, &one), "runner (1 thread)");
    check(edgelstm_runner_create(model, 2, &two), "runner (2 threads)");
    const char *text = argv[2];
    size_t count = 0;
    double *times[3];
    for (int k = 0; k < 3; k++) times[k] = malloc(sizeof(double) * (size_t)rounds);
    /* Warm-up: each way once (the runners size their buffers, the library starts its runtime). */
    check(edgelstm_model_run_text(model, text, NULL, outputs, MAX_OUT, &count), "run_text");
    check(edgelstm_runner_run_text(one, text, NULL, outputs, MAX_OUT, &count), "runner 1");
    check(edgelstm_runner_run_text(two, text, NULL, outputs, MAX_OUT, &count), "runner 2");
    for (int r = 0; r < rounds; r++)
        for (int k = 0; k < 3; k++) {
            double start = now_us();
            for (int i = 0; i < reps; i++) {
                if (k == 0) check(edgelstm_model_run_text(model, text, NULL, outputs, MAX_OUT, &count), "run_text");
                else check(edgelstm_runner_run_text(k == 1 ? one : two, text, NULL, outputs, MAX_OUT, &count), "runner");
            }
            times[k][r] = (now_us() - start) / reps;
        }
    const char *names[3] = { "edgelstm_model_run_text (runner per call)", "edgelstm_runner, 1 thread", "edgelstm_runner, 2 threads" };
    double median[3];
    for (int k = 0; k < 3; k++) {
        qsort(times[k], (size_t)rounds, sizeof(double), compare);
        median[k] = times[k][rounds / 2];
    }
    edgelstm_model_info info = { .struct_size = sizeof info };
    check(edgelstm_model_get_info(model, &info), "info");
    printf("%s (%s, %d %s layer(s)), %zu output floats a text, kernels %s, %d rounds x %d texts\n", argv[1], info.task, info.layers,
           info.bidirectional ? "bidirectional" : "forward", count, edgelstm_kernel_name(), rounds, reps);
    for (int k = 0; k < 3; k++)
        printf("  %-44s %9.1f µs/text  (per-call time / this: %.2fx)\n", names[k], median[k], median[0] / median[k]);
    edgelstm_runner_free(one);
    edgelstm_runner_free(two);
    edgelstm_model_free(model);
    for (int k = 0; k < 3; k++) free(times[k]);
    return 0;
}
