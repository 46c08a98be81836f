package org.dtheta.mnist;

import org.dtheta.nn.TangentBudget;
import org.dtheta.nn.io.AtomicFiles;
import org.dtheta.nn.structured.StructuredHessianPanels;

/**
 * The heap a command will need, estimated from its sizes before any work and compared with the
 * JVM's maximum heap, so that a job too large for the machine stops at once with the estimate
 * and what to lower instead of failing with an OutOfMemoryError after minutes of work.
 * Estimates are of live data, calibrated with GC logs (figures in benchmarks/README.md); they err
 * on the small side, so that no job that fits is refused.
 */
final class MemoryCheck {

  /** Test images the accuracy is measured on. */
  private static final long TEST_IMAGES = 10_000;

  /** Directions per sweep of batched Hessian products (TwoLayerNet's default, at most). */
  private static final long DIRECTIONS_PER_SWEEP = 64;

  private MemoryCheck() {}

  /**
   * The network on its data, as every command holds it: the images as doubles and as sparse
   * rows, and the forward and reverse buffers of the loss: about 2100 + 6H doubles per training
   * image. For deeper nets H is the sum of the hidden widths (the buffers grow with every layer's
   * width).
   */
  static long model(int k, java.util.List<Integer> hidden) {
    return model(k, hidden.stream().mapToInt(Integer::intValue).sum());
  }

  /** {@link #model(int, java.util.List)} for hidden widths summing to {@code hidden}. */
  static long model(int k, int hidden) {
    return 8L * ((long) k * (2100 + 6L * hidden) + TEST_IMAGES * (784 + 2L * hidden));
  }

  /**
   * The quads the sparse products of several directions build once and keep, each union entry
   * an index and four weights: the pixel quads of the transposed products ({@code RowQuads}, on
   * MNIST about 0.35 union entries per lit pixel, 149 per image: about 240 doubles' worth per
   * image) and the quads of images of the products themselves ({@code PairQuads}, 58 union
   * entries per image and seven indices: about 265).
   */
  private static final long QUADS_PER_IMAGE_DOUBLES = 240 + 265;

  /**
   * The tangents of batched Hessian products with {@code m} directions: about 6 (H + 10) m
   * doubles per image, over parts of the batch capped at the budget; with more than one
   * direction also the quads of pixels and of images.
   */
  static long tangents(int k, int hidden, long m) {
    long quads = m > 1 ? 8L * QUADS_PER_IMAGE_DOUBLES * k : 0;
    return TangentBudget.bytes(6L * (hidden + 10) * m, k) + quads;
  }

  /**
   * Nonzeros per image of the augmented data {@code [X 1]}: MNIST's training images light 149.9
   * pixels on average (at most 351), and the bias adds its 1.
   */
  private static final long NONZEROS_PER_IMAGE = 151;

  /** Df's whole-matrix or block work beyond the model, by the structured or hvp route. */
  static long jacobian(int k, int hidden, long p, long panelRows, boolean structured) {
    long panel = 8L * panelRows * p;
    long written = WholeDfJob.PANELS_IN_FLIGHT * panel; // the copies the writer thread holds
    if (!structured) {
      return tangents(k, hidden, Math.min(p, DIRECTIONS_PER_SWEEP)) + 2 * panel + written;
    }
    long packed = (long) hidden * (hidden + 1) / 2;
    long tail = 10L * hidden + 10;
    return 8L * ((long) k * packed + p * tail) + panel + written
        + StructuredHessianPanels.sweepTangentBytes(hidden, 10, k)
        + StructuredHessianPanels.secondLayerBytes(hidden, 10, org.dtheta.mnist.data.Mnist.PIXELS)
        + StructuredHessianPanels.keptBlockBytes(hidden, org.dtheta.mnist.data.Mnist.PIXELS)
        + StructuredHessianPanels.gramBytes(hidden, org.dtheta.mnist.data.Mnist.PIXELS, k,
            NONZEROS_PER_IMAGE, org.dtheta.core.kernel.Parallel.threads());
  }

  /** {@code Df V} with {@code m} directions: V, the product, and the sweeps' tangents. */
  static long product(int k, int hidden, long p, long m) {
    return 16L * p * m + tangents(k, hidden, Math.min(m, DIRECTIONS_PER_SWEEP));
  }

  /** Block Lanczos with a basis of {@code krylov} vectors of {@code p} and blocks of {@code b}. */
  static long lanczos(int k, int hidden, long p, long krylov, long b) {
    return 8L * p * krylov + tangents(k, hidden, b);
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
