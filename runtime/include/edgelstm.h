/*
 * edgelstm.h: C API of libedgelstm, the EdgeLstm runtime (LSTM models of any task, .elstm int8, int4 or float).
 *
 * Two ways to run a model:
 *  - Sessions step a model token by token (or vector by vector) and keep its state: language models and other
 *    forward-only models with a head at every step (edgelstm_model_info.steppable).
 *  - Whole-sequence runs (API version 2) take a whole input from a zero state and run every model, including
 *    bidirectional and reverse layers and pooled heads: edgelstm_model_run_tokens/_text, edgelstm_model_classify; or, keeping
 *    buffers (and a second core) between calls, on an edgelstm_runner (API version 5).
 *
 * Conventions
 *  - Every function except edgelstm_version/edgelstm_last_error/edgelstm_kernel_name returns an
 *    edgelstm_status; EDGELSTM_OK is 0. On failure, edgelstm_last_error() returns a one-line UTF-8 message
 *    for the calling thread, valid until that thread's next failing call.
 *  - Handles are opaque. NULL, freed or foreign handles give EDGELSTM_INVALID_HANDLE, never a crash.
 *  - Threads: a model is read-only once loaded; any number of sessions on any threads may share it.
 *    A session (and a sampler, and a runner) must be used by one thread at a time. Loading and freeing are thread-safe.
 *  - Lifetime: free what you load or create. edgelstm_model_free releases the model's memory map and file
 *    descriptor once no session uses them: a session may outlive its model (it keeps stepping, and the weights
 *    stay mapped until edgelstm_session_free), but no new session can be made from a freed model
 *    (EDGELSTM_INVALID_HANDLE). edgelstm_session_free stops a two-thread session's helper thread.
 *  - Text is UTF-8; invalid bytes are EDGELSTM_INVALID_ARGUMENT with a message naming their byte offset.
 *  - The library is NativeAOT-compiled .NET; its runtime starts on the first call (a few ms).
 */
#ifndef EDGELSTM_H
#define EDGELSTM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum edgelstm_status {
    EDGELSTM_OK = 0,
    EDGELSTM_INVALID_ARGUMENT = 1, /* NULL pointer, value out of range, text outside the vocabulary */
    EDGELSTM_INVALID_HANDLE = 2,   /* NULL, freed or unknown handle */
    EDGELSTM_FILE_NOT_FOUND = 3,   /* missing or unreadable file */
    EDGELSTM_INVALID_MODEL = 4,    /* corrupt, truncated or inconsistent model */
    EDGELSTM_BUFFER_TOO_SMALL = 5, /* a caller buffer is too small; the needed size is reported */
    EDGELSTM_UNSUPPORTED = 6,      /* the model does not support this call */
    EDGELSTM_INTERNAL = 7          /* a bug: please report the message */
} edgelstm_status;

/* The API this header declares. edgelstm_api_version() is the library's: a host built against a newer header
   than the library it loads can check before calling what the library lacks. */
#define EDGELSTM_API_VERSION 7

/* API 6. threads = EDGELSTM_THREADS_AUTO for sessions and runners: a second core only where it pays (a model with a
   bidirectional layer, or a layer step of at least 4·128·(128 + 128) multiply-adds; two cores in the process); 1 and
   2 as before. */
#define EDGELSTM_THREADS_AUTO 0

typedef struct edgelstm_model edgelstm_model;
typedef struct edgelstm_session edgelstm_session;
typedef struct edgelstm_sampler edgelstm_sampler;
typedef struct edgelstm_runner edgelstm_runner;

/* API version of the library (EDGELSTM_API_VERSION of the header it was built with). */
int edgelstm_api_version(void);
/* Library version, e.g. "0.1.0" (static string). */
const char *edgelstm_version(void);
/* Newest .elstm format version this library reads: major.minor (it reads every earlier minor of that major too). */
int edgelstm_format_version(int *major, int *minor);
/* Message of the calling thread's last failure, or NULL if none yet. */
const char *edgelstm_last_error(void);
/* Kernel variant in use, e.g. "avx512bw-maddubs", "avx2-maddubs", "neon-sdot" (static string). */
const char *edgelstm_kernel_name(void);

