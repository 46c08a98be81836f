package org.dtheta.nn;

import org.dtheta.core.kernel.Kernels;
import org.dtheta.core.kernel.Parallel;
import org.dtheta.core.kernel.UnaryFunction;
import org.dtheta.core.sparse.CsrMatrix;
import org.dtheta.core.sparse.RowBlocks;

/**
 * Hessian and Gauss-Newton products {@code C V} of a two-layer network with a softmax
 * cross-entropy output and sparse inputs, computed direction by direction over small blocks of
 * samples, with every intermediate of a block in L1 or L2. {@link TwoLayerNet} takes this path
 * for single directions ({@link TwoLayerNet#FUSED_MAX_DIRECTIONS}); its tape sweeps are the
 * reference it is tested against.
 *
 * <p>A work item is one direction (and, with few directions, one share of the samples): its
 * first-layer slices ({@code 784 x 50}, 313 KB each for MNIST) stay in the core's L2 while the
 * item walks the samples in blocks of {@link #BLOCK_SAMPLES}, and each block's tangents ({@code
 * 64 x 50}) stay in L1 from the sparse product that makes them to the sparse product that
 * consumes them ({@link RowBlocks}). No reverse sweep of the tape is needed (the per-sample
 * factors below come from its forward values), and no {@code k x h} tangent buffer is written.
 * With one direction that makes it the cheaper path; per direction it costs about what the
 * tape's batched sweep costs per direction (the sparse products run at the same rate either way,
 * and the small per-block products of the second layer cost about what the tape's large ones and
 * their memory passes cost), so many directions go through the tape, which needs fewer calls.
 *
 * <p>For a sample with pre-activation {@code a}, activation {@code z = s(a)}, logits {@code o},
 * probabilities {@code p}, {@code g = p - t}, and one direction {@code V = (V1, v1, V2, v2)}
 * (DESIGN.md section 3; {@code S = diag(p) - p p^T}, {@code D = s'(a)}, {@code E = s''(a) (W2
 * g)}), the loss {@code (1/k) sum CE} gives
 *
 * <pre>
 *   a' = V1^T x + v1,   z' = D a',   o' = V2^T z + W2^T z' + v2,   g' = S o'
 *   HV[W2] = (1/k) sum z g'^T + z' g^T,   HV[b2] = (1/k) sum g'
 *   r = D (W2 g' + V2 g) + E a',   HV[W1] = (1/k) sum x r^T,   HV[b1] = (1/k) sum r
 * </pre>
 *
 * and the Gauss-Newton product drops every term with {@code g}: {@code W2 g'} alone in {@code
 * r}, {@code z g'^T} alone in {@code HV[W2]}. Each result is a sum over samples in a fixed order
 * (blocks in order, shares of the samples in order), so the bits do not depend on the number of
 * threads. Values at a point come from the tape's forward pass ({@link #setPoint}); not
 * thread-safe itself.
 */
final class FusedCurvatureProducts {

  /**
   * Samples per block: a block's tangents ({@code 64 x 50} doubles, 25 KB) stay in L1 between the
   * forward product and the transposed product that reads them back.
   */
  static final int BLOCK_SAMPLES = 64;

  /**
   * Work items aimed at when there are few directions: each direction's samples are then cut
   * into shares (with partial results added in share order) so that both cores stay busy.
   */
  private static final int MIN_ITEMS = 8;

  private final ParamLayout layout;
  private final int k;
  private final int h;
  private final int c;
  private final UnaryFunction activation;
  private final double[] targets;
  private final RowBlocks x;
  /** Directions multiplied so far: the column pairs of {@link #x} pay from the second on. */
  private long directionsDone;

  /** The theta the per-sample factors below were computed at (identity). */
  private double[] pointAt;
  private final double[] w2;
  /** Per sample: {@code z = s(a)}, {@code D = s'(a)}, {@code E = s''(a) (W2 g)} (k x h). */
  private final double[] z;
  private final double[] d;
  private final double[] e;
  /** Per sample: probabilities {@code p} and {@code g = p - t} (k x c). */
  private final double[] p;
  private final double[] g;

