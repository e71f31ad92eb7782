/*
 * C ABI tests: error paths (bad path, corrupt file, NULL and freed handles, wrong buffer sizes) and eight
 * threads sharing one model, whose outputs must equal the single-threaded ones.
 * Usage: test_capi MODEL.elstm   (prints "N passed, M failed"; exit code 1 on any failure)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "edgelstm.h"
#include "expect.h"

#define STEPS 300
static edgelstm_model *shared_model;
static int32_t vocab;

/* Greedy text of STEPS characters from a fixed prompt; returns a hash of all logits. */
static uint64_t run_stream(int threads_per_session) {
    edgelstm_session *session;
    if (edgelstm_session_create(shared_model, threads_per_session, &session) != EDGELSTM_OK) return 0;
    float *logits = malloc(sizeof(float) * vocab);
    uint64_t hash = 1469598103934665603ULL;
    int32_t token = 1;
    for (int i = 0; i < STEPS; i++) {
        if (edgelstm_session_step(session, token, logits, vocab) != EDGELSTM_OK) { hash = 0; break; }
        const unsigned char *bytes = (const unsigned char *)logits;
        for (size_t b = 0; b < sizeof(float) * (size_t)vocab; b++) hash = (hash ^ bytes[b]) * 1099511628211ULL;
        int32_t best = 0;
        for (int32_t v = 1; v < vocab; v++) if (logits[v] > logits[best]) best = v;
        token = best;
    }
    free(logits);
    edgelstm_session_free(session);
    return hash;
}

