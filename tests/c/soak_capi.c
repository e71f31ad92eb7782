/*
 * Soak and abuse run of the C ABI (./build.sh soak; minutes, so not part of ./build.sh test):
 *  1. THREADS threads x STEPS sampled steps each on one shared model; every thread's stream must equal the same
 *     stream run alone on one thread first (threads i and i + STREAMS run the same stream).
 *  2. CALLS random calls with one bad argument each (NULL, freed, foreign or wrong-kind handles, wrong sizes,
 *     out-of-range tokens and options, invalid UTF-8, garbage model bytes): each must return an error status with a
 *     one-line message, and the process must not crash.
 * Usage: soak_capi MODEL.elstm [STEPS [CALLS]]   (prints figures and "N passed, M failed")
 */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "edgelstm.h"
#include "expect.h"

#define THREADS 8
#define STREAMS 4

static edgelstm_model *model;
static int32_t vocab;
static long steps;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* A sampled stream (its own seed) of `steps` steps; returns a hash of every logit, or 0 on any error. */
static uint64_t run_stream(int stream) {
    edgelstm_session *session = NULL;
    edgelstm_sampler *sampler = NULL;
    if (edgelstm_session_create(model, 1, &session) != EDGELSTM_OK) return 0;
    if (edgelstm_sampler_create(0.9f, 0, 1.0f, 1000 + (uint64_t)stream, &sampler) != EDGELSTM_OK) return 0;
    float *logits = malloc(sizeof(float) * (size_t)vocab);
    uint64_t hash = 1469598103934665603ULL;
    int32_t token = 1 + stream;
    for (long i = 0; i < steps && hash != 0; i++) {
        if (edgelstm_session_step(session, token, logits, (size_t)vocab) != EDGELSTM_OK) hash = 0;
        const unsigned char *bytes = (const unsigned char *)logits;
        for (size_t b = 0; hash != 0 && b < sizeof(float) * (size_t)vocab; b++) hash = (hash ^ bytes[b]) * 1099511628211ULL;
        if (hash != 0 && edgelstm_sampler_sample(sampler, logits, (size_t)vocab, &token) != EDGELSTM_OK) hash = 0;
    }
    free(logits);
    edgelstm_sampler_free(sampler);
    edgelstm_session_free(session);
    return hash;
}

typedef struct { int stream; uint64_t hash; } job;

static void *thread_main(void *arg) {
    job *j = arg;
    j->hash = run_stream(j->stream);
    return NULL;
}

/* ---- abuse ---- */

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }
static int pick(int n) { return (int)(next() % (uint64_t)n); }

static edgelstm_model *freed_model;
static edgelstm_session *live_session, *freed_session;
static edgelstm_sampler *live_sampler, *freed_sampler;
static edgelstm_runner *live_runner, *freed_runner;
static unsigned char *model_bytes;
static size_t model_size;

/* A handle that is not a live one of the wanted kind: NULL, freed, made up, or a live handle of another kind. */
static void *bad_handle(void *freed, void *other_kind) {
    switch (pick(4)) {
    case 0: return NULL;
    case 1: return freed;
    case 2: return (void *)(uintptr_t)(next() | 1);
    default: return other_kind;
    }
}

#define CALL_KINDS 18
static size_t counts[CALL_KINDS];