  /** Whether {@code config} has the shape these products are written for. */
  static boolean supports(NetworkConfig config) {
    return config.denseFirstLayer() && config.loss() == Loss.CROSS_ENTROPY;
  }

  /**
   * The products of {@code config}'s loss on {@code data} ({@link #supports} must hold), whose
   * inputs {@code x} holds in sparse form (the tape's own copy).
   */
  FusedCurvatureProducts(NetworkConfig config, Dataset data, CsrMatrix x) {
    if (!supports(config)) {
      throw new IllegalArgumentException(
          "fused curvature products need a dense first layer and softmax cross-entropy, not "
              + config);
    }
    this.layout = config.layout();
    this.k = data.k();
    this.h = config.hidden();
    this.c = config.outputs();
    this.activation = config.activation().function();
    this.targets = data.targets();
    this.x = new RowBlocks(x, BLOCK_SAMPLES);
    this.w2 = new double[h * c];
    this.z = new double[k * h];
    this.d = new double[k * h];
    this.e = new double[k * h];
    this.p = new double[k * c];
    this.g = new double[k * c];
  }

  /**
   * Makes the per-sample factors current at {@code theta}, given the tape's values there: the
   * pre-activation {@code a1} ({@code k x h}) and the logits ({@code k x c}). Nothing is
   * recomputed while {@code theta} is the same array as at the last call: the caller passes a
   * copy it replaces whenever theta changes.
   */
  void setPoint(double[] theta, double[] a1, double[] logits) {
    if (theta == pointAt) {
      return;
    }
    pointAt = null;
    System.arraycopy(theta, layout.offset(Block.W2), w2, 0, h * c);
    Kernels.map(activation, k * h, a1, 0, z, 0);
    Kernels.mapDerivative(activation, 1, k * h, a1, 0, z, 0, d, 0);
    Kernels.softmaxRows(k, c, logits, 0, p, 0, new double[k], 0);
    Kernels.addScaled(k * c, p, 0, -1.0, targets, 0, g, 0);
    // E = s''(a) (g W2^T): the adjoint of z, up to the 1/k of the mean, times s''
    Kernels.gemm(false, true, k, h, c, 1.0, g, 0, c, w2, 0, c, 0.0, e, 0, h);
    double[] second = new double[k * h];
    Kernels.mapDerivative(activation, 2, k * h, a1, 0, z, 0, second, 0);
    Kernels.mul(k * h, second, 0, e, 0, e, 0, false);
    pointAt = theta;
  }

  /**
   * {@code out = C V} without the L2 term, {@code C} the Hessian of the data loss ({@code
   * hessian}) or its Gauss-Newton part, at the point of the last {@link #setPoint}; {@code v}
   * and {@code out} are {@code P x m} row-major.
   */
  void times(boolean hessian, double[] v, int m, double[] out) {
    int size = layout.size();
    if (directionsDone + m > 1) {
      x.pairColumns();
    }
    directionsDone += m;
    double[] vT = new double[Math.multiplyExact(size, m)];
    transposeRows(size, m, v, vT);
    int shares = Math.max(1, Math.min(x.blocks(), (MIN_ITEMS + m - 1) / m));
    double[] resultT = new double[vT.length];
    double[][] partial = new double[m * shares][];
    Parallel.forEachChunk(m * shares, item -> {
      int dir = item / shares;
      int share = item % shares;
      double[] acc = shares == 1 ? resultT : new double[size];
      int accOff = shares == 1 ? dir * size : 0;
      BlockWork work = new BlockWork();
      int b1 = Parallel.bandStart(x.blocks(), share + 1, shares);
      for (int blk = Parallel.bandStart(x.blocks(), share, shares); blk < b1; blk++) {
        work.run(hessian, blk, vT, dir * size, acc, accOff);
      }
      partial[item] = acc;
    });
    if (shares > 1) {
      for (int item = 0; item < m * shares; item++) {
        Kernels.axpy(size, 1.0, partial[item], 0, resultT, (item / shares) * size);
      }
    }
    Kernels.scale(resultT.length, 1.0 / k, resultT, 0);
    transposeRows(m, size, resultT, out);
  }

