package org.dtheta.core.internal.sparse;

import org.dtheta.core.sparse.CsrMatrix;

/**
 * A work array per thread, kept between calls, for the panel copies of the wide sparse
 * products. Allocating them per call (16 MB for the directions of a Hessian product, 4 MB per
 * worker for the transposed one) made G1 start a marking cycle on almost every call, which
 * took a core's worth of time from the products.
 *
 * <p>Arrays are at least {@link #MIN_DOUBLES} long, so G1 allocates them as humongous objects
 * at a region boundary whatever the request, and they never move; data packed from {@link
 * #ALIGNED_START} then lies on cache lines ({@link CsrMatrix}'s panels; only speed depends on
 * this). A thread uses its array for one product at a time: kernels run chunks to completion,
 * and nested parallel calls run inline.
 */
public final class ThreadScratch {

  /** 8 MiB: humongous for G1 regions up to 16 MiB (heaps up to about 32 GiB). */
  public static final int MIN_DOUBLES = 1 << 20;

  /**
   * The element of an array of at least {@link #MIN_DOUBLES} doubles that starts a 64-byte
   * cache line: its data begin 16 bytes (the header) after a G1 region boundary, 6 doubles
   * more reach the next line. Vector loads from rows packed there never straddle two lines
   * (15-18% faster from L2 than straddling ones, {@code SparseGram}'s tile kernel).
   */
  public static final int ALIGNED_START = 6;

  private final ThreadLocal<double[]> arrays = new ThreadLocal<>();

  /** This thread's array, grown to at least {@code size} doubles; its contents are stale. */
  public double[] get(int size) {
    double[] a = arrays.get();
    if (a == null || a.length < size) {
      a = new double[Math.max(size, MIN_DOUBLES)];
      arrays.set(a);
    }
    return a;
  }
}