/* One call with one bad argument; returns its status. */
static int abuse_call(int *which) {
    float buffer[512];
    float *logits = malloc(sizeof(float) * (size_t)vocab * 3);
    int32_t ids[4], token = 0;
    size_t count = 0, length = 0, a = 0, b = 0;
    char text[16];
    void *out = NULL;
    int status = EDGELSTM_OK;
    *which = pick(CALL_KINDS);
    switch (*which) {
    case 0: { /* load: NULL path, missing file, a file of neither format, NULL out */
        const char *paths[] = {NULL, "/nonexistent/model.elstm", "/proc/self/status", "/dev/null"};
        int k = pick(5);
        status = k < 4 ? edgelstm_model_load(paths[k], (edgelstm_model **)&out) : edgelstm_model_load("/dev/null", NULL);
        break;
    }
    case 1: { /* load from memory: NULL data, garbage, a truncated model, NULL out (bit flips: the .NET fuzzer) */
        unsigned char garbage[64];
        for (size_t i = 0; i < sizeof garbage; i++) garbage[i] = (unsigned char)next();
        switch (pick(4)) {
        case 0: status = edgelstm_model_load_memory(NULL, 100, (edgelstm_model **)&out); break;
        case 1: status = edgelstm_model_load_memory(garbage, (size_t)pick(64), (edgelstm_model **)&out); break;
        case 2: status = edgelstm_model_load_memory(model_bytes, (size_t)pick((int)model_size), (edgelstm_model **)&out); break;
        default: status = edgelstm_model_load_memory(model_bytes, model_size, NULL); break;
        }
        break;
    }
    case 2: status = edgelstm_model_free(bad_handle(freed_model, live_session)); break;
    case 3: status = pick(2) ? edgelstm_model_vocab_size(bad_handle(freed_model, live_sampler), &token) : edgelstm_model_vocab_size(model, NULL); break;
    case 4: { /* encode: bad handle, NULL text, invalid UTF-8, too small a buffer, NULL count */
        char invalid[8] = {'t', 'h', (char)(0x80 | pick(64)), 'e', 0};
        switch (pick(5)) {
        case 0: status = edgelstm_model_encode(bad_handle(freed_model, live_session), "the", ids, 4, &count); break;
        case 1: status = edgelstm_model_encode(model, NULL, ids, 4, &count); break;
        case 2: status = edgelstm_model_encode(model, invalid, ids, 4, &count); break;
        case 3: status = edgelstm_model_encode(model, "the whale", ids, 4, &count); break;
        default: status = edgelstm_model_encode(model, "the", ids, 4, NULL); break;
        }
        break;
    }
    case 5: { /* token text: bad handle, token out of range, small buffer, NULL buffer or length */
        int32_t tokens[] = {-1, vocab, 2147483647, -2147483647 - 1};
        switch (pick(4)) {
        case 0: status = edgelstm_model_token_text(bad_handle(freed_model, live_sampler), 1, text, sizeof text, &length); break;
        case 1: status = edgelstm_model_token_text(model, tokens[pick(4)], text, sizeof text, &length); break;
        case 2: status = edgelstm_model_token_text(model, 1, text, 1, &length); break;
        default: status = pick(2) ? edgelstm_model_token_text(model, 1, NULL, sizeof text, &length) : edgelstm_model_token_text(model, 1, text, sizeof text, NULL); break;
        }
        break;
    }
    case 6: status = pick(2) ? edgelstm_model_io_sizes(bad_handle(freed_model, live_session), &a, &b) : edgelstm_model_io_sizes(model, NULL, pick(2) ? NULL : &b); break;
    case 7: { /* session create: bad model, threads out of range, NULL out */
        int threads[] = {0, 3, -1, 1000};
        switch (pick(3)) {
        case 0: status = edgelstm_session_create(bad_handle(freed_model, live_session), 1, (edgelstm_session **)&out); break;
        case 1: status = edgelstm_session_create(model, threads[pick(4)], (edgelstm_session **)&out); break;
        default: status = edgelstm_session_create(model, 1, NULL); break;
        }
        break;
    }
    case 8: status = pick(2) ? edgelstm_session_free(bad_handle(freed_session, model)) : edgelstm_session_reset(bad_handle(freed_session, live_sampler)); break;
    case 9: { /* step: bad handle, token out of range, small buffer */
        int32_t tokens[] = {-1, vocab, 2147483647, -2147483647 - 1};
        switch (pick(3)) {
        case 0: status = edgelstm_session_step(bad_handle(freed_session, model), 1, logits, (size_t)vocab); break;
        case 1: status = edgelstm_session_step(live_session, tokens[pick(4)], logits, (size_t)vocab); break;
        default: status = edgelstm_session_step(live_session, 1, logits, (size_t)pick(vocab)); break;
        }
        break;
    }
    case 10: { /* step input: bad handle, NULL input, wrong length, small buffer */
        memset(buffer, 0, sizeof buffer);
        edgelstm_model_io_sizes(model, &a, &b);
        switch (pick(4)) {
        case 0: status = edgelstm_session_step_input(bad_handle(freed_session, model), buffer, a, logits, (size_t)vocab); break;
        case 1: status = edgelstm_session_step_input(live_session, NULL, a, logits, (size_t)vocab); break;
        case 2: status = edgelstm_session_step_input(live_session, buffer, pick(2) ? a - 1 : a + 1, logits, (size_t)vocab); break;
        default: status = edgelstm_session_step_input(live_session, buffer, a, logits, (size_t)pick(vocab)); break;
        }
        break;
    }
    case 11: { /* state: bad handle, wrong length, NULL buffer */
        size_t size = 0;
        edgelstm_session_state_size(live_session, &size);
        float *state = malloc(sizeof(float) * (size + 1));
        switch (pick(5)) {
        case 0: status = edgelstm_session_state_size(bad_handle(freed_session, model), &size); break;
        case 1: status = edgelstm_session_get_state(live_session, state, size - 1 - (size_t)pick(4)); break;
        case 2: status = edgelstm_session_set_state(live_session, state, size + 1); break;
        case 3: status = pick(2) ? edgelstm_session_get_state(live_session, NULL, size) : edgelstm_session_set_state(live_session, NULL, size); break;
        default: status = edgelstm_session_state_size(live_session, NULL); break;
        }
        free(state);
        break;
    }
    case 12: { /* sampler create: options out of range, NULL out */
        float temperatures[] = {-1.0f, NAN, INFINITY};
        float top_ps[] = {0.0f, 1.5f, -0.5f, NAN};
        switch (pick(4)) {
        case 0: status = edgelstm_sampler_create(temperatures[pick(3)], 0, 1.0f, 1, (edgelstm_sampler **)&out); break;
        case 1: status = edgelstm_sampler_create(0.8f, 0, top_ps[pick(4)], 1, (edgelstm_sampler **)&out); break;
        case 2: status = edgelstm_sampler_create(0.8f, -1 - pick(100), 1.0f, 1, (edgelstm_sampler **)&out); break;
        default: status = edgelstm_sampler_create(0.8f, 0, 1.0f, 1, NULL); break;
        }
        break;
    }
    case 13: { /* sample: bad handle, NULL logits, count 0, NULL token */
        for (int32_t i = 0; i < vocab; i++) logits[i] = (float)i;
        switch (pick(4)) {
        case 0: status = edgelstm_sampler_sample(bad_handle(freed_sampler, model), logits, (size_t)vocab, &token); break;
        case 1: status = edgelstm_sampler_sample(live_sampler, NULL, (size_t)vocab, &token); break;
        case 2: status = edgelstm_sampler_sample(live_sampler, logits, 0, &token); break;
        default: status = edgelstm_sampler_sample(live_sampler, logits, (size_t)vocab, NULL); break;
        }
        break;
    }
    case 14: status = edgelstm_sampler_free(bad_handle(freed_sampler, live_session)); break;
    case 15: { /* runner create: bad model, threads out of range, NULL out; runner free: bad handle */
        int threads[] = {0, 3, -1, 1000};
        switch (pick(4)) {
        case 0: status = edgelstm_runner_create(bad_handle(freed_model, live_runner), 1, (edgelstm_runner **)&out); break;
        case 1: status = edgelstm_runner_create(model, threads[pick(4)], (edgelstm_runner **)&out); break;
        case 2: status = edgelstm_runner_create(model, 1, NULL); break;
        default: status = edgelstm_runner_free(bad_handle(freed_runner, live_session)); break;
        }
        break;
    }
    case 16: { /* runner runs: bad handle, tokens out of range or none, small buffer, invalid UTF-8, NULL count */
        int32_t tokens[] = {1, 2, pick(2) ? -1 : vocab};
        char invalid[8] = {'t', 'h', (char)(0x80 | pick(64)), 'e', 0};
        switch (pick(6)) {
        case 0: status = edgelstm_runner_run_text(bad_handle(freed_runner, model), "the", NULL, logits, (size_t)vocab * 3, &count); break;
        case 1: status = edgelstm_runner_run_tokens(live_runner, tokens, 3, NULL, logits, (size_t)vocab * 3, &count); break;
        case 2: status = edgelstm_runner_run_tokens(live_runner, pick(2) ? NULL : tokens, 0, NULL, logits, (size_t)vocab * 3, &count); break;
        case 3: status = edgelstm_runner_run_text(live_runner, "the", NULL, logits, (size_t)pick(vocab * 3), &count); break;
        case 4: status = edgelstm_runner_run_text(live_runner, invalid, NULL, logits, (size_t)vocab * 3, &count); break;
        default: status = edgelstm_runner_run_tokens(live_runner, tokens, 2, NULL, logits, (size_t)vocab * 3, NULL); break;
        }
        break;
    }
    default: status = edgelstm_format_version(pick(2) ? NULL : &token, NULL); break;
    }
    free(logits);
    return status;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s MODEL [STEPS [CALLS]]\n", argv[0]); return 2; }
    steps = argc > 2 ? atol(argv[2]) : 100000;
    long calls = argc > 3 ? atol(argv[3]) : 100000;
    printf("edgelstm %s, kernels %s\n", edgelstm_version(), edgelstm_kernel_name());
    if (edgelstm_model_load(argv[1], &model) != EDGELSTM_OK) { fprintf(stderr, "%s\n", edgelstm_last_error()); return 1; }
    edgelstm_model_vocab_size(model, &vocab);

    /* 1. Soak: the streams alone, then all threads at once. */
    uint64_t alone[STREAMS];
    double start = now();
    for (int s = 0; s < STREAMS; s++) alone[s] = run_stream(s);
    double single = now() - start;
    pthread_t threads[THREADS];
    job jobs[THREADS];
    start = now();
    for (int i = 0; i < THREADS; i++) { jobs[i].stream = i % STREAMS; pthread_create(&threads[i], NULL, thread_main, &jobs[i]); }
    for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
    double shared = now() - start;
    for (int s = 0; s < STREAMS; s++) EXPECT(alone[s] != 0, "stream %d failed alone: %s", s, edgelstm_last_error());
    for (int i = 0; i < THREADS; i++)
        EXPECT(jobs[i].hash == alone[i % STREAMS], "thread %d (stream %d): %016llx vs %016llx alone", i, i % STREAMS,
               (unsigned long long)jobs[i].hash, (unsigned long long)alone[i % STREAMS]);
    printf("soak: %d streams x %ld steps alone in %.1f s; %d threads x %ld steps on one model in %.1f s (%.0f steps/s); every thread's logits equal its stream alone: %s\n",
           STREAMS, steps, single, THREADS, steps, shared, THREADS * steps / shared, failed == 0 ? "yes" : "NO");

    /* 2. Abuse. */
    FILE *f = fopen(argv[1], "rb");
    fseek(f, 0, SEEK_END);
    model_size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    model_bytes = malloc(model_size);
    if (fread(model_bytes, 1, model_size, f) != model_size) return 1;
    fclose(f);
    edgelstm_model_load(argv[1], &freed_model);
    edgelstm_model_free(freed_model);
    edgelstm_session_create(model, 1, &freed_session);
    edgelstm_session_free(freed_session);
    edgelstm_sampler_create(0.8f, 0, 1.0f, 1, &freed_sampler);
    edgelstm_sampler_free(freed_sampler);
    edgelstm_session_create(model, 1, &live_session);
    edgelstm_sampler_create(0.8f, 0, 1.0f, 1, &live_sampler);
    edgelstm_runner_create(model, 1, &freed_runner);
    edgelstm_runner_free(freed_runner);
    edgelstm_runner_create(model, 2, &live_runner);
    long ok = 0, bad_message = 0, by_status[8] = {0};
    start = now();
    for (long i = 0; i < calls; i++) {
        int which;
        int status = abuse_call(&which);
        counts[which]++;
        if (status == EDGELSTM_OK) { ok++; fprintf(stderr, "call kind %d succeeded with a bad argument\n", which); continue; }
        if (status > 0 && status < 8) by_status[status]++;
        const char *message = edgelstm_last_error();
        if (status < 1 || status > 7 || message == NULL || message[0] == 0 || strchr(message, '\n') != NULL) bad_message++;
    }
    double abuse = now() - start;
    EXPECT(ok == 0, "%ld calls with a bad argument succeeded", ok);
    EXPECT(bad_message == 0, "%ld calls gave no status in range or no one-line message", bad_message);
    EXPECT(by_status[EDGELSTM_INTERNAL] == 0, "%ld calls reported an internal error", by_status[EDGELSTM_INTERNAL]);
    printf("abuse: %ld calls in %.1f s, no crash; statuses: invalid argument %ld, invalid handle %ld, file not found %ld, invalid model %ld, buffer too small %ld, unsupported %ld, internal %ld\n",
           calls, abuse, by_status[1], by_status[2], by_status[3], by_status[4], by_status[5], by_status[6], by_status[7]);
    edgelstm_session_free(live_session);
    edgelstm_sampler_free(live_sampler);
    edgelstm_runner_free(live_runner);
    edgelstm_model_free(model);
    free(model_bytes);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
