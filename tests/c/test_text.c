/*
 * C ABI tests of whole texts out (API 4) with multi-byte UTF-8: edgelstm_model_generate on a Chinese poetry model
 * (free and in each form), edgelstm_model_tag on a punctuation restorer, prompts and labels with multi-byte
 * characters, invalid UTF-8 in, and buffers that end inside a character; and, given a word tagger (a CoNLL model with
 * word affix features), words tagged as written, its outputs per word, and token ids refused without affix ids.
 * Usage: test_text POETRY.elstm TAGGER.elstm [WORD_TAGGER.elstm]   Prints the poems and the tagged texts, a digest of them, and
 * "N passed, M failed" (exit code 1 on any failure).
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include "edgelstm.h"
#include "expect.h"

/* Code points of a UTF-8 string, or -1 if it is not valid UTF-8 (no overlongs or surrogates checked: the library writes it). */
static int decode(const char *s, uint32_t *points, int capacity) {
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; n++) {
        int extra = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : (*p & 0xF8) == 0xF0 ? 3 : -1;
        if (extra < 0) return -1;
        uint32_t c = extra == 0 ? *p : *p & (0x3F >> extra);
        for (int i = 1; i <= extra; i++) {
            if ((p[i] & 0xC0) != 0x80) return -1;
            c = c << 6 | (p[i] & 0x3F);
        }
        if (n < capacity) points[n] = c;
        p += extra + 1;
    }
    return n;
}

#define COMMA 0xFF0Cu     /* ， */
#define FULL_STOP 0x3002u /* 。 */

/* The form check of the runtime's PoemForm, written again in C: lines of `line` Han characters, ， and 。 alternating. */
static int well_formed(const char *poem, int line, int lines) {
    uint32_t points[256];
    int n = decode(poem, points, 256);
    if (n != lines * (line + 1)) return 0;
    for (int i = 0; i < n; i++) {
        int in_line = i % (line + 1);
        uint32_t want = in_line < line ? 0 : (i / (line + 1)) % 2 == 0 ? COMMA : FULL_STOP;
        if (want ? points[i] != want : !(points[i] >= 0x3400 && points[i] != COMMA && points[i] != FULL_STOP)) return 0;
    }
    return 1;
}

