package org.dtheta.mnist;

import org.dtheta.nn.io.AtomicFiles;

/**
 * The heap a command will need, estimated from its sizes before any work and compared with the
 * JVM's maximum heap, so that a job too large for the machine stops at once with the estimate
 * and what to lower instead of failing with an OutOfMemoryError after minutes of work.
 * Estimates are of live data, as measured with GC logs (see the commit introducing this class);
 * they err on the small side, so that no job that fits is refused.
 */
final class MemoryCheck {

  /** Test images the accuracy is measured on. */
  private static final long TEST_IMAGES = 10_000;

  /** Tangent buffers of one part of a batched Hessian product (TwoLayerNet's budget, 2^27 doubles). */
  private static final long TANGENT_BYTES = 8L << 27;

  private MemoryCheck() {}

  /**
   * The network on its data, as every command holds it: the images as doubles and as sparse
   * rows, and the forward and reverse buffers of the loss. Measured at k = 60000: 1.13 GB live at
   * H = 50, 2.10 GB at H = 400, about 2100 + 6H doubles per training image.
   */
  static long model(int k, int hidden) {
    return 8L * ((long) k * (2100 + 6L * hidden) + TEST_IMAGES * (784 + 2L * hidden));
  }

  /** Df's whole-matrix or block work beyond the model, by the structured or hvp route. */
  static long jacobian(int k, int hidden, long p, long panelRows, boolean structured) {
    long panel = 8L * panelRows * p;
    if (!structured) {
      return TANGENT_BYTES + 2 * panel;
    }
    long packed = (long) hidden * (hidden + 1) / 2;
    long tail = 10L * hidden + 10;
    return 8L * ((long) k * packed + p * tail) + panel;
  }

  /** {@code Df V} with {@code m} directions: V, the product, and the sweeps' tangents. */
  static long product(long p, long m) {
    return 16L * p * m + TANGENT_BYTES;
  }

  /** Block Lanczos with a basis of {@code krylov} vectors of {@code p}, and its products. */
  static long lanczos(long p, long krylov) {
    return 8L * p * krylov + TANGENT_BYTES;
  }

  /**
   * Throws (bad input, exit 2) when {@code bytes} exceed the heap this JVM may use, saying what
   * needs it, the estimate and which options to lower.
   */
  static void require(long bytes, String what, String lower) {
    long max = Runtime.getRuntime().maxMemory();
    if (bytes > max) {
      throw new IllegalArgumentException(what + " needs about " + AtomicFiles.humanBytes(bytes)
          + " of heap, more than the " + AtomicFiles.humanBytes(max) + " this JVM may use; lower "
          + lower + ", or give Java more heap (DTHETA_JAVA_OPTS=-Xmx<size> if the machine has it)");
    }
  }
}
