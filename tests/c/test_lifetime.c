/*
 * Lifetime tests through the C ABI: what a model or session holds (memory map, file descriptor, resident memory,
 * helper thread) is released when it is freed, over many cycles, and a session outlives its freed model; with a
 * bidirectional model, two-thread runners release their helper threads too.
 * Figures come from /proc/self (status, fd, maps, task) before and after; they are printed for the record.
 * Usage: test_lifetime MODEL.elstm CYCLES [BIDIRECTIONAL.elstm]   (prints "N passed, M failed"; exit code 1 on any failure)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "edgelstm.h"
#include "expect.h"

#define OK(call) do { int s_ = (call); EXPECT(s_ == EDGELSTM_OK, "%s: status %d (%s)", #call, s_, edgelstm_last_error() ? edgelstm_last_error() : ""); } while (0)

typedef struct { long rss_kb; int fds; int maps; int model_maps; int threads; } usage;

static const char *model_path; /* resolved, as /proc/self/maps names it */

static int count_dir(const char *path) {
    DIR *dir = opendir(path);
    if (!dir) return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(dir)) != NULL;) if (e->d_name[0] != '.') n++;
    closedir(dir);
    return n;
}

static usage measure(void) {
    usage u = {0};
    char line[4096];
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f)) if (strncmp(line, "VmRSS:", 6) == 0) u.rss_kb = atol(line + 6);
    if (f) fclose(f);
    f = fopen("/proc/self/maps", "r");
    while (f && fgets(line, sizeof line, f)) {
        u.maps++;
        if (strstr(line, model_path)) u.model_maps++;
    }
    if (f) fclose(f);
    u.fds = count_dir("/proc/self/fd") - 1; /* less the one opendir holds */
    u.threads = count_dir("/proc/self/task");
    return u;
}

static void print_usage(const char *what, usage a, usage b) {
    printf("%-44s RSS %6.1f -> %6.1f MB, fds %d -> %d, model mappings %d -> %d, maps %d -> %d, threads %d -> %d\n", what,
           a.rss_kb / 1024.0, b.rss_kb / 1024.0, a.fds, b.fds, a.model_maps, b.model_maps, a.maps, b.maps, a.threads, b.threads);
}

/* A thread's exit finishes a moment after the join that waited for it; give the count up to five seconds to settle. */
/* The thread count once it is back to at most `want` (helper threads end asynchronously), or after 5 s. The
   runtime's own background threads may end meanwhile (seen under qemu: 4 -> 3), so fewer is not a failure. */
static int threads_after(int want) {
    int n = count_dir("/proc/self/task");
    for (int i = 0; i < 500 && n > want; i++) {
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
        n = count_dir("/proc/self/task");
    }
    return n;
}

static unsigned char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *bytes = malloc(*size);
    if (fread(bytes, 1, *size, f) != *size) { free(bytes); bytes = NULL; }
    fclose(f);
    return bytes;
}

/* One load and free; returns the first failing status (0 if both succeeded). */
static int load_free(const char *path, const unsigned char *bytes, size_t size) {
    edgelstm_model *model = NULL;
    int status = path ? edgelstm_model_load(path, &model) : edgelstm_model_load_memory(bytes, size, &model);
    return status != EDGELSTM_OK ? status : edgelstm_model_free(model);
}

/* Cycles of load_free; one check for all of them. */
static void load_free_cycles(int cycles, const char *path, const unsigned char *bytes, size_t size) {
    int failures = 0, last = 0;
    for (int i = 0; i < cycles; i++) if ((last = load_free(path, bytes, size)) != EDGELSTM_OK) failures++;
    EXPECT(failures == 0, "%d of %d load/free cycles failed, the last with status %d (%s)", failures, cycles, last, edgelstm_last_error() ? edgelstm_last_error() : "");
}

/* Prints where each open descriptor points: when the count grew, what the new one is. */
static void print_fds(void) {
    DIR *dir = opendir("/proc/self/fd");
    if (!dir) return;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char link[300], target[256];
        snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n > 0) { target[n] = 0; fprintf(stderr, "  fd %s -> %s\n", e->d_name, target); }
    }
    closedir(dir);
}