/* Load a model (.elstm or float .safetensors, told apart by the first bytes; anything else is EDGELSTM_INVALID_MODEL)
   from a file (an .elstm file is memory-mapped), or from a caller-owned buffer (copied; free it after). */
int edgelstm_model_load(const char *path, edgelstm_model **model);
int edgelstm_model_load_memory(const void *data, size_t size, edgelstm_model **model);
int edgelstm_model_free(edgelstm_model *model);
/* Tokens in a token model's vocabulary (what edgelstm_model_encode and token_text use); EDGELSTM_UNSUPPORTED for a
   model over float vectors. Not the output size of non-language models: see edgelstm_model_io_sizes. */
int edgelstm_model_vocab_size(const edgelstm_model *model, int32_t *size);
/* UTF-8 text to token ids (char models: one per code point; word models: words and punctuation). *count receives the needed length even when it is too small. */
int edgelstm_model_encode(const edgelstm_model *model, const char *utf8, int32_t *ids, size_t capacity, size_t *count);
/* A token's UTF-8 text, NUL-terminated (capacity includes the NUL). */
int edgelstm_model_token_text(const edgelstm_model *model, int32_t token, char *buffer, size_t capacity, size_t *length);

/* Input vector size (embedding size of a token model) and output count (the head's size) of a model. */
int edgelstm_model_io_sizes(const edgelstm_model *model, size_t *input, size_t *outputs);

/* A stream over a steppable model; threads = 1, 2 to split each step across two cores (int8 models), or
   EDGELSTM_THREADS_AUTO (API 6).
   Models that are not steppable (bidirectional or reverse layers, pooled heads): EDGELSTM_UNSUPPORTED. */
int edgelstm_session_create(const edgelstm_model *model, int threads, edgelstm_session **session);
int edgelstm_session_free(edgelstm_session *session);
int edgelstm_session_reset(edgelstm_session *session);
/* Feed one token; writes the head's outputs (edgelstm_model_io_sizes' outputs: for a language model, logits over
   the next token) to `logits` (may be NULL to skip). */
int edgelstm_session_step(edgelstm_session *session, int32_t token, float *logits, size_t capacity);
/* Feed a float input vector of the model's input size (edgelstm_model_io_sizes) and read its outputs: how
   "sequence" models (no token embedding: time series, regression) are stepped. On a character model the
   vector is taken as an embedding-space input. edgelstm_session_step on a sequence model: EDGELSTM_UNSUPPORTED. */
int edgelstm_session_step_input(edgelstm_session *session, const float *input, size_t length, float *outputs, size_t capacity);
/* Recurrent state (h and c of every layer) as floats: query the size, then save or restore it. */
int edgelstm_session_state_size(const edgelstm_session *session, size_t *floats);
int edgelstm_session_get_state(const edgelstm_session *session, float *state, size_t length);
int edgelstm_session_set_state(edgelstm_session *session, const float *state, size_t length);

/* ---- API version 2: what a model is, and whole-sequence runs ---- */

/* What a model is (its model description). Set struct_size = sizeof(edgelstm_model_info) before the call: a
   library of a later version fills only the fields the caller's struct has, and sets struct_size to what it
   filled. Strings are owned by the model and stay valid until edgelstm_model_free. */
typedef struct edgelstm_model_info {
    size_t struct_size;
    const char *task;        /* "char-lm", "word-lm", "sequence", "forecast", "classify", "tag", "regress", "seq2seq" */
    const char *input_kind;  /* "tokens" or "vectors" */
    const char *tokenizer;   /* "char" or "word"; NULL for vector input */
    const char *head;        /* "next-token", "classify", "tag", "regress" or "attention-decoder" */
    const char *pooling;     /* "none" (the head runs at every step), "last", "mean", "max" or "attention" */
    int32_t input_size;      /* embedding size (tokens) or vector width */
    int32_t output_size;     /* outputs of the head: vocabulary size, label count or regression outputs */
    int32_t vocab_size;      /* tokens in the vocabulary; 0 for vector input */
    int32_t layers;          /* LSTM layers */
    int32_t bidirectional;   /* 1 if any layer runs in both directions (a reverse-only layer does not) */
    int32_t steppable;       /* 1 if sessions work (forward-only, a head at every step) */
    int32_t label_count;     /* names from edgelstm_model_label: classify and tag labels, regression output names */
    int32_t max_steps;       /* inputs are cut to this many steps before a run, as in training; 0 = no cut */
    /* API 3: forecasters ("forecast" task; 0 for other models) */
    int32_t forecast_history; /* days of history edgelstm_model_forecast needs at least */
    int32_t forecast_horizon; /* days the model was trained to forecast (a direct model's most) */
} edgelstm_model_info;
int edgelstm_model_get_info(const edgelstm_model *model, edgelstm_model_info *info);
/* Name of label `index` (0..label_count-1), NUL-terminated UTF-8 owned by the model. */
int edgelstm_model_label(const edgelstm_model *model, int32_t index, const char **label);

