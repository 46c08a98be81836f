package org.dtheta.core.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The engine's worker threads: one pool sized to the machine (system property
 * {@code dtheta.threads} overrides), used by kernels to split large products across cores.
 * Calls made from inside the pool run inline, so parallel kernels may nest without
 * oversubscribing the two cores of a laptop-class machine.
 */
public final class Parallel {

  private static final int THREADS =
      Math.max(1, Integer.getInteger("dtheta.threads", Runtime.getRuntime().availableProcessors()));

  /** Numbers the workers' names: a new worker's pool index is not assigned until it registers. */
  private static final java.util.concurrent.atomic.AtomicInteger WORKERS =
      new java.util.concurrent.atomic.AtomicInteger();

  private static final ForkJoinPool POOL =
      THREADS == 1
          ? null
          : new ForkJoinPool(
              THREADS,
              pool -> {
                var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                t.setDaemon(true);
                t.setName("dtheta-worker-" + WORKERS.getAndIncrement());
                return t;
              },
              null,
              false);

  private Parallel() {}

  /** How many threads the kernels use. */
  public static int threads() {
    return THREADS;
  }

  /**
   * The first of the indices {@code [0, n)} in band {@code band} of {@code bands} consecutive
   * bands of near-equal size; band {@code b} is {@code [bandStart(n, b, bands), bandStart(n, b + 1,
   * bands))} and {@code bandStart(n, bands, bands) == n}. Depends on {@code bands} only, so work
   * split into a fixed number of bands is the same on any thread count.
   */
  public static int bandStart(int n, int band, int bands) {
    return (int) ((long) n * band / bands);
  }

  /** Runs {@code body.accept(c)} for every chunk {@code c} in {@code [0, chunks)}, in parallel. */
  public static void forEachChunk(int chunks, IntConsumer body) {
    if (chunks <= 1 || POOL == null || ForkJoinTask.inForkJoinPool()) {
      for (int c = 0; c < chunks; c++) {
        body.accept(c);
      }
      return;
    }
    POOL.invoke(
        new RecursiveAction() {
          @Override
          protected void compute() {
            RecursiveAction[] tasks = new RecursiveAction[chunks];
            for (int c = 0; c < chunks; c++) {
              final int chunk = c;
              tasks[c] =
                  new RecursiveAction() {
                    @Override
                    protected void compute() {
                      body.accept(chunk);
                    }
                  };
            }
            invokeAll(tasks);
          }
        });
  }
}