  /** {@code b = a^T} for a {@code rows x cols} row-major {@code a}, in row bands over the cores. */
  private static void transposeRows(int rows, int cols, double[] a, double[] b) {
    int bands = Math.min(rows, 4 * Parallel.threads());
    Parallel.forEachChunk(bands, t -> {
      int r0 = Parallel.bandStart(rows, t, bands);
      int r1 = Parallel.bandStart(rows, t + 1, bands);
      if (r1 > r0) {
        Kernels.transpose(r1 - r0, cols, a, r0 * cols, cols, b, r0, rows);
      }
    });
  }

  /** One work item's buffers for a block of samples, and the block's computation. */
  private final class BlockWork {
    final double[] aDot = new double[BLOCK_SAMPLES * h];
    final double[] zDot = new double[BLOCK_SAMPLES * h];
    final double[] r = new double[BLOCK_SAMPLES * h];
    final double[] oDot = new double[BLOCK_SAMPLES * c];
    final double[] gDot = new double[BLOCK_SAMPLES * c];

    /**
     * Adds block {@code blk}'s share of {@code C V} for the direction at {@code v[vOff ..]} (P
     * entries in theta's layout) to {@code acc[accOff ..]}, without the factor 1/k.
     */
    void run(boolean hessian, int blk, double[] v, int vOff, double[] acc, int accOff) {
      int i0 = x.blockStart(blk);
      int n = x.blockEnd(blk) - i0;
      int w1 = layout.offset(Block.W1);
      int b1 = layout.offset(Block.B1);
      int v2 = vOff + layout.offset(Block.W2);
      int b2 = layout.offset(Block.B2);
      // forward tangents: a' = X V1 + 1 v1, z' = D a', o' = Z V2 + Z' W2 + 1 v2, g' = S o'
      x.multiply(blk, v, vOff + w1, h, h, v, vOff + b1, aDot, 0, h);
      Kernels.mul(n * h, d, i0 * h, aDot, 0, zDot, 0, false);
      Kernels.gemm(false, false, n, c, h, 1.0, z, i0 * h, h, v, v2, c, 0.0, oDot, 0, c);
      Kernels.gemm(false, false, n, c, h, 1.0, zDot, 0, h, w2, 0, c, 1.0, oDot, 0, c);
      Kernels.addRowVector(n, c, 1, v, vOff + b2, oDot, 0);
      Kernels.centredMulRepeated(n, c, 1, p, i0 * c, p, i0 * c, oDot, 0, gDot, 0, false);
      // second layer: z g'^T (+ z' g^T), g'
      int accW2 = accOff + layout.offset(Block.W2);
      Kernels.gemm(true, false, h, c, n, 1.0, z, i0 * h, h, gDot, 0, c, 1.0, acc, accW2, c);
      if (hessian) {
        Kernels.gemm(true, false, h, c, n, 1.0, zDot, 0, h, g, i0 * c, c, 1.0, acc, accW2, c);
      }
      Kernels.sumColumnsInto(n, c, gDot, 0, c, acc, accOff + b2);
      // first layer: r = D (W2 g' + V2 g) + E a', then X^T r and its column sums
      Kernels.gemm(false, true, n, h, c, 1.0, gDot, 0, c, w2, 0, c, 0.0, zDot, 0, h);
      if (hessian) {
        Kernels.gemm(false, true, n, h, c, 1.0, g, i0 * c, c, v, v2, c, 1.0, zDot, 0, h);
        Kernels.mulAddRepeated(n, h, 1, d, i0 * h, zDot, 0, e, i0 * h, aDot, 0, r, 0, false);
      } else {
        Kernels.mul(n * h, d, i0 * h, zDot, 0, r, 0, false);
      }
      Kernels.sumColumnsInto(n, h, r, 0, h, acc, accOff + b1);
      x.multiplyTransposedAdd(blk, r, 0, h, h, acc, accOff + w1, h);
    }
  }
}
