/*
 * C ABI tests of API version 3: a forecaster's information and edgelstm_model_forecast on the US births series;
 * error paths; four threads forecasting on one model give the single-threaded forecast.
 * Usage: test_forecast FORECASTER.elstm BIRTHS.csv CLASSIFIER.elstm
 *   BIRTHS.csv: date,births,split as `edgelstm-data births` writes it. Prints the forecast from 1988-11-30 as
 *   "forecast DATE VALUE" lines, a digest of its bytes, and "N passed, M failed" (exit code 1 on any failure).
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

#define MAX_DAYS 8000
#define HORIZON 28
static char dates[MAX_DAYS][11];
static float values[MAX_DAYS];
static edgelstm_model *shared;
static size_t origin_length;
static float single[HORIZON];

static int read_series(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[128];
    int n = 0;
    if (!fgets(line, sizeof line, f)) { fclose(f); return -1; }
    while (n < MAX_DAYS && fgets(line, sizeof line, f)) {
        char *comma = strchr(line, ',');
        if (!comma || comma - line != 10) break;
        memcpy(dates[n], line, 10);
        dates[n][10] = 0;
        values[n++] = strtof(comma + 1, NULL);
    }
    fclose(f);
    return n;
}

static void *forecast_again(void *arg) {
    int *mismatches = arg;
    float out[HORIZON];
    for (int round = 0; round < 20; round++) {
        if (edgelstm_model_forecast(shared, dates[origin_length - 1], values, origin_length, out, HORIZON) != EDGELSTM_OK ||
            memcmp(out, single, sizeof out) != 0) (*mismatches)++;
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s FORECASTER.elstm BIRTHS.csv CLASSIFIER.elstm\n", argv[0]); return 2; }
    int days = read_series(argv[2]);
    if (days < 1000) { fprintf(stderr, "%s: could not read the series (%d days)\n", argv[2], days); return 2; }
    EXPECT(edgelstm_api_version() >= 3, "api version %d", edgelstm_api_version());

    edgelstm_model *model = NULL;
    expect_status(edgelstm_model_load(argv[1], &model), EDGELSTM_OK, "load the forecaster");
    if (!model) { printf("%d passed, %d failed\n", passed, failed + 1); return 1; }
    edgelstm_model_info info = { .struct_size = sizeof info };
    expect_status(edgelstm_model_get_info(model, &info), EDGELSTM_OK, "info");
    EXPECT(strcmp(info.task, "forecast") == 0, "task %s", info.task);
    EXPECT(strcmp(info.input_kind, "vectors") == 0 && info.tokenizer == NULL, "input %s", info.input_kind);
    EXPECT(info.forecast_history == 56 && info.forecast_horizon == HORIZON, "history %d, horizon %d", info.forecast_history, info.forecast_horizon);
    EXPECT(info.steppable == 1 && info.output_size == 1, "a recursive forecaster: steppable, one output per step");

    /* 28 days after 1988-11-30 from everything before: plausible values, near the actual ones. */
    int origin = -1;
    for (int i = 0; i < days; i++) if (strcmp(dates[i], "1988-11-30") == 0) origin = i;
    EXPECT(origin > 0 && origin + HORIZON < days, "1988-11-30 is in the series");
    origin_length = (size_t)origin + 1;
    expect_status(edgelstm_model_forecast(model, dates[origin], values, origin_length, single, HORIZON), EDGELSTM_OK, "forecast");
    double absolute = 0;
    int plausible = 1;
    for (int h = 0; h < HORIZON; h++) {
        if (!(single[h] > 5000 && single[h] < 15000)) plausible = 0;
        absolute += fabs(single[h] - values[origin + 1 + h]);
        printf("forecast %s %.1f\n", dates[origin + 1 + h], single[h]);
    }
    EXPECT(plausible, "every forecast between 5,000 and 15,000 births");
    EXPECT(absolute / HORIZON < 400, "MAE %.1f over the 28 days", absolute / HORIZON);
    /* Only the last days are read: the same forecast from the minimum history. */
    float shorter[HORIZON];
    size_t need = (size_t)info.forecast_history;
    expect_status(edgelstm_model_forecast(model, dates[origin], values + origin_length - need, need, shorter, HORIZON), EDGELSTM_OK, "minimum history");
    EXPECT(memcmp(shorter, single, sizeof shorter) == 0, "the forecast depends on the last days only");
    /* A longer horizon than trained: a recursive model rolls on; its first days are the 28-day forecast's. */
    float longer[2 * HORIZON];
    expect_status(edgelstm_model_forecast(model, dates[origin], values, origin_length, longer, 2 * HORIZON), EDGELSTM_OK, "56 days");
    EXPECT(memcmp(longer, single, sizeof single) == 0, "the first 28 of 56 days are the 28-day forecast");

    uint64_t digest = 1469598103934665603ULL;
    for (size_t b = 0; b < sizeof single; b++) digest = (digest ^ ((const unsigned char *)single)[b]) * 1099511628211ULL;
    printf("forecast digest %016llx (kernels %s)\n", (unsigned long long)digest, edgelstm_kernel_name());

    /* Four threads on the shared model: each call has its own buffers. */
    shared = model;
    pthread_t threads[4];
    int mismatches[4] = { 0 };
    for (int t = 0; t < 4; t++) pthread_create(&threads[t], NULL, forecast_again, &mismatches[t]);
    for (int t = 0; t < 4; t++) pthread_join(threads[t], NULL);
    EXPECT(mismatches[0] + mismatches[1] + mismatches[2] + mismatches[3] == 0, "threads: %d forecasts differ", mismatches[0] + mismatches[1] + mismatches[2] + mismatches[3]);

    /* Errors: a status and a one-line message each; nothing written to a NULL buffer. */
    float out[HORIZON];
    expect_status(edgelstm_model_forecast(model, NULL, values, origin_length, out, HORIZON), EDGELSTM_INVALID_ARGUMENT, "NULL date");
    expect_status(edgelstm_model_forecast(model, "1988-13-01", values, origin_length, out, HORIZON), EDGELSTM_INVALID_ARGUMENT, "month 13");
    EXPECT(strstr(edgelstm_last_error(), "1988-13-01") != NULL, "the message quotes the date: %s", edgelstm_last_error());
    expect_status(edgelstm_model_forecast(model, dates[origin], NULL, origin_length, out, HORIZON), EDGELSTM_INVALID_ARGUMENT, "NULL history");
    expect_status(edgelstm_model_forecast(model, dates[origin], values, 30, out, HORIZON), EDGELSTM_INVALID_ARGUMENT, "30 days of history");
    EXPECT(strstr(edgelstm_last_error(), "56") != NULL, "the message says how many days: %s", edgelstm_last_error());
    expect_status(edgelstm_model_forecast(model, dates[origin], values, origin_length, NULL, HORIZON), EDGELSTM_INVALID_ARGUMENT, "NULL output");
    expect_status(edgelstm_model_forecast(model, dates[origin], values, origin_length, out, 0), EDGELSTM_INVALID_ARGUMENT, "horizon 0");
    float nan_history[60];
    for (int i = 0; i < 60; i++) nan_history[i] = i == 50 ? NAN : 10000;
    expect_status(edgelstm_model_forecast(model, dates[origin], nan_history, 60, out, HORIZON), EDGELSTM_INVALID_ARGUMENT, "NaN in the history");
    expect_status(edgelstm_model_forecast(NULL, dates[origin], values, origin_length, out, HORIZON), EDGELSTM_INVALID_HANDLE, "NULL model");

    edgelstm_model *classifier = NULL;
    expect_status(edgelstm_model_load(argv[3], &classifier), EDGELSTM_OK, "load the classifier");
    expect_status(edgelstm_model_forecast(classifier, dates[origin], values, origin_length, out, HORIZON), EDGELSTM_UNSUPPORTED, "forecast with a classifier");
    edgelstm_model_info classifier_info = { .struct_size = sizeof classifier_info };
    expect_status(edgelstm_model_get_info(classifier, &classifier_info), EDGELSTM_OK, "classifier info");
    EXPECT(classifier_info.forecast_history == 0 && classifier_info.forecast_horizon == 0, "no forecast fields on a classifier");
    edgelstm_model_free(classifier);

    expect_status(edgelstm_model_free(model), EDGELSTM_OK, "free");
    expect_status(edgelstm_model_forecast(model, dates[origin], values, origin_length, out, HORIZON), EDGELSTM_INVALID_HANDLE, "freed model");
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
