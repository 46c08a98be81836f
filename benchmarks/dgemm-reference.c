/*
 * The machine's DGEMM rate, for the benchmark report: cblas_dgemm (OpenBLAS) on square
 * row-major n x n matrices, C = A B, best of a few repetitions after a warm-up.
 *
 *   usage: dgemm-reference THREADS N [N ...]
 *   prints one line per size:
 *   "dgemm threads=T n=N best_seconds=S median_seconds=M gflops=G median_gflops=H"
 *
 * The thread count is set with openblas_set_num_threads, so one binary serves 1 and 2 threads.
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void openblas_set_num_threads(int num_threads);

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s THREADS N [N ...]\n", argv[0]);
    return 2;
  }
  int threads = atoi(argv[1]);
  openblas_set_num_threads(threads);
  for (int arg = 2; arg < argc; arg++) {
    int n = atoi(argv[arg]);
    size_t len = (size_t) n * n;
    double *a = malloc(len * sizeof(double));
    double *b = malloc(len * sizeof(double));
    double *c = malloc(len * sizeof(double));
    if (!a || !b || !c) {
      fprintf(stderr, "out of memory for n=%d\n", n);
      return 1;
    }
    srand(42);
    for (size_t i = 0; i < len; i++) {
      a[i] = (double) rand() / RAND_MAX - 0.5;
      b[i] = (double) rand() / RAND_MAX - 0.5;
      c[i] = 0.0;
    }
    /* Warm-up: page faults, thread start-up, frequency ramp. */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
    enum { REPS = 5 };
    double times[REPS];
    for (int rep = 0; rep < REPS; rep++) {
      double t0 = now();
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
      times[rep] = now() - t0;
    }
    /* Insertion sort: five numbers. */
    for (int i = 1; i < REPS; i++) {
      for (int j = i; j > 0 && times[j] < times[j - 1]; j--) {
        double t = times[j];
        times[j] = times[j - 1];
        times[j - 1] = t;
      }
    }
    double flops = 2.0 * n * n * (double) n;
    printf("dgemm threads=%d n=%d best_seconds=%.4f median_seconds=%.4f gflops=%.2f median_gflops=%.2f\n",
        threads, n, times[0], times[REPS / 2], flops / times[0] * 1e-9, flops / times[REPS / 2] * 1e-9);
    fflush(stdout);
    free(a);
    free(b);
    free(c);
  }
  return 0;
}