/* Options of a whole-sequence run. Start from edgelstm_run_default_params() and change fields. */
typedef struct edgelstm_run_params {
    size_t struct_size;      /* sizeof(edgelstm_run_params); set by edgelstm_run_default_params */
    int32_t max_steps;       /* cut the input to this many steps: 0 = the model's max_steps (default), -1 = never */
    int32_t softmax;         /* 1: probabilities instead of logits (classify, tag and next-token heads); default 0 */
} edgelstm_run_params;
edgelstm_run_params edgelstm_run_default_params(void);

/* Runs a whole token sequence from a zero state through every layer (both directions of a bidirectional one) and
   the head. A pooled head (classify) writes output_size floats; a per-step head writes steps x output_size, step
   by step. *count receives the number of floats written, or needed (EDGELSTM_BUFFER_TOO_SMALL). params may be NULL
   (the defaults). Thread-safe on a shared model: each call uses its own buffers (allocated per call). A word model
   with affix features (`edgelstm info`: "affixes:") reads each word's spelling beside its id: run it from text
   (edgelstm_model_run_text, edgelstm_model_tag); token ids alone give EDGELSTM_INVALID_ARGUMENT. */
int edgelstm_model_run_tokens(const edgelstm_model *model, const int32_t *tokens, size_t length, const edgelstm_run_params *params,
                              float *outputs, size_t capacity, size_t *count);
/* The same from UTF-8 text, encoded by the model's tokenizer (words outside a word vocabulary become <unk>). */
int edgelstm_model_run_text(const edgelstm_model *model, const char *utf8, const edgelstm_run_params *params,
                            float *outputs, size_t capacity, size_t *count);
/* A classifier's most likely label for a UTF-8 text and its probability (may be NULL). The text is cut to the
   model's max_steps. Other models: EDGELSTM_UNSUPPORTED. */
int edgelstm_model_classify(const edgelstm_model *model, const char *utf8, int32_t *label, float *probability);

/* API 3. A forecaster's next `horizon` days after last_date ("yyyy-mm-dd"). history holds the series' consecutive
   daily values ending at last_date, at least info.forecast_history of them (only the last are read); the model
   builds its calendar features (weekday, time of year, US holidays) from the dates itself. A recursive model
   forecasts any horizon; a direct one at most info.forecast_horizon. Other models: EDGELSTM_UNSUPPORTED.
   Thread-safe on a shared model (each call has its own buffers, allocated per call). */
int edgelstm_model_forecast(const edgelstm_model *model, const char *last_date, const float *history, size_t history_length,
                            float *forecast, size_t horizon);

/* API 3. A sequence-to-sequence model's output for a UTF-8 input (grapheme-to-phoneme: a word), decoded with a
   beam of beam_width hypotheses (1 = greedy, at most 8): the output symbols separated by single spaces, written
   NUL-terminated to output (capacity bytes). *length receives the bytes of the output without the terminator,
   also when it does not fit (EDGELSTM_BUFFER_TOO_SMALL). A character outside the model's alphabet (tried as
   written, then upper-cased) is EDGELSTM_INVALID_ARGUMENT naming it. Other models: EDGELSTM_UNSUPPORTED.
   Thread-safe on a shared model (each call has its own buffers, allocated per call). */
int edgelstm_model_transduce(const edgelstm_model *model, const char *utf8, int32_t beam_width, char *output, size_t capacity, size_t *length);

