/* Generate text with libedgelstm: ./generate MODEL.elstm "prompt" [chars] [seed] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "edgelstm.h"

static int check(int status, const char *what) {
    if (status != EDGELSTM_OK) {
        fprintf(stderr, "error: %s: %s\n", what, edgelstm_last_error());
        exit(1);
    }
    return status;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s MODEL PROMPT [CHARS] [SEED]\n", argv[0]);
        return 2;
    }
    int chars = argc > 3 ? atoi(argv[3]) : 200;
    uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 42;

    edgelstm_model *model;
    check(edgelstm_model_load(argv[1], &model), "load");
    int32_t vocab;
    check(edgelstm_model_vocab_size(model, &vocab), "vocab");
    edgelstm_session *session;
    check(edgelstm_session_create(model, 1, &session), "session");
    edgelstm_sampler *sampler;
    check(edgelstm_sampler_create(0.7f, 0, 1.0f, seed, &sampler), "sampler");

    size_t count = 0;
    edgelstm_model_encode(model, argv[2], NULL, 0, &count); /* first call reports the length */
    int32_t *ids = malloc(sizeof(int32_t) * (count ? count : 1));
    check(edgelstm_model_encode(model, argv[2], ids, count, &count), "encode");
    float *logits = malloc(sizeof(float) * vocab);
    for (size_t i = 0; i < count; i++) check(edgelstm_session_step(session, ids[i], logits, vocab), "step");

    fputs(argv[2], stdout);
    char text[8];
    size_t length;
    for (int i = 0; i < chars; i++) {
        int32_t next;
        check(edgelstm_sampler_sample(sampler, logits, vocab, &next), "sample");
        check(edgelstm_model_token_text(model, next, text, sizeof text, &length), "text");
        fputs(text, stdout);
        check(edgelstm_session_step(session, next, logits, vocab), "step");
    }
    putchar('\n');

    free(logits);
    free(ids);
    edgelstm_sampler_free(sampler);
    edgelstm_session_free(session);
    edgelstm_model_free(model);
    return 0;
}