static uint64_t digest = 1469598103934665603ULL;
static void hash(const char *s) { for (const char *p = s; *p; p++) digest = (digest ^ (unsigned char)*p) * 1099511628211ULL; }

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s POETRY.elstm TAGGER.elstm\n", argv[0]); return 2; }
    EXPECT(edgelstm_api_version() == EDGELSTM_API_VERSION && EDGELSTM_API_VERSION >= 4, "api version %d, header %d", edgelstm_api_version(), EDGELSTM_API_VERSION);
    edgelstm_model *poetry = NULL, *tagger = NULL;
    expect_status(edgelstm_model_load(argv[1], &poetry), EDGELSTM_OK, "load the poetry model");
    expect_status(edgelstm_model_load(argv[2], &tagger), EDGELSTM_OK, "load the tagger");
    if (!poetry || !tagger) { printf("%d passed, %d failed\n", passed, failed + 1); return 1; }

    /* A multi-byte prompt through the tokenizer; token text comes back as whole characters or not at all. */
    int32_t ids[8];
    size_t count = 0;
    expect_status(edgelstm_model_encode(poetry, "\xe6\x98\xa5\xe9\xa2\xa8", ids, 8, &count), EDGELSTM_OK, "encode 春風");
    EXPECT(count == 2, "春風 is %zu tokens", count);
    char piece[8] = "xxxxxxx";
    size_t length = 0;
    expect_status(edgelstm_model_token_text(poetry, ids[0], piece, sizeof piece, &length), EDGELSTM_OK, "token text of 春");
    EXPECT(length == 3 && strcmp(piece, "\xe6\x98\xa5") == 0, "春 is %zu bytes: %s", length, piece);
    memset(piece, 'x', sizeof piece);
    expect_status(edgelstm_model_token_text(poetry, ids[0], piece, 2, &length), EDGELSTM_BUFFER_TOO_SMALL, "2 bytes for a 3-byte character");
    EXPECT(length == 3 && piece[0] == 'x' && piece[1] == 'x', "nothing written, %zu needed", length);
    expect_status(edgelstm_model_encode(poetry, "\xe6\x98", ids, 8, &count), EDGELSTM_INVALID_ARGUMENT, "a prompt ending inside a character");

    /* Poems in every form, from an empty and a multi-byte prompt: always well formed, the same for the same seed. */
    const char *forms[] = { "jueju5", "jueju7", "lushi5", "lushi7" };
    const int line[] = { 5, 7, 5, 7 }, lines[] = { 4, 4, 8, 8 };
    char poem[1024], again[1024];
    for (int f = 0; f < 4; f++)
        for (uint64_t seed = 1; seed <= 5; seed++) {
            edgelstm_generate_params p = edgelstm_generate_default_params();
            p.form = forms[f];
            p.seed = seed;
            const char *prompt = seed == 1 ? "\xe6\x98\xa5" : "";
            expect_status(edgelstm_model_generate(poetry, prompt, &p, poem, sizeof poem, &length), EDGELSTM_OK, forms[f]);
            EXPECT(well_formed(poem, line[f], lines[f]), "%s seed %llu: not well formed: %s", forms[f], (unsigned long long)seed, poem);
            EXPECT(strncmp(poem, prompt, strlen(prompt)) == 0 && length == strlen(poem), "%s: starts with the prompt, length %zu", forms[f], length);
            expect_status(edgelstm_model_generate(poetry, prompt, &p, again, sizeof again, &length), EDGELSTM_OK, "again");
            EXPECT(strcmp(poem, again) == 0, "%s seed %llu: a different poem for the same seed", forms[f], (unsigned long long)seed);
            if (seed <= 2) printf("poem %s %llu: %s\n", forms[f], (unsigned long long)seed, poem);
            hash(poem);
        }

    /* Free text: valid UTF-8 starting with the prompt. */
    edgelstm_generate_params free_params = edgelstm_generate_default_params();
    free_params.max_tokens = 30;
    expect_status(edgelstm_model_generate(poetry, "\xe6\x98\xa5\xe9\xa2\xa8", &free_params, poem, sizeof poem, &length), EDGELSTM_OK, "free text");
    uint32_t points[64];
    EXPECT(decode(poem, points, 64) == 32, "32 code points (2 prompt + 30), got %d: %s", decode(poem, points, 64), poem);
    hash(poem);

    /* Buffers: too small by the terminator, or ending inside a character: nothing written, the length reported. */
    edgelstm_generate_params p = edgelstm_generate_default_params();
    p.form = "jueju5";
    expect_status(edgelstm_model_generate(poetry, "", &p, poem, sizeof poem, &length), EDGELSTM_OK, "jueju5");
    size_t needed = 0;
    memset(again, 'x', sizeof again);
    expect_status(edgelstm_model_generate(poetry, "", &p, again, length, &needed), EDGELSTM_BUFFER_TOO_SMALL, "no room for the terminator");
    EXPECT(needed == length && again[0] == 'x', "needed %zu of %zu, nothing written", needed, length);
    expect_status(edgelstm_model_generate(poetry, "", &p, again, 7, &needed), EDGELSTM_BUFFER_TOO_SMALL, "7 bytes: the end inside the third character");
    EXPECT(again[0] == 'x' && again[6] == 'x', "nothing written");
    expect_status(edgelstm_model_generate(poetry, "", &p, NULL, 0, &needed), EDGELSTM_BUFFER_TOO_SMALL, "size query");
    expect_status(edgelstm_model_generate(poetry, "", &p, again, needed + 1, &length), EDGELSTM_OK, "the exact size");
    EXPECT(strcmp(again, poem) == 0, "the same poem in the exact buffer");

    /* Bad arguments. */
    p.form = "sonnet";
    expect_status(edgelstm_model_generate(poetry, "", &p, poem, sizeof poem, &length), EDGELSTM_INVALID_ARGUMENT, "unknown form");
    EXPECT(strstr(edgelstm_last_error(), "jueju5") != NULL, "the message lists the forms: %s", edgelstm_last_error());
    p.form = "jueju5";
    expect_status(edgelstm_model_generate(poetry, "\xe6\x98\xa5\xe3\x80\x82", &p, poem, sizeof poem, &length), EDGELSTM_INVALID_ARGUMENT, "a prompt that cannot begin the form");
    expect_status(edgelstm_model_generate(poetry, "\xe6\x98", &p, poem, sizeof poem, &length), EDGELSTM_INVALID_ARGUMENT, "invalid UTF-8 prompt");
    expect_status(edgelstm_model_generate(poetry, NULL, &p, poem, sizeof poem, &length), EDGELSTM_INVALID_ARGUMENT, "NULL prompt");
    expect_status(edgelstm_model_generate(poetry, "", &p, poem, sizeof poem, NULL), EDGELSTM_INVALID_ARGUMENT, "NULL length");
    expect_status(edgelstm_model_generate(NULL, "", &p, poem, sizeof poem, &length), EDGELSTM_INVALID_HANDLE, "NULL model");
    p.temperature = -1;
    expect_status(edgelstm_model_generate(poetry, "", &p, poem, sizeof poem, &length), EDGELSTM_INVALID_ARGUMENT, "negative temperature");
    p = edgelstm_generate_default_params();
    p.struct_size = 3;
    expect_status(edgelstm_model_generate(poetry, "", &p, poem, sizeof poem, &length), EDGELSTM_INVALID_ARGUMENT, "struct_size 3");
    expect_status(edgelstm_model_tag(poetry, "\xe6\x98\xa5", poem, sizeof poem, &length), EDGELSTM_UNSUPPORTED, "tag on a language model");

    /* The tagger: labels with multi-byte marks; punctuation restored into the text, the characters unchanged. */
    edgelstm_model_info info = { .struct_size = sizeof info };
    expect_status(edgelstm_model_get_info(tagger, &info), EDGELSTM_OK, "tagger info");
    EXPECT(strcmp(info.task, "tag") == 0 && info.bidirectional == 1 && info.steppable == 0, "task %s, bidirectional %d", info.task, info.bidirectional);
    const char *label = NULL;
    expect_status(edgelstm_model_label(tagger, 1, &label), EDGELSTM_OK, "label 1");
    EXPECT(label && strcmp(label, "\xef\xbc\x8c") == 0, "label 1 is ，: %s", label ? label : "(null)");
    const char *plain = "\xe6\x98\xa5\xe8\x8a\xb1\xe7\xa7\x8b\xe6\x9c\x88\xe4\xbd\x95\xe6\x97\xb6\xe4\xba\x86\xe5\xbe\x80\xe4\xba\x8b\xe7\x9f\xa5\xe5\xa4\x9a\xe5\xb0\x91"; /* 春花秋月何时了往事知多少 */
    char tagged[512];
    expect_status(edgelstm_model_tag(tagger, plain, tagged, sizeof tagged, &length), EDGELSTM_OK, "tag");
    uint32_t in[64], out[128];
    int n_in = decode(plain, in, 64), n_out = decode(tagged, out, 128), k = 0;
    EXPECT(n_out >= n_in, "tagged text has %d code points, the input %d", n_out, n_in);
    for (int i = 0; i < n_out; i++) if (out[i] != COMMA && out[i] != FULL_STOP && out[i] != 0x3001u) { EXPECT(k < n_in && out[i] == in[k], "character %d changed", i); k++; }
    EXPECT(k == n_in, "every character kept (%d of %d)", k, n_in);
    printf("tagged: %s\n", tagged);
    hash(tagged);
    expect_status(edgelstm_model_tag(tagger, plain, tagged, length, &needed), EDGELSTM_BUFFER_TOO_SMALL, "tag: no room for the terminator");
    EXPECT(needed == length, "needed %zu", needed);
    size_t floats = 0;
    float scores[64 * 4];
    edgelstm_run_params run = edgelstm_run_default_params();
    run.softmax = 1;
    expect_status(edgelstm_model_run_text(tagger, plain, &run, scores, 64 * 4, &floats), EDGELSTM_OK, "run_text on the tagger");
    EXPECT(floats == (size_t)n_in * (size_t)info.output_size, "%zu floats for %d characters", floats, n_in);
    expect_status(edgelstm_model_tag(tagger, "\xe6\x98\xa5\xff", tagged, sizeof tagged, &length), EDGELSTM_INVALID_ARGUMENT, "tag: invalid UTF-8");
    expect_status(edgelstm_model_generate(tagger, "", NULL, poem, sizeof poem, &length), EDGELSTM_UNSUPPORTED, "generate on a tagger");

    if (argc > 3) {
        edgelstm_model *words = NULL;
        expect_status(edgelstm_model_load(argv[3], &words), EDGELSTM_OK, "load the word tagger");
        if (words) {
            /* Pre-tokenized text: each white-space piece one word, printed as written (case, digits, an unknown word) with its tag. */
            const char *sentence = "The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election produced 12 blorptious irregularities .";
            char word_tags[1024];
            expect_status(edgelstm_model_tag(words, sentence, word_tags, sizeof word_tags, &length), EDGELSTM_OK, "tag words");
            int n_words = 0, slashes = 0;
            for (const char *q = sentence; *q; q++) n_words += (*q != ' ' && (q == sentence || q[-1] == ' '));
            for (const char *q = word_tags; *q; q++) slashes += *q == '/';
            EXPECT(slashes == n_words && strncmp(word_tags, "The/", 4) == 0 && strstr(word_tags, " blorptious/") && strstr(word_tags, " 12/"),
                "%d words tagged as written: %s", n_words, word_tags);
            printf("word tags: %s\n", word_tags);
            hash(word_tags);
            edgelstm_model_info word_info = { .struct_size = sizeof word_info };
            expect_status(edgelstm_model_get_info(words, &word_info), EDGELSTM_OK, "word tagger info");
            static float word_scores[64 * 512];
            run = edgelstm_run_default_params();
            expect_status(edgelstm_model_run_text(words, sentence, &run, word_scores, 64 * 512, &floats), EDGELSTM_OK, "run_text on the word tagger");
            EXPECT(floats == (size_t)n_words * (size_t)word_info.output_size, "%zu floats for %d words of %d labels", floats, n_words, word_info.output_size);
            int32_t word_ids[64];
            expect_status(edgelstm_model_encode(words, sentence, word_ids, 64, &count), EDGELSTM_OK, "encode words");
            /* A model with affix features reads affix ids beside the token ids: token ids alone are refused, with a message. */
            expect_status(edgelstm_model_run_tokens(words, word_ids, count, &run, word_scores, 64 * 512, &floats), EDGELSTM_INVALID_ARGUMENT, "run_tokens without affix ids");
            EXPECT(strstr(edgelstm_last_error(), "affix") != NULL, "message: %s", edgelstm_last_error());
            expect_status(edgelstm_model_free(words), EDGELSTM_OK, "free the word tagger");
        }
    }

    printf("text digest %016llx (kernels %s)\n", (unsigned long long)digest, edgelstm_kernel_name());
    expect_status(edgelstm_model_free(poetry), EDGELSTM_OK, "free");
    expect_status(edgelstm_model_free(tagger), EDGELSTM_OK, "free");
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