static void *thread_main(void *arg) {
    *(uint64_t *)arg = run_stream(1);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s MODEL\n", argv[0]); return 2; }
    printf("edgelstm %s, kernels %s\n", edgelstm_version(), edgelstm_kernel_name());
    int major = 0, minor = -1;
    expect_status(edgelstm_format_version(&major, &minor), EDGELSTM_OK, "format version");
    EXPECT(major == 1 && minor >= 0, "format version %d.%d", major, minor);

    /* Bad inputs. */
    edgelstm_model *model = (edgelstm_model *)0x1;
    expect_status(edgelstm_model_load("/nonexistent/model.elstm", &model), EDGELSTM_FILE_NOT_FOUND, "missing file");
    EXPECT(model == NULL, "model must be NULL after a failed load");
    expect_status(edgelstm_model_load(NULL, &model), EDGELSTM_INVALID_ARGUMENT, "NULL path");
    expect_status(edgelstm_model_load(argv[1], NULL), EDGELSTM_INVALID_ARGUMENT, "NULL out pointer");

    FILE *f = fopen(argv[1], "rb");
    EXPECT(f != NULL, "open %s", argv[1]);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *bytes = malloc(size);
    EXPECT(fread(bytes, 1, size, f) == (size_t)size, "read model");
    fclose(f);
    expect_status(edgelstm_model_load_memory(bytes, size / 2, &model), EDGELSTM_INVALID_MODEL, "truncated buffer");
    bytes[size - 10] ^= 0x40;
    expect_status(edgelstm_model_load_memory(bytes, size, &model), EDGELSTM_INVALID_MODEL, "corrupt buffer (checksum)");
    bytes[size - 10] ^= 0x40;
    expect_status(edgelstm_model_load_memory("garbage!", 8, &model), EDGELSTM_INVALID_MODEL, "garbage buffer");
    expect_status(edgelstm_model_load_memory("GIF89a\x01\x00\x01\x00", 10, &model), EDGELSTM_INVALID_MODEL, "a buffer of neither format");
    EXPECT(strstr(edgelstm_last_error(), ".elstm") && strstr(edgelstm_last_error(), "safetensors"), "message names both formats: %s", edgelstm_last_error());
    {
        char path[] = "/tmp/edgelstm-capi-XXXXXX";
        int fd = mkstemp(path);
        EXPECT(fd >= 0 && write(fd, "GIF89a\x01\x00\x01\x00", 10) == 10, "write %s", path);
        close(fd);
        expect_status(edgelstm_model_load(path, &model), EDGELSTM_INVALID_MODEL, "a file of neither format");
        EXPECT(strstr(edgelstm_last_error(), "not a model file") && strstr(edgelstm_last_error(), "safetensors"), "message names both formats: %s", edgelstm_last_error());
        unlink(path);
    }

    /* A good model from memory, then from the path. */
    expect_status(edgelstm_model_load_memory(bytes, size, &model), EDGELSTM_OK, "load from memory");
    free(bytes); /* the library keeps its own copy */
    expect_status(edgelstm_model_vocab_size(model, &vocab), EDGELSTM_OK, "vocab size");
    EXPECT(vocab > 10, "vocab %d", vocab);
    expect_status(edgelstm_model_load(argv[1], &shared_model), EDGELSTM_OK, "load from path");

    /* Handles and buffers. */
    edgelstm_session *session;
    expect_status(edgelstm_session_create(NULL, 1, &session), EDGELSTM_INVALID_HANDLE, "session on NULL model");
    expect_status(edgelstm_session_create(model, 3, &session), EDGELSTM_INVALID_ARGUMENT, "three threads");
    expect_status(edgelstm_session_create(model, 1, &session), EDGELSTM_OK, "session");
    float *logits = malloc(sizeof(float) * vocab);
    expect_status(edgelstm_session_step(session, 1, logits, vocab - 1), EDGELSTM_BUFFER_TOO_SMALL, "small logits buffer");
    expect_status(edgelstm_session_step(session, vocab, logits, vocab), EDGELSTM_INVALID_ARGUMENT, "token out of range");
    expect_status(edgelstm_session_step(session, -1, logits, vocab), EDGELSTM_INVALID_ARGUMENT, "negative token");
    expect_status(edgelstm_session_step(session, 1, logits, vocab), EDGELSTM_OK, "step");
    /* Float input vectors: sizes, argument checks, and the same state + input giving the same outputs. */
    size_t input_size = 0, output_count = 0;
    expect_status(edgelstm_model_io_sizes(model, &input_size, &output_count), EDGELSTM_OK, "io sizes");
    EXPECT(input_size > 0 && output_count == (size_t)vocab, "io sizes %zu, %zu (vocab %d)", input_size, output_count, vocab);
    expect_status(edgelstm_model_io_sizes(NULL, &input_size, &output_count), EDGELSTM_INVALID_HANDLE, "io sizes of NULL model");
    float *input = calloc(input_size, sizeof(float));
    for (size_t i = 0; i < input_size; i++) input[i] = (float)((int)(i % 7) - 3) * 0.25f;
    expect_status(edgelstm_session_step_input(session, input, input_size - 1, logits, vocab), EDGELSTM_INVALID_ARGUMENT, "input of the wrong size");
    expect_status(edgelstm_session_step_input(session, NULL, input_size, logits, vocab), EDGELSTM_INVALID_ARGUMENT, "NULL input");
    expect_status(edgelstm_session_step_input(session, input, input_size, logits, vocab - 1), EDGELSTM_BUFFER_TOO_SMALL, "small outputs buffer");
    {
        float *first = malloc(sizeof(float) * vocab), *again = malloc(sizeof(float) * vocab);
        expect_status(edgelstm_session_reset(session), EDGELSTM_OK, "reset before input");
        expect_status(edgelstm_session_step_input(session, input, input_size, first, vocab), EDGELSTM_OK, "step input");
        expect_status(edgelstm_session_reset(session), EDGELSTM_OK, "reset");
        expect_status(edgelstm_session_step_input(session, input, input_size, again, vocab), EDGELSTM_OK, "step input again");
        EXPECT(memcmp(first, again, sizeof(float) * vocab) == 0, "same state and input gave different outputs");
        expect_status(edgelstm_session_step(session, 1, again, vocab), EDGELSTM_OK, "step after input");
        EXPECT(memcmp(first, again, sizeof(float) * vocab) != 0, "outputs did not change after a token step");
        free(first);
        free(again);
    }
    free(input);

    size_t state_size = 0;
    expect_status(edgelstm_session_state_size(session, &state_size), EDGELSTM_OK, "state size");
    float *state = malloc(sizeof(float) * state_size);
    expect_status(edgelstm_session_get_state(session, state, state_size - 1), EDGELSTM_BUFFER_TOO_SMALL, "small state buffer");
    expect_status(edgelstm_session_get_state(session, state, state_size), EDGELSTM_OK, "get state");
    float *a = malloc(sizeof(float) * vocab), *b = malloc(sizeof(float) * vocab);
    expect_status(edgelstm_session_step(session, 2, a, vocab), EDGELSTM_OK, "step after snapshot");
    expect_status(edgelstm_session_set_state(session, state, state_size), EDGELSTM_OK, "set state");
    expect_status(edgelstm_session_step(session, 2, b, vocab), EDGELSTM_OK, "step after restore");
    EXPECT(memcmp(a, b, sizeof(float) * vocab) == 0, "restored state gives different logits");

    size_t count = 0;
    expect_status(edgelstm_model_encode(model, "the", NULL, 0, &count), EDGELSTM_BUFFER_TOO_SMALL, "encode size query");
    EXPECT(count == 3, "encode count %zu", count);
    int32_t ids[3];
    expect_status(edgelstm_model_encode(model, "the", ids, 3, &count), EDGELSTM_OK, "encode");
    expect_status(edgelstm_model_encode(model, "\xe9\xaf\xa8", ids, 3, &count), EDGELSTM_INVALID_ARGUMENT, "character outside the vocabulary");
    expect_status(edgelstm_model_encode(model, "th\xe9", ids, 3, &count), EDGELSTM_INVALID_ARGUMENT, "text ending inside a character");
    EXPECT(strstr(edgelstm_last_error(), "not valid UTF-8 at byte 2") != NULL, "invalid UTF-8 message: %s", edgelstm_last_error());
    expect_status(edgelstm_model_encode(model, "t\xff" "e", ids, 3, &count), EDGELSTM_INVALID_ARGUMENT, "invalid UTF-8 byte");
    EXPECT(strstr(edgelstm_last_error(), "not valid UTF-8 at byte 1") != NULL, "invalid UTF-8 message: %s", edgelstm_last_error());
    char text[8];
    size_t length;
    expect_status(edgelstm_model_token_text(model, ids[0], text, 1, &length), EDGELSTM_BUFFER_TOO_SMALL, "token text buffer");
    expect_status(edgelstm_model_token_text(model, ids[0], text, sizeof text, &length), EDGELSTM_OK, "token text");
    EXPECT(strcmp(text, "t") == 0, "token text '%s'", text);

    edgelstm_sampler *sampler;
    expect_status(edgelstm_sampler_create(-1.0f, 0, 1.0f, 1, &sampler), EDGELSTM_INVALID_ARGUMENT, "negative temperature");
    expect_status(edgelstm_sampler_create(0.8f, 5, 0.9f, 1, &sampler), EDGELSTM_OK, "sampler");
    int32_t token;
    expect_status(edgelstm_sampler_sample(sampler, logits, vocab, &token), EDGELSTM_OK, "sample");
    EXPECT(token >= 0 && token < vocab, "sampled %d", token);
    expect_status(edgelstm_sampler_free(sampler), EDGELSTM_OK, "free sampler");

    expect_status(edgelstm_session_free(session), EDGELSTM_OK, "free session");
    expect_status(edgelstm_session_free(session), EDGELSTM_INVALID_HANDLE, "double free");
    expect_status(edgelstm_session_step(session, 1, logits, vocab), EDGELSTM_INVALID_HANDLE, "step on a freed session");
    expect_status(edgelstm_session_reset(NULL), EDGELSTM_INVALID_HANDLE, "reset NULL");
    expect_status(edgelstm_model_free(model), EDGELSTM_OK, "free model");
    expect_status(edgelstm_model_free(model), EDGELSTM_INVALID_HANDLE, "model double free");

    /* Eight threads, one shared model: each stream equals the single-threaded one. */
    uint64_t single = run_stream(1);
    uint64_t split = run_stream(2);
    EXPECT(single != 0, "single-threaded stream failed");
    EXPECT(split == single, "two-core session differs from one-core");
    pthread_t threads[8];
    uint64_t results[8];
    for (int i = 0; i < 8; i++) pthread_create(&threads[i], NULL, thread_main, &results[i]);
    for (int i = 0; i < 8; i++) pthread_join(threads[i], NULL);
    for (int i = 0; i < 8; i++) EXPECT(results[i] == single, "thread %d: %016llx vs %016llx", i, (unsigned long long)results[i], (unsigned long long)single);
    edgelstm_model_free(shared_model);
    free(logits); free(state); free(a); free(b);

    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
