package org.dtheta.nn.structured;

import org.dtheta.core.Tape;
import org.dtheta.core.Var;
import org.dtheta.core.sparse.CsrMatrix;
import org.dtheta.nn.Block;
import org.dtheta.nn.Dataset;
import org.dtheta.nn.Loss;
import org.dtheta.nn.NetworkConfig;
import org.dtheta.nn.ParamLayout;
import org.dtheta.nn.TangentBudget;
import org.dtheta.nn.TwoLayerNet;

/**
 * The engine's part of the structured Hessian: forward-over-reverse sweeps of the network's top
 * {@code F(A1, W2, b2)} ({@link TwoLayerNet#buildTop}) over chunks of samples, giving
 *
 * <ul>
 *   <li>the per-sample curvature {@code M_i = d^2 F / da_i da_i} ({@code h x h}) of every
 *       sample, from ONE sweep per chunk with {@code h} directions: direction {@code p} is 1 in
 *       column {@code p} of every row of {@code A1}. {@code F} is a sum over samples, so its
 *       Hessian in {@code A1} is block diagonal and row {@code i} of the adjoint tangent of
 *       {@code A1} is {@code M_i} itself. Kept as packed upper triangles ({@code M_i} is
 *       symmetric), which halves the Gram work that follows;
 *   <li>the {@code t2 = h c + c} columns of the Hessian for the second-layer parameters
 *       {@code (W2, b2)}, all {@code P} rows, by their Kronecker structure ({@link
 *       SecondLayerColumns}) from what the engine gives per sample: the logits' curvature
 *       {@code S_i} and the adjoint tangent of {@code A1} from ONE sweep with the {@code c} unit
 *       directions of {@code b2}, the hidden activations {@code z_i}, their slope from a
 *       one-direction forward sweep, and the logits' adjoint {@code g_i}. The {@code h c} unit
 *       directions of {@code W2} need no sweeps of their own.
 * </ul>
 *
 * The top is recorded for {@code chunkRows} samples (and once more for a shorter last chunk):
 * its tangents cost {@code chunkRows x (h + c) x directions} doubles per node, not {@code k x}.
 * A chunk's loss is normalised over the chunk; {@link #chunkScale} turns it into its share of
 * the full loss.
 */
final class TopCurvature {

  /**
   * Samples per chunk at most, below what the tangent budget allows: a chunk's sweeps cost the
   * same per sample whatever its size, so larger chunks only hold more memory.
   */
  static final int MAX_CHUNK_SAMPLES = 1024;

  private final NetworkConfig config;
  private final Dataset data;
  private final CsrMatrix xAug;
  private final ParamLayout layout;
  private final int h;
  private final int c;
  private final int tail;
  private final int chunkRows;

  /**
   * For data {@code xAug = [X 1]} (CSR) of the dataset; sizes from {@code config}. Chunk rows: 0
   * chooses them from a memory budget that holds sweeps of {@code directionsPerSweep} second-layer
   * directions (0: the default). The sweeps now carry {@code h} and {@code c} directions; the
   * budget keeps its earlier sweep width so that chunk sizes, and with them the bits, stay.
   */
  TopCurvature(NetworkConfig config, Dataset data, CsrMatrix xAug, int chunkRows,
      int directionsPerSweep) {
    this.config = config;
    this.data = data;
    this.xAug = xAug;
    this.layout = config.layout();
    this.h = config.hidden();
    this.c = config.outputs();
    this.tail = layout.length(Block.W2) + layout.length(Block.B2);
    int budgetDirections =
        Math.min(tail, directionsPerSweep > 0 ? directionsPerSweep : defaultDirectionsPerSweep(h));
    this.chunkRows = chunkRows > 0
        ? Math.min(chunkRows, data.k())
        : Math.min(MAX_CHUNK_SAMPLES,
            TangentBudget.rowsPerPart(tangentsPerSample(h, c, budgetDirections), data.k()));
  }

  /** Second-layer directions per sweep the chunk budget holds by default: h, at least 64. */
  static int defaultDirectionsPerSweep(int h) {
    return Math.max(h, 64);
  }

  /**
   * Doubles a chunk's sweeps hold per sample: the tangents of four wide nodes of {@code h + c}
   * columns with the most directions a sweep carries ({@code h} for the curvature, up to {@code
   * directionsPerSweep} for the tail), and the direction matrices on A1 (the curvature's {@code
   * h}, a full and a last, shorter tail sweep's).
   */
  static long tangentsPerSample(int h, int c, int directionsPerSweep) {
    return 4L * (h + c) * Math.max(h, directionsPerSweep) + (long) h * (h + 2L * directionsPerSweep);
  }

