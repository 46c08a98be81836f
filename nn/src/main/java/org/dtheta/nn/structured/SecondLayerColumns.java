package org.dtheta.nn.structured;

import java.util.concurrent.atomic.AtomicInteger;
import org.dtheta.core.kernel.CacheAligned;
import org.dtheta.core.kernel.Parallel;
import org.dtheta.core.sparse.CsrMatrix;
import org.dtheta.core.sparse.SparseKernels;

/**
 * The Hessian's columns of the second-layer parameters {@code (W2, b2)}, all rows, by their
 * Kronecker structure, accumulated chunk by chunk of samples from what the engine gives per
 * sample. With {@code z_i = act(a_i)}, logits {@code A2 = Z W2 + 1 b2} and the loss a sum over
 * samples, the engine's sweeps give per sample the logits' adjoint {@code g_i} and curvature
 * {@code S_i} ({@code c x c}), the slope {@code act'(a_i)} and, from the {@code c} unit
 * directions of {@code b2}, {@code U_i[p, a] = d^2 F / da_ip db2_a}. The chain rule through
 * {@code A2 = Z W2 + 1 b2} gives the rest, with {@code zhat_i = [z_i 1]} (row {@code h} of
 * {@code W2} standing for {@code b2}):
 *
 * <pre>
 *   H[(j,p), (q,a)] = sum_i x_ij (zhat_iq U_i[p,a] + [p = q] act'(a_ip) g_ia)
 *   H[(q,a), (r,b)] = sum_i zhat_iq zhat_ir S_i[a,b]
 * </pre>
 *
 * (the bracket is 1 when {@code p = q}, and never for {@code b2}'s row {@code q = h}). The first
 * is, for each pixel {@code j}, {@code h + 1} weighted sums of the rows {@code U_i} of the
 * samples that light it, which share their rows: register tiles of four ({@link
 * SparseKernels#gatherRowQuads}) over column blocks that stay in cache. Each sum adds its samples
 * in order, chunk after chunk, and each (pixel, row) belongs to one thread, so the bits do not
 * depend on the thread count. Not thread-safe.
 */
final class SecondLayerColumns {

  /** Columns of the gathered rows per pass: a block of a pixel's rows stays in L2 over the tiles. */
  private static final int COLUMN_BLOCK = 96;

  /**
   * Where the gathered rows (and the per-pixel blocks) start: with rows {@code padded} ({@link
   * CacheAligned#lineStride}) apart, each row on cache lines of its own, so no load of the
   * gathers reads two.
   */
  private static final int AT = CacheAligned.START;

  private final CsrMatrix byPixel;
  private final int h;
  private final int c;
  private final int pixels;
  /** {@code h + 1}: the hidden activations and the constant 1 of {@code b2}. */
  private final int zRows;
  /** Register tiles of four rows over {@code zRows} (the last one padded with zero weights). */
  private final int quads;
  /** The row of a pixel's block that gathers the {@code [p = q]} term. */
  private final int diagonalRow;
  private final int blockRows;
  /** {@code c h} entries of {@code U_i} and of the diagonal term's rows, (a, p) order. */
  private final int width;
  private final int padded;
  private final int tail;
  private final int tailPadded;
  private final int maxRows;
  /** Per pixel, the next entry of its samples (chunks come in sample order). */
  private final int[] cursor;
  /** Per pixel from {@link #AT}, {@code blockRows x padded}: rows {@code q < zRows}, then the diagonal term. */
  private final double[] cross;
  /** Per logit {@code a}, {@code 4 quads x tailPadded}: rows {@code q}, columns {@code (r, b)}. */
  private final double[] tailTail;
  /** The rows gathered per pixel, {@code U_i} and the diagonal term's, each from {@link #AT}. */
  private final double[] u;
  private final double[] diagonalSource;
  private final double[] zHat;
  /** {@code scale * zhat_iq} in tiles: tile {@code Q}, sample {@code t}, row {@code r}. */
  private final double[] zWeights;
  private final int[] identity;
  private final Scratch[] scratch;
  private int i0;
  private int rows;
  private double scale;
  private double[] logitCurvature;

  /** Per-thread buffers. */
  private static final class Scratch {
    final int[] index;
    final double[] x;
    final double[] weights;
    final double[] diagonalWeights;
    final double[] y;

