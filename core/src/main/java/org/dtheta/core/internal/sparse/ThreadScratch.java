package org.dtheta.core.internal.sparse;

import org.dtheta.core.kernel.CacheAligned;
import org.dtheta.core.sparse.CsrMatrix;

/**
 * A work array per thread, kept between calls, for the panel copies of the wide sparse
 * products. Allocating them per call (16 MB for the directions of a Hessian product, 4 MB per
 * worker for the transposed one) made G1 start a marking cycle on almost every call, which
 * took a core's worth of time from the products.
 *
 * <p>Arrays are at least {@link CacheAligned#MIN_DOUBLES} long, so data packed from {@link
 * CacheAligned#START} lie on cache lines ({@link CsrMatrix}'s panels). A thread uses its array
 * for one product at a time: kernels run chunks to completion, and nested parallel calls run
 * inline.
 */
public final class ThreadScratch {

  private final ThreadLocal<double[]> arrays = new ThreadLocal<>();

  /** This thread's array, grown to at least {@code size} doubles; its contents are stale. */
  public double[] get(int size) {
    double[] a = arrays.get();
    if (a == null || a.length < size) {
      a = new double[Math.max(size, CacheAligned.MIN_DOUBLES)];
      arrays.set(a);
    }
    return a;
  }
}
