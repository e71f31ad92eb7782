/*
 * C ABI tests of API version 2: model information, whole-sequence runs and classification, on a classifier and
 * on a character model; error paths; four threads classifying on one model give the single-threaded results.
 * Usage: test_classify CLASSIFIER.elstm CHAR_MODEL.elstm   (prints "N passed, M failed"; exit code 1 on any failure)
 */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include "edgelstm.h"
#include "expect.h"

static const char *texts[] = {
    "This is a great phone, I love it.",
    "Terrible service and the food was cold.",
    "The movie was boring and far too long.",
    "Excellent value, works perfectly.",
};
#define TEXTS (int)(sizeof texts / sizeof texts[0])

static edgelstm_model *shared;
static int32_t single_labels[TEXTS];
static float single_probabilities[TEXTS];

static void *classify_all(void *arg) {
    int *mismatches = arg;
    for (int round = 0; round < 50; round++)
        for (int i = 0; i < TEXTS; i++) {
            int32_t label = -1;
            float p = 0;
            if (edgelstm_model_classify(shared, texts[i], &label, &p) != EDGELSTM_OK || label != single_labels[i] || p != single_probabilities[i]) (*mismatches)++;
        }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s CLASSIFIER.elstm CHAR_MODEL.elstm\n", argv[0]); return 2; }
    EXPECT(edgelstm_api_version() == EDGELSTM_API_VERSION, "api version %d, header %d", edgelstm_api_version(), EDGELSTM_API_VERSION);

    edgelstm_model *model = NULL;
    expect_status(edgelstm_model_load(argv[1], &model), EDGELSTM_OK, "load classifier");
    if (model == NULL) { printf("%d passed, %d failed\n", passed, failed + 1); return 1; }
    shared = model;

    edgelstm_model_info info = { .struct_size = sizeof info };
    expect_status(edgelstm_model_get_info(model, &info), EDGELSTM_OK, "get info");
    EXPECT(info.struct_size == sizeof info, "struct_size %zu", info.struct_size);
    EXPECT(strcmp(info.task, "classify") == 0 && strcmp(info.head, "classify") == 0, "task %s head %s", info.task, info.head);
    EXPECT(strcmp(info.input_kind, "tokens") == 0 && info.tokenizer && strcmp(info.tokenizer, "word") == 0, "input %s tokenizer %s", info.input_kind, info.tokenizer);
    EXPECT(info.bidirectional == 1 && info.steppable == 0 && info.layers >= 1, "bidirectional %d steppable %d layers %d", info.bidirectional, info.steppable, info.layers);
    EXPECT(info.label_count == 2 && info.output_size == 2 && info.vocab_size > 100 && info.max_steps > 0, "labels %d outputs %d vocab %d max_steps %d",
           info.label_count, info.output_size, info.vocab_size, info.max_steps);
    const char *negative = NULL, *positive = NULL;
    expect_status(edgelstm_model_label(model, 0, &negative), EDGELSTM_OK, "label 0");
    expect_status(edgelstm_model_label(model, 1, &positive), EDGELSTM_OK, "label 1");
    EXPECT(negative && positive && strcmp(negative, "negative") == 0 && strcmp(positive, "positive") == 0, "labels %s, %s", negative, positive);
    const char *none = NULL;
    expect_status(edgelstm_model_label(model, 2, &none), EDGELSTM_INVALID_ARGUMENT, "label index past the end");
    /* An older caller's smaller struct gets only its fields. */
    struct { size_t struct_size; const char *task; } old = { sizeof old, NULL };
    expect_status(edgelstm_model_get_info(model, (edgelstm_model_info *)&old), EDGELSTM_OK, "get info, older struct");
    EXPECT(old.struct_size == sizeof old && old.task && strcmp(old.task, "classify") == 0, "older struct: size %zu", old.struct_size);
    edgelstm_model_info unset = { 0 };
    expect_status(edgelstm_model_get_info(model, &unset), EDGELSTM_INVALID_ARGUMENT, "get info without struct_size");

    size_t count0 = 0;
    /* Classification, and the same through run_text and run_tokens. */
    int32_t expected_labels[TEXTS] = { 1, 0, 0, 1 };
    edgelstm_run_params params = edgelstm_run_default_params();
    EXPECT(params.struct_size == sizeof params && params.max_steps == 0 && params.softmax == 0, "default params");
    for (int i = 0; i < TEXTS; i++) {
        int32_t label = -1;
        float p = 0;
        expect_status(edgelstm_model_classify(model, texts[i], &label, &p), EDGELSTM_OK, "classify");
        single_labels[i] = label;
        single_probabilities[i] = p;
        EXPECT(label == expected_labels[i] && p > 0.5f && p <= 1.0f, "'%s': label %d (p %.3f), expected %d", texts[i], label, p, expected_labels[i]);

        float logits[2], probabilities[2];
        size_t count = 0;
        expect_status(edgelstm_model_run_text(model, texts[i], NULL, logits, 2, &count), EDGELSTM_OK, "run text (logits)");
        EXPECT(count == 2, "run text wrote %zu floats", count);
        edgelstm_run_params soft = edgelstm_run_default_params();
        soft.softmax = 1;
        expect_status(edgelstm_model_run_text(model, texts[i], &soft, probabilities, 2, &count), EDGELSTM_OK, "run text (softmax)");
        float m = fmaxf(logits[0], logits[1]), e0 = expf(logits[0] - m), e1 = expf(logits[1] - m);
        EXPECT(fabsf(probabilities[label] - p) < 1e-6f && fabsf(probabilities[1] - e1 / (e0 + e1)) < 1e-5f && fabsf(probabilities[0] + probabilities[1] - 1) < 1e-5f,
               "softmax %.6f %.6f vs logits %.4f %.4f", probabilities[0], probabilities[1], logits[0], logits[1]);

        int32_t ids[256];
        size_t n = 0;
        expect_status(edgelstm_model_encode(model, texts[i], ids, 256, &n), EDGELSTM_OK, "encode");
        float again[2];
        expect_status(edgelstm_model_run_tokens(model, ids, n, &params, again, 2, &count), EDGELSTM_OK, "run tokens");
        EXPECT(memcmp(again, logits, sizeof logits) == 0, "run tokens differs from run text");
    }

    /* A digest of every logit above and of a 300-token run: ./build.sh test compares x64 with arm64 (bit-identical by design). */
    uint64_t digest = 1469598103934665603ULL;
    for (int i = 0; i < TEXTS; i++) {
        float logits[2];
        size_t count = 0;
        edgelstm_model_run_text(model, texts[i], NULL, logits, 2, &count);
        const unsigned char *bytes = (const unsigned char *)logits;
        for (size_t b = 0; b < sizeof logits; b++) digest = (digest ^ bytes[b]) * 1099511628211ULL;
    }
    int32_t long_input[300];
    for (int t = 0; t < 300; t++) long_input[t] = 2 + (t * 37) % (info.vocab_size - 2);
    float long_logits[2];
    edgelstm_run_params no_cut = edgelstm_run_default_params();
    no_cut.max_steps = -1;
    expect_status(edgelstm_model_run_tokens(model, long_input, 300, &no_cut, long_logits, 2, &count0), EDGELSTM_OK, "300-token run");
    for (size_t b = 0; b < sizeof long_logits; b++) digest = (digest ^ ((const unsigned char *)long_logits)[b]) * 1099511628211ULL;
    printf("classifier digest %016llx (kernels %s)\n", (unsigned long long)digest, edgelstm_kernel_name());

    /* Errors: each a status and a one-line message. */
    edgelstm_session *session = NULL;
    expect_status(edgelstm_session_create(model, 1, &session), EDGELSTM_UNSUPPORTED, "session on a classifier");
    EXPECT(strstr(edgelstm_last_error(), "edgelstm_model_run_text") != NULL, "the message names the calls to use: %s", edgelstm_last_error());
    int32_t label;
    expect_status(edgelstm_model_classify(model, NULL, &label, NULL), EDGELSTM_INVALID_ARGUMENT, "classify NULL text");
    expect_status(edgelstm_model_classify(model, "ok", NULL, NULL), EDGELSTM_INVALID_ARGUMENT, "classify NULL label");
    expect_status(edgelstm_model_classify(model, "bad \xff byte", &label, NULL), EDGELSTM_INVALID_ARGUMENT, "classify invalid UTF-8");
    float small[1];
    size_t count = 0;
    expect_status(edgelstm_model_run_text(model, texts[0], NULL, small, 1, &count), EDGELSTM_BUFFER_TOO_SMALL, "run into one float");
    EXPECT(count == 2, "needed size reported as %zu", count);
    int32_t bad[2] = { 5, 1 << 30 };
    float out[2];
    expect_status(edgelstm_model_run_tokens(model, bad, 2, NULL, out, 2, &count), EDGELSTM_INVALID_ARGUMENT, "token out of range");
    expect_status(edgelstm_model_run_tokens(model, bad, 0, NULL, out, 2, &count), EDGELSTM_INVALID_ARGUMENT, "empty sequence");
    edgelstm_run_params wrong = edgelstm_run_default_params();
    wrong.max_steps = -5;
    expect_status(edgelstm_model_run_text(model, texts[0], &wrong, out, 2, &count), EDGELSTM_INVALID_ARGUMENT, "max_steps -5");
    wrong = (edgelstm_run_params){ 0 };
    expect_status(edgelstm_model_run_text(model, texts[0], &wrong, out, 2, &count), EDGELSTM_INVALID_ARGUMENT, "params without struct_size");

    /* Four threads share the model: every result equals the single-threaded one. */
    pthread_t threads[4];
    int mismatches[4] = { 0 };
    for (int t = 0; t < 4; t++) pthread_create(&threads[t], NULL, classify_all, &mismatches[t]);
    for (int t = 0; t < 4; t++) pthread_join(threads[t], NULL);
    EXPECT(mismatches[0] + mismatches[1] + mismatches[2] + mismatches[3] == 0, "threads disagreed %d times", mismatches[0] + mismatches[1] + mismatches[2] + mismatches[3]);

    /* A character model: steppable, per-step outputs from run_tokens, no classification. */
    edgelstm_model *chars = NULL;
    expect_status(edgelstm_model_load(argv[2], &chars), EDGELSTM_OK, "load char model");
    edgelstm_model_info ci = { .struct_size = sizeof ci };
    expect_status(edgelstm_model_get_info(chars, &ci), EDGELSTM_OK, "char model info");
    EXPECT(strcmp(ci.task, "char-lm") == 0 && ci.steppable == 1 && ci.bidirectional == 0 && ci.label_count == 0 && strcmp(ci.pooling, "none") == 0,
           "char model: task %s steppable %d", ci.task, ci.steppable);
    expect_status(edgelstm_model_classify(chars, "hello", &label, NULL), EDGELSTM_UNSUPPORTED, "classify with a char model");
    int32_t prompt[3];
    size_t n = 0;
    expect_status(edgelstm_model_encode(chars, "Ahab", prompt, 3, &n), EDGELSTM_BUFFER_TOO_SMALL, "encode into 3 ids");
    expect_status(edgelstm_model_encode(chars, "The", prompt, 3, &n), EDGELSTM_OK, "encode");
    float *steps = malloc(sizeof(float) * 3 * (size_t)ci.output_size);
    expect_status(edgelstm_model_run_tokens(chars, prompt, 3, NULL, steps, 3 * (size_t)ci.output_size, &count), EDGELSTM_OK, "run char model");
    EXPECT(count == 3 * (size_t)ci.output_size, "per-step outputs: %zu floats", count);
    /* Step by step in a session: the same logits, bit for bit. */
    expect_status(edgelstm_session_create(chars, 1, &session), EDGELSTM_OK, "char session");
    float *logits = malloc(sizeof(float) * (size_t)ci.output_size);
    int same = 1;
    for (int t = 0; t < 3; t++) {
        edgelstm_session_step(session, prompt[t], logits, (size_t)ci.output_size);
        same &= memcmp(logits, steps + (size_t)t * ci.output_size, sizeof(float) * (size_t)ci.output_size) == 0;
    }
    EXPECT(same, "run_tokens and session steps differ");
    free(logits);
    free(steps);
    edgelstm_session_free(session);
    edgelstm_model_free(chars);

    expect_status(edgelstm_model_free(model), EDGELSTM_OK, "free classifier");
    expect_status(edgelstm_model_classify(model, texts[0], &label, NULL), EDGELSTM_INVALID_HANDLE, "classify after free");
    expect_status(edgelstm_model_get_info(model, &info), EDGELSTM_INVALID_HANDLE, "info after free");

    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