    Scratch(int maxRows, int quads, int tailPadded) {
      index = new int[maxRows];
      x = new double[maxRows];
      weights = new double[4 * quads * maxRows];
      diagonalWeights = new double[maxRows];
      y = new double[maxRows * tailPadded];
    }
  }

  /** For data {@code xAug = [X 1]}, {@code h} hidden units, {@code c} logits, chunks of at most {@code maxRows}. */
  SecondLayerColumns(CsrMatrix xAug, int h, int c, int maxRows) {
    this.byPixel = xAug.transpose();
    this.h = h;
    this.c = c;
    this.pixels = xAug.cols();
    this.zRows = h + 1;
    this.quads = (zRows + 3) / 4;
    this.diagonalRow = zRows % 4 == 0 ? 4 * quads : 4 * quads - 1;
    this.blockRows = diagonalRow + 1;
    this.width = c * h;
    this.padded = CacheAligned.lineStride(width);
    this.tail = zRows * c;
    this.tailPadded = CacheAligned.lineStride(tail);
    this.maxRows = maxRows;
    this.cursor = new int[pixels];
    for (int j = 0; j < pixels; j++) {
      cursor[j] = byPixel.rowStart(j);
    }
    this.cross = CacheAligned.newArray((long) pixels * blockRows * padded);
    this.tailTail = new double[c * 4 * quads * tailPadded];
    this.u = CacheAligned.newArray((long) maxRows * padded);
    this.diagonalSource = CacheAligned.newArray((long) maxRows * padded);
    this.zHat = new double[maxRows * zRows];
    this.zWeights = new double[4 * quads * maxRows];
    this.identity = new int[maxRows];
    for (int t = 0; t < maxRows; t++) {
      identity[t] = t;
    }
    this.scratch = new Scratch[Parallel.threads()];
    for (int w = 0; w < scratch.length; w++) {
      scratch[w] = new Scratch(maxRows, quads, tailPadded);
    }
  }

  /**
   * Bytes of the per-pixel blocks and the two gathered row buffers this holds for {@code pixels}
   * pixels, {@code h} hidden units, {@code c} logits and chunks of at most {@link
   * TopCurvature#MAX_CHUNK_SAMPLES} samples.
   */
  static long bytes(int pixels, int h, int c) {
    int zRows = h + 1;
    int quads = (zRows + 3) / 4;
    long blockRows = (zRows % 4 == 0 ? 4L * quads : 4L * quads - 1) + 1;
    long padded = CacheAligned.lineStride(Math.multiplyExact(c, h));
    return 8L * (CacheAligned.length(pixels * blockRows * padded)
        + 2 * CacheAligned.length(TopCurvature.MAX_CHUNK_SAMPLES * padded));
  }

  /**
   * The chunk of samples {@code [first, first + rows)}: its hidden activations {@code z} and
   * their slope ({@code rows x h}), the logits' adjoint {@code g} ({@code rows x c}), and the
   * factor of its share of the loss.
   */
  void setChunk(int first, int rows, double scale, double[] z, double[] slope, double[] g) {
    if (rows > maxRows) {
      throw new IllegalArgumentException("chunk of " + rows + " samples, at most " + maxRows);
    }
    this.i0 = first;
    this.rows = rows;
    this.scale = scale;
    for (int i = 0; i < rows; i++) {
      for (int q = 0; q < h; q++) {
        zHat[i * zRows + q] = z[i * h + q];
      }
      zHat[i * zRows + h] = 1.0;
      for (int a = 0; a < c; a++) {
        double ga = g[i * c + a];
        int to = AT + i * padded + a * h;
        for (int p = 0; p < h; p++) {
          diagonalSource[to + p] = slope[i * h + p] * ga;
        }
      }
    }
    for (int tile = 0; tile < quads; tile++) {
      for (int i = 0; i < rows; i++) {
        for (int r = 0; r < 4; r++) {
          int q = 4 * tile + r;
          zWeights[4 * (tile * rows + i) + r] = q < zRows ? scale * zHat[i * zRows + q] : 0.0;
        }
      }
    }
  }