/* Descriptors after thousands of cycles: one more than before is the runtime opening one of its own once (seen once
   in 10,000 cycles); a descriptor leaked per load would add thousands. */
static void expect_fds(int before, int after) {
    EXPECT(after - before <= 1, "file descriptors %d -> %d", before, after);
    if (after != before) print_fds();
}

/* Resident memory may grow by what the managed heap keeps for reuse, not by what each cycle loaded. The GC sizes
   its first generation by the L3 cache (300 MiB on some Xeons, where a leak-free loop swung by 80 MB), so
   build.sh runs this test with DOTNET_GCgen0size=400000 (4 MiB): then these loops stay within 2 MB. */
#define RSS_SLACK_KB (64 * 1024)
/* A session or runner left behind per cycle holds its buffers (for the default 3×512 model about 0.7 MB: a chunk's
   projections, quantized inputs and outputs) and a helper thread's stack: 1,000 cycles would add hundreds of MB.
   Not checked under qemu-user (build.sh sets EDGELSTM_UNDER_QEMU): it keeps about 280 KB of every thread that was
   created and joined, so each two-thread cycle grows it whatever the library does (a plain pthread_create/join
   loop of 1,000 threads grows 16 -> 297 MB under qemu-aarch64 7.2, 1.2 -> 1.8 MB natively). */
#define CYCLE_RSS_SLACK_KB (20 * 1024)

static void expect_cycle_rss(usage before, usage after, const char *what, int cycles) {
    if (getenv("EDGELSTM_UNDER_QEMU")) {
        printf("%s: resident memory not checked under qemu-user (it keeps each joined thread's memory)\n", what);
        return;
    }
    EXPECT(after.rss_kb - before.rss_kb < CYCLE_RSS_SLACK_KB, "resident memory grew by %ld kB over %d %s cycles", after.rss_kb - before.rss_kb, cycles, what);
}

/* After `cycles` two-thread create/use/free cycles of a session or runner (`kind`): no call failed, no helper thread
   outlived its owner, and resident memory stayed within CYCLE_RSS_SLACK_KB. */
