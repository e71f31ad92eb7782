/*
 * C ABI tests of edgelstm_model_transduce (API 3) on a grapheme-to-phoneme model: greedy and beam outputs, case,
 * UTF-8 errors, buffer sizes, errors, and four threads on one model giving the single-threaded results.
 * Usage: test_transduce G2P.elstm CLASSIFIER.elstm   Prints "g2p WORD BEAM: PHONEMES" lines, a digest of them,
 * and "N passed, M failed" (exit code 1 on any failure).
 */
#define _GNU_SOURCE
#include <pthread.h>
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

    edgelstm_model *classifier = NULL;
    expect_status(edgelstm_model_load(argv[2], &classifier), EDGELSTM_OK, "load the classifier");
    expect_status(edgelstm_model_transduce(classifier, "HELLO", 1, out, sizeof out, &length), EDGELSTM_UNSUPPORTED, "transduce with a classifier");
    edgelstm_model_free(classifier);
    expect_status(edgelstm_model_free(model), EDGELSTM_OK, "free");
    expect_status(edgelstm_model_transduce(model, "HELLO", 1, out, sizeof out, &length), EDGELSTM_INVALID_HANDLE, "freed model");
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