  /**
   * Adds the chunk's terms, given the adjoint tangent of {@code A1} ({@code rows x c x h}: row
   * {@code i}, direction {@code a}, column {@code p} is {@code U_i[p, a]}) and of the logits
   * ({@code rows x c x c}: row {@code i}, direction {@code b}, column {@code a} is {@code
   * S_i[a, b]}) of the sweep with the unit directions of {@code b2}.
   */
  void addChunk(double[] a1AdjointTangent, double[] logitsAdjointTangent) {
    for (int i = 0; i < rows; i++) {
      System.arraycopy(a1AdjointTangent, i * width, u, AT + i * padded, width);
    }
    logitCurvature = logitsAdjointTangent;
    AtomicInteger next = new AtomicInteger();
    int items = pixels + c;
    Parallel.forEachChunk(scratch.length, w -> {
      Scratch s = scratch[w];
      for (int item = next.getAndIncrement(); item < items; item = next.getAndIncrement()) {
        if (item < pixels) {
          addPixel(item, s);
        } else {
          addLogit(item - pixels, s);
        }
      }
    });
  }

  /** Pixel {@code j}'s rows {@code sum_i x_ij zhat_iq U_i} and its diagonal term over the chunk. */
  private void addPixel(int j, Scratch s) {
    int[] samples = byPixel.columnIndices();
    double[] values = byPixel.values();
    int end = byPixel.rowStart(j) + byPixel.rowLength(j);
    int e = cursor[j];
    int n = 0;
    for (; e < end && samples[e] < i0 + rows; e++, n++) {
      s.index[n] = samples[e] - i0;
      s.x[n] = values[e];
    }
    cursor[j] = e;
    if (n == 0) {
      return;
    }
    for (int tile = 0; tile < quads; tile++) {
      for (int t = 0; t < n; t++) {
        int from = 4 * (tile * rows + s.index[t]);
        int to = 4 * (tile * n + t);
        for (int r = 0; r < 4; r++) {
          s.weights[to + r] = s.x[t] * zWeights[from + r];
        }
      }
    }
    for (int t = 0; t < n; t++) {
      s.diagonalWeights[t] = scale * s.x[t];
    }
    SparseKernels k = SparseKernels.selected();
    int base = AT + j * blockRows * padded;
    for (int c0 = 0; c0 < padded; c0 += COLUMN_BLOCK) {
      int nb = Math.min(COLUMN_BLOCK, padded - c0);
      for (int tile = 0; tile < quads; tile++) {
        k.gatherRowQuads(nb, n, s.index, 0, s.weights, 4 * tile * n, u, AT + c0, padded, cross,
            base + 4 * tile * padded + c0, padded, true);
      }
      k.gatherRows(nb, n, s.index, 0, s.diagonalWeights, 0, diagonalSource, AT + c0, padded, cross,
          base + diagonalRow * padded + c0, true);
    }
  }

  /** Logit {@code a}'s rows of the second-layer block over the chunk. */
  private void addLogit(int a, Scratch s) {
    double[] y = s.y;
    for (int i = 0; i < rows; i++) {
      int to = i * tailPadded;
      for (int r = 0; r < zRows; r++) {
        double z = zHat[i * zRows + r];
        for (int b = 0; b < c; b++) {
          y[to + r * c + b] = z * logitCurvature[i * c * c + b * c + a];
        }
      }
    }
    SparseKernels k = SparseKernels.selected();
    for (int tile = 0; tile < quads; tile++) {
      k.gatherRowQuads(tailPadded, rows, identity, 0, zWeights, 4 * tile * rows, y, 0, tailPadded,
          tailTail, (a * 4 * quads + 4 * tile) * tailPadded, tailPadded, true);
    }
  }

  /**
   * Writes the columns into {@code tailColumns} ({@code P x t2}, row-major, {@code t2 = (h + 1)
   * c}): the first-layer rows {@code (j, p)} first, then the second-layer rows from {@code
   * w2Offset} ({@code W2} then {@code b2}).
   */
  void writeTo(double[] tailColumns, int w2Offset) {
    for (int j = 0; j < pixels; j++) {
      int base = AT + j * blockRows * padded;
      for (int p = 0; p < h; p++) {
        int to = (j * h + p) * tail;
        for (int q = 0; q < zRows; q++) {
          int from = base + q * padded + p;
          for (int a = 0; a < c; a++) {
            double v = cross[from + a * h];
            if (q == p) {
              v += cross[base + diagonalRow * padded + a * h + p];
            }
            tailColumns[to + q * c + a] = v;
          }
        }
      }
    }
    for (int q = 0; q < zRows; q++) {
      for (int a = 0; a < c; a++) {
        System.arraycopy(tailTail, (a * 4 * quads + q) * tailPadded, tailColumns,
            (w2Offset + q * c + a) * tail, tail);
      }
    }
  }
}
