/*
 * C ABI tests of API version 5: edgelstm_runner. A runner on one or two threads gives exactly what
 * edgelstm_model_run_text/_tokens give (a classifier, a bidirectional tagger, a forward-only character model), across
 * inputs that grow and shrink; it outlives its model; two runners on two threads agree; errors are statuses.
 * Usage: test_runner CLASSIFIER.elstm TAGGER.elstm CHAR_MODEL.elstm   (prints "N passed, M failed"; exit code 1 on any failure)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include "edgelstm.h"
#include "expect.h"

static const char *sentences[] = {
    "This is a great phone, I love it.",
    "Terrible service and the food was cold.",
    "The movie was boring and far too long, and the acting was no better than the script, which was awful.",
    "Excellent value.",
};
#define SENTENCES (int)(sizeof sentences / sizeof sentences[0])

/* Song ci without punctuation: 30 characters, and a longer line made of it repeated. */
static const char *ci = "\xe6\x98\xa5\xe8\x8a\xb1\xe7\xa7\x8b\xe6\x9c\x88\xe4\xbd\x95\xe6\x97\xb6\xe4\xba\x86\xe5\xbe\x80\xe4\xba\x8b\xe7\x9f\xa5\xe5\xa4\x9a"
                        "\xe5\xb0\x91\xe5\xb0\x8f\xe6\xa5\xbc\xe6\x98\xa8\xe5\xa4\x9c\xe5\x8f\x88\xe4\xb8\x9c\xe9\xa3\x8e\xe6\x95\x85\xe5\x9b\xbd\xe4\xb8\x8d"
                        "\xe5\xa0\xaa\xe5\x9b\x9e\xe9\xa6\x96\xe6\x9c\x88\xe6\x98\x8e\xe4\xb8\xad";

#define MAX_OUT 65536
static float expected[MAX_OUT], got[MAX_OUT];

/* The model's own per-call run of a text, then the runner's: same count, same bytes. */
static void compare_text(edgelstm_model *model, edgelstm_runner *runner, const char *text, const char *what) {
    size_t want = 0, have = 0;
    expect_status(edgelstm_model_run_text(model, text, NULL, expected, MAX_OUT, &want), EDGELSTM_OK, what);
    expect_status(edgelstm_runner_run_text(runner, text, NULL, got, MAX_OUT, &have), EDGELSTM_OK, what);
    EXPECT(want == have && want > 0 && memcmp(expected, got, want * sizeof(float)) == 0, "%s: runner gave %zu floats, the model %zu, or other values", what, have, want);
}

struct worker { edgelstm_model *model; const char *text; int mismatches; };

