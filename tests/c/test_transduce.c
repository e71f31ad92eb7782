/*
 * C ABI tests of edgelstm_model_transduce (API 3) on a grapheme-to-phoneme model: greedy and beam outputs, case,
 * UTF-8 errors, buffer sizes, errors, and four threads on one model giving the single-threaded results; and of kept
 * transducers (API 7) on one and two threads: the same outputs, their errors, one outliving its model, and the
 * time per word of each way.
 * Usage: test_transduce G2P.elstm CLASSIFIER.elstm   Prints "g2p WORD BEAM: PHONEMES" lines, a digest of them,
 * and "N passed, M failed" (exit code 1 on any failure).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <time.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include "edgelstm.h"
#include "expect.h"

static const char *words[] = { "HELLO", "EDGELSTM", "PHONEME", "QUIXOTIC", "O'BRIEN", "ANTIDISESTABLISHMENTARIANISM" };
#define WORDS (int)(sizeof words / sizeof words[0])
static char single[WORDS][2][256];
static edgelstm_model *shared;

static void *again(void *arg) {
    int *mismatches = arg;
    char out[256];
    size_t length;
    for (int round = 0; round < 10; round++)
        for (int i = 0; i < WORDS; i++)
            if (edgelstm_model_transduce(shared, words[i], 5, out, sizeof out, &length) != EDGELSTM_OK || strcmp(out, single[i][1]) != 0) (*mismatches)++;
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s G2P.elstm CLASSIFIER.elstm\n", argv[0]); return 2; }
    edgelstm_model *model = NULL;
    expect_status(edgelstm_model_load(argv[1], &model), EDGELSTM_OK, "load the g2p model");
    if (!model) { printf("%d passed, %d failed\n", passed, failed + 1); return 1; }
    edgelstm_model_info info = { .struct_size = sizeof info };
    expect_status(edgelstm_model_get_info(model, &info), EDGELSTM_OK, "info");
    EXPECT(strcmp(info.task, "seq2seq") == 0 && strcmp(info.head, "attention-decoder") == 0, "task %s, head %s", info.task, info.head);
    EXPECT(info.bidirectional == 1 && info.steppable == 0, "a bidirectional encoder; not steppable");

    uint64_t digest = 1469598103934665603ULL;
    for (int i = 0; i < WORDS; i++)
        for (int b = 0; b < 2; b++) {
            size_t length = 0;
            int beam = b == 0 ? 1 : 5;
            expect_status(edgelstm_model_transduce(model, words[i], beam, single[i][b], sizeof single[i][b], &length), EDGELSTM_OK, words[i]);
            EXPECT(length > 0 && length == strlen(single[i][b]), "%s: length %zu for '%s'", words[i], length, single[i][b]);
            printf("g2p %s %d: %s\n", words[i], beam, single[i][b]);
            for (const char *p = single[i][b]; *p; p++) digest = (digest ^ (unsigned char)*p) * 1099511628211ULL;
        }
    printf("transduce digest %016llx (kernels %s)\n", (unsigned long long)digest, edgelstm_kernel_name());

    /* Lower case is the same word; a character outside the alphabet is named, also when it is multi-byte. */
    char out[256];
    size_t length = 0;
    expect_status(edgelstm_model_transduce(model, "hello", 5, out, sizeof out, &length), EDGELSTM_OK, "lower case");
    EXPECT(strcmp(out, single[0][1]) == 0, "hello → '%s', HELLO → '%s'", out, single[0][1]);
    expect_status(edgelstm_model_transduce(model, "h\xc3\xa9llo", 5, out, sizeof out, &length), EDGELSTM_INVALID_ARGUMENT, "é");
    EXPECT(strstr(edgelstm_last_error(), "\xc3\xa9") != NULL, "the message names é: %s", edgelstm_last_error());
    expect_status(edgelstm_model_transduce(model, "he\xffllo", 5, out, sizeof out, &length), EDGELSTM_INVALID_ARGUMENT, "invalid UTF-8");
    expect_status(edgelstm_model_transduce(model, "", 5, out, sizeof out, &length), EDGELSTM_INVALID_ARGUMENT, "empty word");
    /* Buffers: the length needed comes back with EDGELSTM_BUFFER_TOO_SMALL, and then fits exactly. */
    size_t needed = 0;
    expect_status(edgelstm_model_transduce(model, "HELLO", 5, out, 3, &needed), EDGELSTM_BUFFER_TOO_SMALL, "3-byte buffer");
    EXPECT(needed == strlen(single[0][1]), "needed %zu, expected %zu", needed, strlen(single[0][1]));
    expect_status(edgelstm_model_transduce(model, "HELLO", 5, NULL, 0, &needed), EDGELSTM_BUFFER_TOO_SMALL, "size query");
    char exact[256];
    expect_status(edgelstm_model_transduce(model, "HELLO", 5, exact, needed + 1, &length), EDGELSTM_OK, "exact buffer");
    /* Arguments. */
    expect_status(edgelstm_model_transduce(model, NULL, 5, out, sizeof out, &length), EDGELSTM_INVALID_ARGUMENT, "NULL text");
    expect_status(edgelstm_model_transduce(model, "HELLO", 0, out, sizeof out, &length), EDGELSTM_INVALID_ARGUMENT, "beam 0");
    expect_status(edgelstm_model_transduce(model, "HELLO", 9, out, sizeof out, &length), EDGELSTM_INVALID_ARGUMENT, "beam 9");
    expect_status(edgelstm_model_transduce(model, "HELLO", 5, out, sizeof out, NULL), EDGELSTM_INVALID_ARGUMENT, "NULL length");
    expect_status(edgelstm_model_transduce(NULL, "HELLO", 5, out, sizeof out, &length), EDGELSTM_INVALID_HANDLE, "NULL model");
    edgelstm_session *session = NULL;
    expect_status(edgelstm_session_create(model, 1, &session), EDGELSTM_UNSUPPORTED, "a session on a seq2seq model");

    shared = model;
    pthread_t threads[4];
    int mismatches[4] = { 0 };
    for (int t = 0; t < 4; t++) pthread_create(&threads[t], NULL, again, &mismatches[t]);
    for (int t = 0; t < 4; t++) pthread_join(threads[t], NULL);
    EXPECT(mismatches[0] + mismatches[1] + mismatches[2] + mismatches[3] == 0, "threads: %d outputs differ", mismatches[0] + mismatches[1] + mismatches[2] + mismatches[3]);

    /* Kept transducers: the per-call outputs on one and two threads, and the time per word of each way (best of 5 rounds). */
    edgelstm_transducer *kept[2] = { NULL, NULL };
    expect_status(edgelstm_transducer_create(model, 1, &kept[0]), EDGELSTM_OK, "transducer, 1 thread");
    expect_status(edgelstm_transducer_create(model, 2, &kept[1]), EDGELSTM_OK, "transducer, 2 threads");
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < WORDS; i++)
            for (int b = 0; b < 2; b++) {
                expect_status(edgelstm_transducer_run(kept[k], words[i], b ? 5 : 1, out, sizeof out, &length), EDGELSTM_OK, words[i]);
                EXPECT(strcmp(out, single[i][b]) == 0, "kept transducer (%d threads), %s beam %d: %s vs %s", k + 1, words[i], b ? 5 : 1, out, single[i][b]);
            }
    double best[3] = { 1e30, 1e30, 1e30 };
    for (int round = 0; round < 5; round++)
        for (int way = 0; way < 3; way++) {
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            for (int i = 0; i < WORDS; i++)
                if (way == 0) edgelstm_model_transduce(model, words[i], 5, out, sizeof out, &length);
                else edgelstm_transducer_run(kept[way - 1], words[i], 5, out, sizeof out, &length);
            clock_gettime(CLOCK_MONOTONIC, &t1);
            double us = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e3 / WORDS;
            if (us < best[way]) best[way] = us;
        }
    printf("g2p beam 5, us per word (best of 5 rounds of %d words): per call %.1f, kept %.1f, kept on 2 threads %.1f\n", WORDS, best[0], best[1], best[2]);
    expect_status(edgelstm_transducer_run(kept[0], "HELLO", 9, out, sizeof out, &length), EDGELSTM_INVALID_ARGUMENT, "kept: beam 9");
    expect_status(edgelstm_transducer_run(kept[0], NULL, 5, out, sizeof out, &length), EDGELSTM_INVALID_ARGUMENT, "kept: NULL text");
    expect_status(edgelstm_transducer_run(kept[0], "HELLO", 5, out, 3, &needed), EDGELSTM_BUFFER_TOO_SMALL, "kept: 3-byte buffer");
    edgelstm_transducer *refused = NULL;
    expect_status(edgelstm_transducer_create(model, 3, &refused), EDGELSTM_INVALID_ARGUMENT, "transducer, 3 threads");
    EXPECT(refused == NULL, "a refused create leaves NULL");
    expect_status(edgelstm_transducer_create(model, 1, NULL), EDGELSTM_INVALID_ARGUMENT, "transducer: NULL out");
    expect_status(edgelstm_transducer_free(kept[1]), EDGELSTM_OK, "free the 2-thread transducer");
    expect_status(edgelstm_transducer_run(kept[1], "HELLO", 5, out, sizeof out, &length), EDGELSTM_INVALID_HANDLE, "freed transducer");
    expect_status(edgelstm_transducer_free(kept[1]), EDGELSTM_INVALID_HANDLE, "freed twice");

    edgelstm_model *classifier = NULL;
    expect_status(edgelstm_model_load(argv[2], &classifier), EDGELSTM_OK, "load the classifier");
    expect_status(edgelstm_model_transduce(classifier, "HELLO", 1, out, sizeof out, &length), EDGELSTM_UNSUPPORTED, "transduce with a classifier");
    edgelstm_transducer *wrong = NULL;
    expect_status(edgelstm_transducer_create(classifier, 1, &wrong), EDGELSTM_UNSUPPORTED, "a transducer on a classifier");
    edgelstm_model_free(classifier);
    expect_status(edgelstm_model_free(model), EDGELSTM_OK, "free");
    expect_status(edgelstm_model_transduce(model, "HELLO", 1, out, sizeof out, &length), EDGELSTM_INVALID_HANDLE, "freed model");
    /* A kept transducer outlives its model: it holds the weights until it is freed. */
    expect_status(edgelstm_transducer_run(kept[0], words[0], 5, out, sizeof out, &length), EDGELSTM_OK, "kept transducer after its model was freed");
    EXPECT(strcmp(out, single[0][1]) == 0, "after the model was freed: %s", out);
    expect_status(edgelstm_transducer_free(kept[0]), EDGELSTM_OK, "free the transducer");
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