static void expect_clean_cycles(const char *kind, usage before, int failures, int cycles) {
    EXPECT(failures == 0, "%d failures in %d two-thread %s cycles", failures, cycles, kind);
    usage after = measure();
    after.threads = threads_after(before.threads);
    char what[128];
    snprintf(what, sizeof what, "two-thread %s create/use/free x%d:", kind, cycles);
    print_usage(what, before, after);
    EXPECT(after.threads <= before.threads, "threads %d -> %d: a %s's helper thread outlived it", before.threads, after.threads, kind);
    expect_cycle_rss(before, after, kind, cycles);
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s MODEL CYCLES [BIDIRECTIONAL_MODEL]\n", argv[0]); return 2; }
    model_path = realpath(argv[1], NULL);
    int cycles = atoi(argv[2]);
    if (!model_path || cycles < 1) { fprintf(stderr, "%s: no such file, or CYCLES < 1\n", argv[1]); return 2; }
    size_t size = 0;
    unsigned char *bytes = read_file(model_path, &size);
    EXPECT(bytes != NULL, "read %s", model_path);
    if (!bytes) return 1;

    /* Warm up: the runtime, the kernels and the managed heap come up on the first calls. */
    load_free_cycles(20, model_path, NULL, 0);
    load_free_cycles(20, NULL, bytes, size);

    usage before = measure(), after;
    load_free_cycles(cycles, model_path, NULL, 0);
    after = measure();
    char what[128];
    snprintf(what, sizeof what, "load/free from the file x%d:", cycles);
    print_usage(what, before, after);
    EXPECT(after.model_maps == before.model_maps, "model file mappings %d -> %d", before.model_maps, after.model_maps);
    expect_fds(before.fds, after.fds);
    EXPECT(after.rss_kb - before.rss_kb < RSS_SLACK_KB, "resident memory grew by %ld kB", after.rss_kb - before.rss_kb);

    before = measure();
    load_free_cycles(cycles, NULL, bytes, size);
    after = measure();
    snprintf(what, sizeof what, "load/free from memory x%d:", cycles);
    print_usage(what, before, after);
    expect_fds(before.fds, after.fds);
    EXPECT(after.rss_kb - before.rss_kb < RSS_SLACK_KB, "resident memory grew by %ld kB", after.rss_kb - before.rss_kb);

    /* Two-thread sessions own a helper thread each: create/free must leave the thread count where it was. */
    usage unloaded = measure();
    edgelstm_model *model = NULL;
    OK(edgelstm_model_load(model_path, &model));
    int32_t vocab = 0;
    OK(edgelstm_model_vocab_size(model, &vocab));
    float *logits = malloc(sizeof(float) * (size_t)vocab), *again = malloc(sizeof(float) * (size_t)vocab);
    int session_cycles = cycles < 1000 ? cycles : 1000;
    before = measure();
    int session_failures = 0;
    for (int i = 0; i < session_cycles; i++) {
        edgelstm_session *session = NULL;
        if (edgelstm_session_create(model, 2, &session) != EDGELSTM_OK) { session_failures++; continue; }
        if (edgelstm_session_step(session, 1 + i % (vocab - 1), logits, (size_t)vocab) != EDGELSTM_OK) session_failures++;
        if (edgelstm_session_free(session) != EDGELSTM_OK) session_failures++;
    }
    expect_clean_cycles("session", before, session_failures, session_cycles);

    /* Two-thread runners on a bidirectional model own a helper thread each, like two-thread sessions. */
    if (argc > 3) {
        edgelstm_model *bidirectional = NULL;
        OK(edgelstm_model_load(argv[3], &bidirectional));
        int32_t tokens[40];
        for (int t = 0; t < 40; t++) tokens[t] = 2 + t;
        float outputs[64];
        size_t count = 0;
        int runner_failures = 0;
        before = measure();
        for (int i = 0; i < session_cycles; i++) {
            edgelstm_runner *runner = NULL;
            if (edgelstm_runner_create(bidirectional, 2, &runner) != EDGELSTM_OK) { runner_failures++; continue; }
            if (edgelstm_runner_run_tokens(runner, tokens, 1 + i % 40, NULL, outputs, 64, &count) != EDGELSTM_OK) runner_failures++;
            if (edgelstm_runner_free(runner) != EDGELSTM_OK) runner_failures++;
        }
        expect_clean_cycles("runner", before, runner_failures, session_cycles);
        OK(edgelstm_model_free(bidirectional));
    }

    /* A session outlives its freed model: it keeps the mapping, steps as before, and releases it when freed. */
    edgelstm_session *session = NULL, *other = NULL;
    OK(edgelstm_session_create(model, 1, &session));
    OK(edgelstm_session_step(session, 1, logits, (size_t)vocab));
    OK(edgelstm_session_reset(session));
    usage held = measure();
    OK(edgelstm_model_free(model));
    usage orphan = measure();
    EXPECT(orphan.model_maps == held.model_maps && orphan.model_maps > 0, "the live session's mapping went with the model: %d -> %d", held.model_maps, orphan.model_maps);
    OK(edgelstm_session_step(session, 1, again, (size_t)vocab));
    EXPECT(memcmp(logits, again, sizeof(float) * (size_t)vocab) == 0, "a session of a freed model gives other logits");
    int status = edgelstm_session_create(model, 1, &other);
    EXPECT(status == EDGELSTM_INVALID_HANDLE, "session on a freed model: status %d", status);
    status = edgelstm_model_vocab_size(model, &vocab);
    EXPECT(status == EDGELSTM_INVALID_HANDLE, "vocab size of a freed model: status %d", status);
    OK(edgelstm_session_free(session));
    usage released = measure();
    printf("%-44s model mappings %d with the model, %d after it was freed, %d after its session was freed\n",
           "session outliving its model:", held.model_maps, orphan.model_maps, released.model_maps);
    EXPECT(released.model_maps == unloaded.model_maps, "mapping not released with the last session: %d -> %d", held.model_maps, released.model_maps);
    status = edgelstm_session_step(session, 1, again, (size_t)vocab);
    EXPECT(status == EDGELSTM_INVALID_HANDLE, "step on a freed session: status %d", status);

    free(logits); free(again); free(bytes); free((void *)model_path);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