  /**
   * Row length of a packed symmetric {@code h x h} matrix: its {@code h(h+1)/2} upper-triangle
   * entries, rounded up to a multiple of 8 (one 512-bit vector) so that the Gram kernels never
   * run a scalar tail. The padding stays zero.
   */
  static int packedWidth(int h) {
    return (h * (h + 1) / 2 + 7) / 8 * 8;
  }

  /** {@code t2}: the number of second-layer parameters (W2 and b2). */
  int tailWidth() {
    return tail;
  }

  /**
   * Runs the sweeps at {@code theta}. Writes the tail columns to {@code tailColumns}
   * ({@code P x t2}, row-major: entry {@code (r, d)} is {@code H[r, W2 offset + d]}), and, when
   * {@code packedCurvature} is not null, the packed {@code M_i} ({@code k x h(h+1)/2}, upper
   * triangles row by row), both scaled to the full loss. The L2 term is not included.
   */
  void compute(double[] theta, double[] tailColumns, double[] packedCurvature) {
    int p = layout.size();
    java.util.Arrays.fill(tailColumns, 0, p * tail, 0.0);
    SecondLayerColumns columns = new SecondLayerColumns(xAug, h, c, chunkRows);
    forEachChunk(theta, (t, i0, rows, scale) -> {
      double[] slope = t.activationSlope();
      columns.setChunk(i0, rows, scale, t.hidden.value(), slope, t.logits.adjoint());
      if (packedCurvature != null) {
        t.curvature(packedCurvature, i0, scale);
      }
      t.b2Sweep();
      columns.addChunk(t.a1.adjointTangent(), t.logits.adjointTangent());
    });
    columns.writeTo(tailColumns, layout.offset(Block.W2));
  }

  /**
   * The diagonal pieces at {@code theta}, by the same sweeps without the second-layer columns'
   * Gram work: {@code curvatureDiagonal} ({@code k x h}) gets the diagonals of the per-sample
   * {@code M_i}, {@code tailDiagonal} ({@code t2}) the diagonal of the second-layer block, both
   * scaled to the full loss. The L2 term is not included. The second-layer diagonal comes from
   * its Kronecker structure ({@link SecondLayerColumns}): {@code H[(q,a), (q,a)] = sum_i
   * zhat_iq^2 S_i[a,a]}, the logits' curvature {@code S_i} from one sweep with the {@code c} unit
   * directions of {@code b2} instead of one per second-layer parameter.
   */
  void diagonal(double[] theta, double[] curvatureDiagonal, double[] tailDiagonal) {
    java.util.Arrays.fill(tailDiagonal, 0, tail, 0.0);
    int weights = h * c;
    forEachChunk(theta, (t, i0, rows, scale) -> {
      double[] m = t.curvatureSweep();
      for (int i = 0; i < rows; i++) {
        for (int q = 0; q < h; q++) {
          curvatureDiagonal[(i0 + i) * h + q] = scale * m[i * h * h + q * h + q];
        }
      }
      double[] z = t.hidden.value();
      t.b2Sweep();
      // row i, direction b, column a is S_i[a, b]
      double[] logitCurvature = t.logits.adjointTangent();
      for (int i = 0; i < rows; i++) {
        for (int a = 0; a < c; a++) {
          double saa = scale * logitCurvature[i * c * c + a * c + a];
          for (int q = 0; q < h; q++) {
            double zq = z[i * h + q];
            tailDiagonal[q * c + a] += zq * zq * saa;
          }
          tailDiagonal[weights + a] += saa;
        }
      }
    });
  }

  /** What is done with each chunk of samples, its tape evaluated at theta. */
  @FunctionalInterface
  private interface ChunkWork {
    void run(ChunkTape tape, int firstSample, int rows, double scale);
  }

  /**
   * Records and evaluates the top on each chunk of samples in order and hands it to {@code
   * work} with the chunk's share of the loss.
   */
  private void forEachChunk(double[] theta, ChunkWork work) {
    int k = data.k();
    double[] a1 = new double[k * h];
    // theta starts with [W1; b1] row-major: exactly the (n+1) x h factor of [X 1].
    xAug.multiply(theta, h, a1, false);
    ChunkTape full = null;
    for (int i0 = 0; i0 < k; i0 += chunkRows) {
      int rows = Math.min(chunkRows, k - i0);
      // One tape serves every full chunk; a shorter last chunk gets its own.
      if (rows == chunkRows && full == null) {
        full = new ChunkTape(rows);
      }
      ChunkTape t = rows == chunkRows ? full : new ChunkTape(rows);
      t.evaluate(theta, a1, i0);
      work.run(t, i0, rows, chunkScale(rows));
    }
  }