static void *run_repeatedly(void *arg) {
    struct worker *w = arg;
    float *mine = malloc(MAX_OUT * sizeof(float)), *reference = malloc(MAX_OUT * sizeof(float));
    size_t n = 0, m = 0;
    edgelstm_runner *runner = NULL;
    if (!mine || !reference || edgelstm_runner_create(w->model, 2, &runner) != EDGELSTM_OK) { w->mismatches++; free(mine); free(reference); return NULL; }
    edgelstm_model_run_text(w->model, w->text, NULL, reference, MAX_OUT, &m);
    for (int round = 0; round < 30; round++)
        if (edgelstm_runner_run_text(runner, w->text, NULL, mine, MAX_OUT, &n) != EDGELSTM_OK || n != m || memcmp(mine, reference, n * sizeof(float)) != 0)
            w->mismatches++;
    edgelstm_runner_free(runner);
    free(mine);
    free(reference);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s CLASSIFIER.elstm TAGGER.elstm CHAR_MODEL.elstm\n", argv[0]); return 2; }
    EXPECT(edgelstm_api_version() >= 6, "api version %d, runners with threads auto need 6", edgelstm_api_version());

    edgelstm_model *classifier = NULL, *tagger = NULL, *chars = NULL;
    expect_status(edgelstm_model_load(argv[1], &classifier), EDGELSTM_OK, "load classifier");
    expect_status(edgelstm_model_load(argv[2], &tagger), EDGELSTM_OK, "load tagger");
    expect_status(edgelstm_model_load(argv[3], &chars), EDGELSTM_OK, "load char model");
    if (!classifier || !tagger || !chars) { printf("%d passed, %d failed\n", passed, failed + 1); return 1; }

    /* Auto (API 6), one and two threads, on each model, over inputs that grow and shrink (buffers sized by the longest so far). */
    char long_ci[4096] = "";
    for (int i = 0; i < 12; i++) strcat(long_ci, ci);
    for (int threads = EDGELSTM_THREADS_AUTO; threads <= 2; threads++) {
        edgelstm_runner *runner = NULL;
        expect_status(edgelstm_runner_create(classifier, threads, &runner), EDGELSTM_OK, "runner on the classifier");
        for (int i = 0; i < SENTENCES; i++) compare_text(classifier, runner, sentences[i], "classifier");
        edgelstm_run_params soft = edgelstm_run_default_params();
        soft.softmax = 1;
        float a[2], b[2];
        size_t n = 0, m = 0;
        expect_status(edgelstm_model_run_text(classifier, sentences[0], &soft, a, 2, &n), EDGELSTM_OK, "model softmax");
        expect_status(edgelstm_runner_run_text(runner, sentences[0], &soft, b, 2, &m), EDGELSTM_OK, "runner softmax");
        EXPECT(n == 2 && m == 2 && memcmp(a, b, sizeof a) == 0 && b[0] + b[1] > 0.999f, "softmax through the runner");
        int32_t ids[256];
        size_t count = 0;
        expect_status(edgelstm_model_encode(classifier, sentences[2], ids, 256, &count), EDGELSTM_OK, "encode");
        expect_status(edgelstm_runner_run_tokens(runner, ids, count, NULL, b, 2, &m), EDGELSTM_OK, "runner tokens");
        expect_status(edgelstm_model_run_text(classifier, sentences[2], NULL, a, 2, &n), EDGELSTM_OK, "model text");
        EXPECT(memcmp(a, b, sizeof a) == 0, "run_tokens on the runner differs from the model's run_text");
        /* Errors leave the runner usable. */
        float one[1];
        expect_status(edgelstm_runner_run_text(runner, sentences[0], NULL, one, 1, &m), EDGELSTM_BUFFER_TOO_SMALL, "runner into one float");
        EXPECT(m == 2, "needed size reported as %zu", m);
        int32_t bad[2] = { 5, 1 << 30 };
        expect_status(edgelstm_runner_run_tokens(runner, bad, 2, NULL, b, 2, &m), EDGELSTM_INVALID_ARGUMENT, "runner: token out of range");
        expect_status(edgelstm_runner_run_tokens(runner, NULL, 2, NULL, b, 2, &m), EDGELSTM_INVALID_ARGUMENT, "runner: NULL tokens");
        expect_status(edgelstm_runner_run_tokens(runner, bad, 0, NULL, b, 2, &m), EDGELSTM_INVALID_ARGUMENT, "runner: empty sequence");
        expect_status(edgelstm_runner_run_text(runner, "bad \xff byte", NULL, b, 2, &m), EDGELSTM_INVALID_ARGUMENT, "runner: invalid UTF-8");
        edgelstm_run_params unset = { 0 };
        expect_status(edgelstm_runner_run_text(runner, sentences[0], &unset, b, 2, &m), EDGELSTM_INVALID_ARGUMENT, "runner: params without struct_size");
        compare_text(classifier, runner, sentences[1], "classifier after errors");
        expect_status(edgelstm_runner_free(runner), EDGELSTM_OK, "free classifier runner");

        expect_status(edgelstm_runner_create(tagger, threads, &runner), EDGELSTM_OK, "runner on the tagger");
        compare_text(tagger, runner, ci, "tagger, 30 characters");
        compare_text(tagger, runner, long_ci, "tagger, 360 characters");
        compare_text(tagger, runner, ci, "tagger, 30 characters again");
        expect_status(edgelstm_runner_free(runner), EDGELSTM_OK, "free tagger runner");

        expect_status(edgelstm_runner_create(chars, threads, &runner), EDGELSTM_OK, "runner on the character model");
        compare_text(chars, runner, "Call me Ishmael. Some years ago", "character model");
        expect_status(edgelstm_runner_free(runner), EDGELSTM_OK, "free character model runner");
    }

    /* Two threads, each with its own two-thread runner on the shared tagger. */
    pthread_t workers[2];
    struct worker w[2] = { { tagger, ci, 0 }, { tagger, long_ci, 0 } };
    for (int t = 0; t < 2; t++) pthread_create(&workers[t], NULL, run_repeatedly, &w[t]);
    for (int t = 0; t < 2; t++) pthread_join(workers[t], NULL);
    EXPECT(w[0].mismatches + w[1].mismatches == 0, "concurrent runners disagreed %d times", w[0].mismatches + w[1].mismatches);

    /* Handles: bad arguments, freed and foreign handles. */
    edgelstm_runner *runner = (edgelstm_runner *)0x1;
    expect_status(edgelstm_runner_create(classifier, -1, &runner), EDGELSTM_INVALID_ARGUMENT, "threads -1");
    EXPECT(runner == NULL, "a failed create leaves NULL");
    expect_status(edgelstm_runner_create(classifier, 3, &runner), EDGELSTM_INVALID_ARGUMENT, "threads 3");
    expect_status(edgelstm_runner_create(classifier, 1, NULL), EDGELSTM_INVALID_ARGUMENT, "NULL runner pointer");
    expect_status(edgelstm_runner_create(NULL, 1, &runner), EDGELSTM_INVALID_HANDLE, "NULL model");
    float out[2];
    size_t count = 0;
    expect_status(edgelstm_runner_run_text(NULL, "ok", NULL, out, 2, &count), EDGELSTM_INVALID_HANDLE, "run on NULL runner");
    expect_status(edgelstm_runner_run_text((edgelstm_runner *)classifier, "ok", NULL, out, 2, &count), EDGELSTM_INVALID_HANDLE, "a model handle is not a runner");
    expect_status(edgelstm_runner_create(classifier, 2, &runner), EDGELSTM_OK, "runner");
    expect_status(edgelstm_runner_free(runner), EDGELSTM_OK, "free");
    expect_status(edgelstm_runner_free(runner), EDGELSTM_INVALID_HANDLE, "double free");
    expect_status(edgelstm_runner_run_text(runner, "ok", NULL, out, 2, &count), EDGELSTM_INVALID_HANDLE, "run on a freed runner");
    expect_status(edgelstm_runner_free(NULL), EDGELSTM_INVALID_HANDLE, "free NULL");

    /* A runner outlives its model: same outputs after edgelstm_model_free, and no new runner from the freed model. */
    size_t want = 0, have = 0;
    expect_status(edgelstm_model_run_text(tagger, long_ci, NULL, expected, MAX_OUT, &want), EDGELSTM_OK, "tagger before free");
    expect_status(edgelstm_runner_create(tagger, 2, &runner), EDGELSTM_OK, "runner before free");
    expect_status(edgelstm_model_free(tagger), EDGELSTM_OK, "free tagger");
    expect_status(edgelstm_runner_run_text(runner, long_ci, NULL, got, MAX_OUT, &have), EDGELSTM_OK, "runner after its model's free");
    EXPECT(want == have && memcmp(expected, got, want * sizeof(float)) == 0, "outputs after the model's free differ");
    edgelstm_runner *late = NULL;
    expect_status(edgelstm_runner_create(tagger, 1, &late), EDGELSTM_INVALID_HANDLE, "runner from a freed model");
    expect_status(edgelstm_runner_free(runner), EDGELSTM_OK, "free runner after its model");

    edgelstm_model_free(classifier);
    edgelstm_model_free(chars);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