/* API 4. Options of edgelstm_model_generate. Start from edgelstm_generate_default_params() and change fields. */
typedef struct edgelstm_generate_params {
    size_t struct_size;   /* sizeof(edgelstm_generate_params); set by edgelstm_generate_default_params */
    int32_t max_tokens;   /* tokens sampled after the prompt (characters or words); default 200; unused with a form */
    float temperature;    /* 0 = greedy; default 0.8 */
    int32_t top_k;        /* 0 = no cut (default) */
    float top_p;          /* in (0, 1]; default 1 */
    uint64_t seed;        /* the same seed gives the same text; default 42 */
    const char *form;     /* poetry models: "jueju5", "jueju7", "lushi5" or "lushi7" constrains the poem to the form; NULL (default) = free */
} edgelstm_generate_params;
edgelstm_generate_params edgelstm_generate_default_params(void);

/* API 4. A language model's text: the UTF-8 prompt followed by what it samples. With params->form, one poem in that
   form (lines of the form's length, the comma and full stop where the form puts them) starting with the prompt,
   which may be empty. Output is written NUL-terminated, whole or not at all: *length receives its bytes without
   the terminator, also when it does not fit (EDGELSTM_BUFFER_TOO_SMALL; nothing is written, so a short buffer
   never ends inside a character). params may be NULL (the defaults). Thread-safe on a shared model. */
int edgelstm_model_generate(const edgelstm_model *model, const char *prompt, const edgelstm_generate_params *params,
                            char *output, size_t capacity, size_t *length);

/* API 4. A tag model's output for a UTF-8 text, written as edgelstm_model_generate writes. A punctuation restorer
   (labels "none" and single marks) writes the text with the marks it restores (marks already in the text are
   taken out first); another tagger writes "token/label" pairs separated by spaces. Other models:
   EDGELSTM_UNSUPPORTED. Thread-safe on a shared model. */
int edgelstm_model_tag(const edgelstm_model *model, const char *utf8, char *output, size_t capacity, size_t *length);

/* API 5. A whole-sequence runner: edgelstm_model_run_tokens/_text on buffers kept between calls (no allocation
   once it has run its longest input, except for encoding text). threads = 1, EDGELSTM_THREADS_AUTO (API 6), or 2 to run each bidirectional
   layer's two directions at once on an int8 model (the same outputs, bit for bit; a helper thread lives until
   edgelstm_runner_free; forward-only layers and float models stay on one core). Use a runner from one thread at a
   time; like a session it may outlive its model. */
int edgelstm_runner_create(const edgelstm_model *model, int threads, edgelstm_runner **runner);
/* As edgelstm_model_run_tokens and edgelstm_model_run_text (the same params, outputs and statuses). */
int edgelstm_runner_run_tokens(edgelstm_runner *runner, const int32_t *tokens, size_t length, const edgelstm_run_params *params,
                               float *outputs, size_t capacity, size_t *count);
int edgelstm_runner_run_text(edgelstm_runner *runner, const char *utf8, const edgelstm_run_params *params,
                             float *outputs, size_t capacity, size_t *count);
int edgelstm_runner_free(edgelstm_runner *runner);

/* API 7. A kept transducer: edgelstm_model_transduce on buffers kept between calls (no model setup per word), with
   threads as edgelstm_runner_create (2: an int8 encoder's bidirectional layers on two cores; decoding stays on one;
   the same outputs). The same arguments, output and statuses as edgelstm_model_transduce. Use it from one thread at
   a time; it may outlive its model. */
typedef struct edgelstm_transducer edgelstm_transducer;
int edgelstm_transducer_create(const edgelstm_model *model, int threads, edgelstm_transducer **transducer);
int edgelstm_transducer_run(edgelstm_transducer *transducer, const char *utf8, int32_t beam_width, char *output, size_t capacity, size_t *length);
int edgelstm_transducer_free(edgelstm_transducer *transducer);

/* Sampling as the CLI does it: temperature (0 = greedy), top_k (0 = all), top_p in (0, 1], seeded. */
int edgelstm_sampler_create(float temperature, int32_t top_k, float top_p, uint64_t seed, edgelstm_sampler **sampler);
int edgelstm_sampler_sample(edgelstm_sampler *sampler, const float *logits, size_t count, int32_t *token);
int edgelstm_sampler_free(edgelstm_sampler *sampler);

#ifdef __cplusplus
}
#endif

#endif /* EDGELSTM_H */