  /**
   * The factor that turns a chunk's loss into its share of the full data loss: the chunk's
   * mean over {@code rows} samples is {@code rows / k} of the full mean; a sum needs none.
   */
  double chunkScale(int rows) {
    return config.loss() == Loss.SQUARED_ERROR ? 1.0 : (double) rows / data.k();
  }

  /** The top recorded for one chunk size, with its direction matrices. */
  private final class ChunkTape {
    final int rows;
    final Tape tape = new Tape();
    final Var a1;
    final Var loss;
    final Var hidden;
    final Var logits;
    final double[] targets;
    final double[] point;
    double[] curvatureDirections;
    double[] b2Directions;
    /** One direction, 1 on every entry of A1: the hidden activations' tangent is their slope. */
    double[] slopeDirection;

    ChunkTape(int rows) {
      this.rows = rows;
      // Variables in the order of the flat vector: a1, then W2 and b2 as in theta.
      a1 = tape.variable(rows, h);
      Var w2 = tape.variable(h, c);
      Var b2 = tape.variable(1, c);
      targets = new double[rows * c];
      TwoLayerNet.TopNodes top =
          TwoLayerNet.buildTopNodes(tape, config, a1, w2, b2, tape.constant(targets, rows, c));
      hidden = top.hidden();
      logits = top.logits();
      loss = top.loss();
      point = new double[tape.parameterCount()];
    }

    /** Values and adjoints at theta for samples {@code [i0, i0 + rows)}. */
    void evaluate(double[] theta, double[] a1All, int i0) {
      System.arraycopy(a1All, i0 * h, point, 0, rows * h);
      System.arraycopy(theta, layout.offset(Block.W2), point, rows * h, tail);
      System.arraycopy(data.targets(), i0 * c, targets, 0, rows * c);
      tape.setVariables(point);
      tape.forward();
      tape.reverse(loss, null);
    }

    /**
     * The activation's slope {@code act'(A1)} ({@code rows x h}) by one forward tangent sweep
     * whose direction is 1 on every entry of {@code A1}.
     */
    double[] activationSlope() {
      if (slopeDirection == null) {
        slopeDirection = new double[point.length];
        java.util.Arrays.fill(slopeDirection, 0, rows * h, 1.0);
      }
      tape.setTangents(slopeDirection, 1);
      tape.forwardTangents(1);
      return hidden.tangent();
    }

    /** The {@code h}-direction sweep; packs {@code scale * M_i} for the chunk's samples. */
    void curvature(double[] packed, int i0, double scale) {
      double[] m = curvatureSweep();
      int width = packedWidth(h);
      for (int i = 0; i < rows; i++) {
        int to = (i0 + i) * width;
        int from = i * h * h;
        for (int q = 0; q < h; q++) {
          for (int p2 = q; p2 < h; p2++) {
            packed[to++] = scale * m[from + q * h + p2];
          }
        }
      }
    }

    /**
     * The {@code h}-direction sweep: direction {@code q} is 1 in column {@code q} of every row
     * of {@code A1}. Returns the adjoint tangent of {@code A1}: row {@code i}, direction {@code
     * q}, column {@code p} ({@code i*h*h + q*h + p}) is {@code M_i[p, q]} of the chunk's loss.
     */
    double[] curvatureSweep() {
      int pt = point.length;
      if (curvatureDirections == null) {
        curvatureDirections = new double[pt * h];
        for (int i = 0; i < rows; i++) {
          for (int q = 0; q < h; q++) {
            curvatureDirections[(i * h + q) * h + q] = 1.0;
          }
        }
      }
      tape.setTangents(curvatureDirections, h);
      tape.forwardTangents(h);
      tape.reverseTangents(loss, null, h);
      return a1.adjointTangent();
    }

    /**
     * The sweep with the {@code c} unit directions of {@code b2}: the logits' adjoint tangents are
     * then the curvatures {@code S_i}, A1's the {@code U_i} ({@link SecondLayerColumns}).
     */
    void b2Sweep() {
      if (b2Directions == null) {
        int b2Start = rows * h + h * c;
        b2Directions = new double[point.length * c];
        for (int a = 0; a < c; a++) {
          b2Directions[(b2Start + a) * c + a] = 1.0;
        }
      }
      tape.setTangents(b2Directions, c);
      tape.forwardTangents(c);
      tape.reverseTangents(loss, null, c);
    }
  }
}
