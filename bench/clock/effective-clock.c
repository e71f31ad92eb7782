/*
 * Effective clock of this x86-64 vCPU: a chain of dependent adds runs at one per cycle, so adds per second =
 * cycles the core gave us per second (lower than the nominal clock when the hypervisor takes time away).
 * Five runs of 4e8 adds. Build and run: ./build.sh bench clock
 */
#include <stdio.h>
#include <time.h>

int main(void) {
    for (int run = 0; run < 5; run++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        unsigned long x = 0;
        for (long i = 0; i < 400000000L; i++) __asm__ volatile("add $1, %0" : "+r"(x)); /* one add per cycle, not folded */
        clock_gettime(CLOCK_MONOTONIC, &b);
        (void)x;
        double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
        printf("%.2f G dependent adds/s (about the effective GHz)\n", 4e8 / s / 1e9);
    }
    return 0;
}
