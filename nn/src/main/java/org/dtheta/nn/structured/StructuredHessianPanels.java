package org.dtheta.nn.structured;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.dtheta.core.ProgressListener;
import org.dtheta.core.kernel.Parallel;
import org.dtheta.core.sparse.CsrMatrix;
import org.dtheta.core.sparse.SparseGram;
import org.dtheta.nn.Block;
import org.dtheta.nn.Dataset;
import org.dtheta.nn.HessianPanels;
import org.dtheta.nn.NetworkConfig;
import org.dtheta.nn.PanelSink;
import org.dtheta.nn.ParamLayout;
import org.dtheta.nn.TwoLayerNet;

/**
 * The exact Hessian of a two-layer network's loss by its Kronecker structure (DESIGN.md section
 * 3), streamed by row panels: the fast route to the dense {@code Df = I - alpha Hess L}.
 *
 * <p>With {@code A1 = [X 1] [W1; b1]} and the loss {@code F(A1, W2, b2)} a sum over samples,
 * the first-layer parameters {@code [W1; b1]} (together, as the {@code (n+1) x h} factor of the
 * augmented data {@code [X 1]}) have the Hessian block
 *
 * <pre>
 *   H[(j,p), (l,q)] = sum_i x_ij x_il M_i[p,q],     M_i = d^2 F / da_i da_i   (h x h)
 * </pre>
 *
 * with {@code x_i,n = 1} for the bias. Everything else is the {@code t2 = h c + c} columns of the
 * second-layer parameters, by the same structure through {@code A2 = Z W2 + 1 b2} from what one
 * sweep of the top with the {@code c} directions of {@code b2} gives per sample (see {@link
 * TopCurvature} and {@link SecondLayerColumns}), and their transposes. The per-sample {@code M_i} come
 * from one forward-over-reverse sweep of the top with {@code h} directions; the block is then a
 * sparse weighted Gram product ({@link SparseGram}) over the nonzero pixels only. Because every
 * {@code M_i} is symmetric, each {@code h x h} pixel block is symmetric too: it is computed as a
 * packed triangle, half the work, and rows are read off it by symmetry. The pixel blocks are
 * symmetric too ({@code G_j[l] = G_l[j]}): each pair of pixels is computed once, by the pixel
 * emitted first, and kept until the other's rows are emitted.
 *
 * <p>Cost, MNIST ({@code k} = 60000, about 150 lit pixels per image, h = 50): about
 * {@code k * 151^2 / 2 * 1275 = 8.7e11} multiply-adds for the first-layer block, {@code nnz(X)
 * * h * t2 = 2.3e11} for the second-layer columns, and the sweeps of the top. Memory: the packed
 * curvatures ({@code k * h(h+1)/2} doubles, 612 MB for MNIST), the second-layer columns
 * ({@code P * t2}, 162 MB, and as much again while they accumulate), one panel and an {@code (n+1) x h(h+1)/2} accumulator per core, and
 * the kept pixel blocks ({@link #keptBlockBytes}, at most 1.6 GB for MNIST).
 *
 * <p>Supported: every network of the family with a dense first layer (any activation, output
 * and loss of {@link NetworkConfig}, with its L2 term). A bias-only first layer has no Kronecker
 * block; use {@link org.dtheta.nn.HvpHessianPanels} for it. Not thread-safe.
 */
public final class StructuredHessianPanels implements HessianPanels {

  private final NetworkConfig config;
  private final ParamLayout layout;
  private final CsrMatrix xAug;
  private final TopCurvature top;
  private final int h;
  private final int pixels;
  private final int width;
  private final int tail;
  private final int p;
  private final double l2Diagonal;
  /** {@code packedIndex[p*h + q]}: where {@code M[p,q]} sits in a packed upper triangle. */
  private final int[] packedIndex;
  /** {@code gramColumn[j]}: pixel {@code j}'s column of the Gram inputs (see {@link #gramOrder}). */
  private final int[] gramColumn;

  /**
   * Bytes of tangent buffers the sweeps of the structured Hessian hold at most for a net with
   * {@code hidden} units and {@code outputs} outputs on {@code k} samples, with the default
   * chunks and directions: within the {@link org.dtheta.nn.TangentBudget}, and at most {@link
   * TopCurvature#MAX_CHUNK_SAMPLES} samples' worth.
   */
  public static long sweepTangentBytes(int hidden, int outputs, int k) {
    int tail = hidden * outputs + outputs;
    int directions = Math.min(tail, TopCurvature.defaultDirectionsPerSweep(hidden));
    return org.dtheta.nn.TangentBudget.bytes(TopCurvature.tangentsPerSample(hidden, outputs,
        directions), Math.min(k, TopCurvature.MAX_CHUNK_SAMPLES));
  }

  /**
   * Bytes the second-layer columns accumulate in while the sweeps run ({@link
   * SecondLayerColumns}: per pixel and the bias, {@code h + 2} rows of {@code c h} doubles, and
   * the rows they gather from) for a net with {@code hidden} units, {@code outputs} outputs and
   * {@code inputs} inputs.
   */
  public static long secondLayerBytes(int hidden, int outputs, int inputs) {
    return SecondLayerColumns.bytes(inputs + 1, hidden, outputs);
  }

  /** The Hessian of {@code config}'s loss on {@code data}. */
  public StructuredHessianPanels(NetworkConfig config, Dataset data) {
    this(config, data, 0, 0);
  }

  /**
   * With a given number of samples per chunk of the top's sweeps and of second-layer directions
   * per sweep (0: chosen from a memory budget); tests use small values to exercise chunking.
   */
  StructuredHessianPanels(NetworkConfig config, Dataset data, int chunkRows, int directionsPerSweep) {
    if (!config.denseFirstLayer()) {
      throw new IllegalArgumentException(
          "the structured Hessian needs a dense first layer (A1 = X W1 + 1 b1); this network's first"
              + " layer is bias-only: use HvpHessianPanels");
    }
    if (data.inputs() != config.inputs() || data.outputs() != config.outputs()) {
      throw new IllegalArgumentException(
          "dataset has " + data.inputs() + " inputs and " + data.outputs() + " target columns; the"
              + " network needs " + config.inputs() + " and " + config.outputs());
    }
    this.config = config;
    this.layout = config.layout();
    this.h = config.hidden();
    this.pixels = config.inputs() + 1;
    this.width = TopCurvature.packedWidth(h);
    this.p = layout.size();
    this.xAug = CsrMatrix.fromDense(data.x(), data.k(), data.inputs()).withConstantColumn(1.0);
    this.top = new TopCurvature(config, data, xAug, chunkRows, directionsPerSweep);
    this.tail = top.tailWidth();
    this.l2Diagonal = config.l2() / data.k();
    this.gramColumn = gramOrder(config.inputs());
    this.packedIndex = new int[h * h];
    int at = 0;
    for (int r = 0; r < h; r++) {
      for (int q = r; q < h; q++) {
        packedIndex[r * h + q] = at;
        packedIndex[q * h + r] = at++;
      }
    }
  }

  /** The Hessian of {@code net}'s loss on its training batch. */
  public StructuredHessianPanels(TwoLayerNet net) {
    this(net.config(), net.data());
  }

  /**
   * Sends rows {@code [0, P)} of {@code Hess L(theta)} to {@code sink} in increasing order,
   * {@code panelRows} rows at a time (the last panel may be shorter), reporting rows done.
   */
  @Override
  public void write(double[] theta, PanelSink sink, int panelRows, ProgressListener progress,
      int firstRow) throws IOException {
    writeRows(theta, sink, panelRows, progress, firstRow, null);
  }

  /**
   * As the default, with {@code scale} and {@code shift} applied as each entry is written into
   * its panel (the same operations: the Hessian's entry times {@code scale}, plus {@code shift}
   * on the diagonal), which saves a pass over every panel.
   */
  @Override
  public void writeAffine(double[] theta, double scale, double shift, PanelSink sink,
      int panelRows, ProgressListener progress, int firstRow) throws IOException {
    writeRows(theta, sink, panelRows, progress, firstRow, new Affine(scale, shift));
  }

  @Override
  public int dimension() {
    return p;
  }

  /**
   * {@code scale H + shift I} as the rows are written; null writes {@code H} itself. Every entry
   * written is {@code scale} times the Hessian's (1.0 times a double is that double).
   */
  private record Affine(double scale, double shift) {
    static double scale(Affine a) {
      return a == null ? 1.0 : a.scale;
    }
  }

  /**
   * Block {@code (row, col)} of {@code Hess L(theta)}, dense and row-major,
   * {@code length(row) x length(col)}. Only the rows of {@code row} are computed: blocks with
   * rows in {@code W2} or {@code b2} need no first-layer Gram work at all.
   */
  public double[] block(double[] theta, Block row, Block col) {
    int rows = layout.length(row);
    int cols = layout.length(col);
    if ((long) rows * cols > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "block (" + row.label() + ", " + col.label() + ") has " + rows + " x " + cols
              + " entries, more than one array holds; stream the rows with write");
    }
    double[] out = new double[rows * cols];
    int r0 = layout.offset(row);
    int c0 = layout.offset(col);
    PanelSink copy = (first, n, panel) -> {
      for (int r = 0; r < n; r++) {
        System.arraycopy(panel, r * p + c0, out, (first - r0 + r) * cols, cols);
      }
    };
    int panelRows = Math.min(rows, Math.max(64, h * Parallel.threads()));
    try {
      emitRows(theta, r0, r0 + rows,
          new PanelEmitter(copy, ProgressListener.NONE, p, panelRows, r0, p), null);
    } catch (IOException e) {
      throw new AssertionError("an in-memory sink does not do I/O", e);
    }
    return out;
  }

  /**
   * The diagonal of {@code Hess L(theta)} (length P), far cheaper than any row panel: with the
   * per-sample curvatures {@code M_i} and the augmented data {@code [X 1]},
   *
   * <pre>
   *   H[(j,p), (j,p)] = sum_i x_ij^2 M_i[p,p]       (W1 and, with x_i,n = 1, b1)
   * </pre>
   *
   * one sparse product of the squared data with the {@code k x h} diagonals of the {@code M_i};
   * the second-layer entries are {@code H[(q,a), (q,a)] = sum_i zhat_iq^2 S_i[a,a]} from the
   * top's sweep with the unit directions of {@code b2} (no Gram work), and the L2 term adds
   * {@code l2/k} on the weights. The trace of the Hessian is its sum.
   */
  public double[] diagonal(double[] theta) {
    layout.checkLength(theta);
    int k = xAug.rows();
    double[] curvature = new double[Math.multiplyExact(k, h)];
    double[] tailDiagonal = new double[tail];
    top.diagonal(theta.clone(), curvature, tailDiagonal);
    double[] firstLayerDiagonal = new double[pixels * h];
    squaredData().multiplyTransposed(curvature, h, firstLayerDiagonal, false);
    double[] out = new double[p];
    System.arraycopy(firstLayerDiagonal, 0, out, 0, firstLayerDiagonal.length);
    int weightsEnd = (pixels - 1) * h;
    for (int r = 0; r < weightsEnd; r++) {
      out[r] += l2Diagonal;
    }
    int firstLayer = pixels * h;
    int tailWeights = layout.length(Block.W2);
    for (int d = 0; d < tail; d++) {
      out[firstLayer + d] = tailDiagonal[d] + (d < tailWeights ? l2Diagonal : 0.0);
    }
    return out;
  }

  /** {@code [X 1]} with every entry squared, the weights of the first-layer diagonal. */
  private CsrMatrix squaredData() {
    int rows = xAug.rows();
    int[] pointers = new int[rows + 1];
    for (int i = 0; i < rows; i++) {
      pointers[i + 1] = xAug.rowStart(i) + xAug.rowLength(i);
    }
    double[] squared = xAug.values().clone();
    for (int e = 0; e < squared.length; e++) {
      squared[e] *= squared[e];
    }
    return new CsrMatrix(rows, xAug.cols(), pointers, xAug.columnIndices().clone(), squared);
  }

  /**
   * Rows {@code [firstRow, P)}. Every row is computed on its own (its pixel's Gram slice, or a
   * tail column), whatever block or panel it falls in, so a write from {@code firstRow} gives
   * the same bits as the same rows of a write from 0.
   */
  private void writeRows(double[] theta, PanelSink sink, int panelRows, ProgressListener progress,
      int firstRow, Affine affine) throws IOException {
    if (panelRows < 1) {
      throw new IllegalArgumentException("panel rows must be >= 1, not " + panelRows);
    }
    int rowsPerPanel = Math.min(panelRows, p);
    HessianPanels.checkFirstRow(firstRow, rowsPerPanel, p);
    layout.checkLength(theta);
    if (firstRow == p) {
      return;
    }
    PanelEmitter emitter = new PanelEmitter(sink, progress, p, rowsPerPanel, firstRow, p);
    emitRows(theta, firstRow, p, emitter, affine);
  }

  /** Rows {@code [r0, r1)} of {@code H}, or of its {@code affine} map, into {@code emitter}. */
  private void emitRows(double[] theta, int r0, int r1, PanelEmitter emitter, Affine affine)
      throws IOException {
    layout.checkLength(theta);
    theta = theta.clone();
    int firstLayerRows = pixels * h;
    boolean needGram = r0 < firstLayerRows;
    double[] packed = needGram ? new double[Math.multiplyExact(xAug.rows(), width)] : null;
    double[] tailColumns = new double[Math.multiplyExact(p, tail)];
    top.compute(theta, tailColumns, packed);
    finishTailColumns(tailColumns);
    if (needGram) {
      SparseGram gram = new SparseGram(permuteColumns(xAug, gramColumn), packed, width);
      emitFirstLayerRows(gram, tailColumns, r0, Math.min(r1, firstLayerRows), emitter, affine);
    }
    int tailBlock = emitter.panelRows();
    double scale = Affine.scale(affine);
    for (int r = Math.max(r0, firstLayerRows); r < r1; r += tailBlock) {
      int rows = Math.min(tailBlock, r1 - r);
      double[] buf = emitter.target(rows);
      int row0 = emitter.targetRow(rows);
      for (int e = 0; e < rows; e++) {
        int o = (row0 + e) * p;
        int column = r + e - firstLayerRows;
        for (int cc = 0; cc < p; cc++) {
          buf[o + cc] = scale * tailColumns[cc * tail + column];
        }
        if (affine != null) {
          buf[o + r + e] += affine.shift();
        }
      }
      emitter.commit(buf, rows);
    }
    emitter.finish();
  }

  /**
   * The L2 term's Hessian on the W2 diagonal, and exact symmetry of the second-layer block
   * (the engine's two halves agree to rounding; their mean is used for both).
   */
  private void finishTailColumns(double[] tailColumns) {
    int base = layout.offset(Block.W2);
    for (int e = 0; e < layout.length(Block.W2); e++) {
      tailColumns[(base + e) * tail + e] += l2Diagonal;
    }
    for (int e = 0; e < tail; e++) {
      for (int d = 0; d < e; d++) {
        int ed = (base + e) * tail + d;
        int de = (base + d) * tail + e;
        double mean = 0.5 * (tailColumns[ed] + tailColumns[de]);
        tailColumns[ed] = mean;
        tailColumns[de] = mean;
      }
    }
  }

  /**
   * Rows {@code [r0, r1)} of the first layer ({@code [W1; b1]}), pixel by pixel, in parallel,
   * with pixel-pair symmetry: block {@code (j, l)} is {@code G_j[l] = G_l[j]}, bit for bit (the
   * same sum in the same sample order), so pixel {@code j}'s Gram column computes only the
   * pixels {@code l >= j} (and those before the first emitted pixel {@code j0}, which no earlier
   * column of this write has computed); the blocks {@code l} in {@code (j, j1)} are kept until
   * pixel {@code l}'s rows are emitted. Each block has the bits of the plain column's, so a write
   * from any row gives the same bits.
   */
  private void emitFirstLayerRows(SparseGram gram, double[] tailColumns, int r0, int r1,
      PanelEmitter emitter, Affine affine) throws IOException {
    int threads = Parallel.threads();
    double scale = Affine.scale(affine);
    SparseGram.Workspace[] workspaces = new SparseGram.Workspace[threads];
    double[][] slices = new double[threads][];
    for (int w = 0; w < threads; w++) {
      workspaces[w] = gram.newWorkspace();
      slices[w] = new double[pixels * width];
    }
    int j0 = r0 / h;
    int j1 = (r1 + h - 1) / h;
    int[] rank = new int[pixels];
    for (int j = 0; j < pixels; j++) {
      rank[gramColumn[j]] = j;
    }
    // kept[l][j]: the packed block G_j[l] of an earlier pixel j in [j0, l), null when zero.
    // Emitted blocks go back to a pool, so the heap holds the most ever kept, not every copy made.
    java.util.ArrayDeque<double[]> pool = new java.util.ArrayDeque<>();
    double[][][] kept = new double[j1][][];
    for (int l = j0 + 1; l < j1; l++) {
      kept[l] = new double[l][];
    }
    // Blocks of whole pixels as large as a panel (written straight into it when aligned), and
    // at least one pixel per core.
    int blockPixels = Math.max(threads, emitter.panelRows() / h);
    for (int jb = j0; jb < j1; jb += blockPixels) {
      int je = Math.min(j1, jb + blockPixels);
      int lo = Math.max(r0, jb * h);
      int hi = Math.min(r1, je * h);
      double[] buf = emitter.target(hi - lo);
      int row0 = emitter.targetRow(hi - lo);
      // The block's pixels taken longest first (by samples lit), so that the cores finish
      // together: a pixel taken last is a short one.
      Integer[] longestFirst = new Integer[je - jb];
      for (int j = jb; j < je; j++) {
        longestFirst[j - jb] = j;
      }
      java.util.Arrays.sort(longestFirst, (a, b) ->
          Integer.compare(gram.columnCount(gramColumn[b]), gram.columnCount(gramColumn[a])));
      AtomicInteger next = new AtomicInteger(0);
      Parallel.forEachChunk(threads, w -> {
        for (int taken = next.getAndIncrement(); taken < longestFirst.length;
            taken = next.getAndIncrement()) {
          int j = longestFirst[taken];
          double[] slice = slices[w];
          gram.column(gramColumn[j], workspaces[w], slice, rank, j0, j);
          int pLo = Math.max(lo, j * h) - j * h;
          int pHi = Math.min(hi, (j + 1) * h) - j * h;
          int outRow = row0 + j * h + pLo - lo;
          for (int l = 0; l < pixels; l++) {
            if (l < j0 || l >= j) {
              putBlock(slice, gramColumn[l] * width, l, pLo, pHi, buf, outRow, scale);
            }
          }
          tailAndDiagonal(j, tailColumns, slice, pLo, pHi, buf, outRow, affine);
          for (int l = j + 1; l < j1; l++) {
            kept[l][j] = nonZeroCopy(slice, gramColumn[l] * width, pool);
          }
        }
      });
      // Every pixel of the block has kept its blocks: fill in the columns of pixels [j0, j).
      AtomicInteger again = new AtomicInteger(jb);
      Parallel.forEachChunk(threads, w -> {
        for (int j = again.getAndIncrement(); j < je; j = again.getAndIncrement()) {
          int pLo = Math.max(lo, j * h) - j * h;
          int pHi = Math.min(hi, (j + 1) * h) - j * h;
          int outRow = row0 + j * h + pLo - lo;
          for (int l = j0; l < j; l++) {
            putBlock(kept[j][l], 0, l, pLo, pHi, buf, outRow, scale);
          }
          if (kept[j] != null) {
            synchronized (pool) {
              for (double[] block : kept[j]) {
                if (block != null) {
                  pool.push(block);
                }
              }
            }
            kept[j] = null;
          }
        }
      });
      emitter.commit(buf, hi - lo);
    }
  }

  /**
   * Rows of a panel of the {@code p x p} matrix of a net with {@code hidden} units that fit in
   * {@code bytes}, in whole pixels ({@code hidden} rows each) when one fits: the first-layer rows
   * are computed a block of pixels at a time, and a block that fits its panel is written
   * straight into it instead of being staged and copied.
   */
  public static int panelRows(int hidden, int p, long bytes) {
    int rows = HessianPanels.panelRows(p, bytes);
    return rows < hidden ? rows : rows / hidden * hidden;
  }

  /**
   * Bytes the first-layer rows keep at most for pixel-pair symmetry with {@code hidden} units
   * and {@code inputs} inputs: one packed block per pair of a pixel already emitted and one not
   * yet, at most {@code (pixels / 2)^2} pairs (fewer on data whose pixels are not all lit
   * together).
   */
  public static long keptBlockBytes(int hidden, int inputs) {
    long half = (inputs + 2) / 2;
    return half * half * 8L * TopCurvature.packedWidth(hidden);
  }

  /**
   * Bytes the first-layer Gram holds beside the packed curvatures for {@code k} samples of
   * {@code inputs} inputs with about {@code nonzerosPerSample} nonzeros each (the bias's 1
   * included), {@code hidden} units and {@code threads} threads: the augmented data in Gram order
   * and by column (an index and a value per nonzero, a pointer per row), its rows by tiles of four
   * columns (at most one tile per nonzero, four values each), and per thread a pixel's slice of
   * the Gram and {@link SparseGram}'s workspace.
   */
  public static long gramBytes(int hidden, int inputs, int k, long nonzerosPerSample,
      int threads) {
    int pixels = inputs + 1;
    int packed = TopCurvature.packedWidth(hidden);
    long nonzeros = nonzerosPerSample * k;
    long data = 2 * (12 * nonzeros + 4L * (Math.max(k, pixels) + 1));
    long tiles = nonzeros * (4 + 1 + 8 * 4) + 4L * (k + 1);
    long perThread = 8L * pixels * packed + SparseGram.workspaceBytes(k, pixels, packed);
    return data + tiles + threads * perThread;
  }

  /**
   * A copy of {@code width} doubles from {@code from} in an array of {@code pool} (or a new
   * one), or null when all are +0.0 (bit for bit).
   */
  private double[] nonZeroCopy(double[] slice, int from, java.util.ArrayDeque<double[]> pool) {
    for (int c = from; c < from + width; c++) {
      if (Double.doubleToRawLongBits(slice[c]) != 0L) {
        double[] block;
        synchronized (pool) {
          block = pool.poll();
        }
        if (block == null) {
          block = new double[width];
        }
        System.arraycopy(slice, from, block, 0, width);
        return block;
      }
    }
    return null;
  }

  /**
   * Columns of pixel {@code l} in rows {@code (j, r)}, {@code pLo <= r < pHi}: the symmetric
   * {@code h x h} block unpacked from {@code packed} at {@code from}, or zero when it is null,
   * times {@code scale}.
   */
  private void putBlock(double[] packed, int from, int l, int pLo, int pHi, double[] out,
      int outRow, double scale) {
    for (int r = pLo; r < pHi; r++) {
      int to = (outRow + r - pLo) * p + l * h;
      if (packed == null) {
        java.util.Arrays.fill(out, to, to + h, scale * 0.0);
        continue;
      }
      int index = r * h;
      for (int q = 0; q < r; q++) {
        out[to + q] = scale * packed[from + packedIndex[index + q]];
      }
      // M[r, q] for q >= r is row r of the packed upper triangle, contiguous
      int upper = from + packedIndex[index + r] - r;
      for (int q = r; q < h; q++) {
        out[to + q] = scale * packed[upper + q];
      }
    }
  }

  /**
   * The tail columns of rows {@code (j, r)}, and the L2 term on their diagonal; with {@code
   * affine}, in its map: the diagonal from its Hessian entry in {@code slice} (pixel {@code
   * j}'s Gram column), plus the L2 term, times the scale, plus the shift.
   */
  private void tailAndDiagonal(int j, double[] tailColumns, double[] slice, int pLo, int pHi,
      double[] out, int outRow, Affine affine) {
    int firstLayer = pixels * h;
    double scale = Affine.scale(affine);
    for (int r = pLo; r < pHi; r++) {
      int o = (outRow + r - pLo) * p;
      int row = j * h + r;
      for (int t = 0; t < tail; t++) {
        out[o + firstLayer + t] = scale * tailColumns[row * tail + t];
      }
      boolean weight = j < pixels - 1; // pixel n is the bias: no L2 term
      if (affine == null) {
        if (weight) {
          out[o + row] += l2Diagonal;
        }
      } else {
        double hessian = slice[gramColumn[j] * width + packedIndex[r * h + r]];
        if (weight) {
          hessian += l2Diagonal;
        }
        out[o + row] = hessian * scale + affine.shift();
      }
    }
  }

  /**
   * The Gram's column of each pixel ({@code inputs} of them, then the bias): square images of
   * even side (MNIST's 28 x 28) in 2 x 2 squares, so that each of {@link SparseGram}'s tiles of
   * four consecutive columns is a square of neighbours, lit together more often than four in a
   * row; other inputs in their own order. Each output row has the same bits in any order.
   */
  public static int[] gramOrder(int inputs) {
    int[] column = new int[inputs + 1];
    int side = (int) Math.round(Math.sqrt(inputs));
    for (int j = 0; j <= inputs; j++) {
      column[j] = j;
    }
    if (side * side == inputs && side % 2 == 0) {
      for (int j = 0; j < inputs; j++) {
        int y = j / side;
        int x = j % side;
        column[j] = ((y / 2) * (side / 2) + x / 2) * 4 + (y % 2) * 2 + x % 2;
      }
    }
    return column;
  }

  /** {@code x} with column {@code j} moved to {@code column[j]} (a permutation). */
  static CsrMatrix permuteColumns(CsrMatrix x, int[] column) {
    int rows = x.rows();
    int[] pointers = new int[rows + 1];
    int[] indices = new int[x.columnIndices().length];
    double[] values = new double[indices.length];
    long[] keyed = new long[x.cols()];
    for (int i = 0; i < rows; i++) {
      int start = x.rowStart(i);
      int length = x.rowLength(i);
      pointers[i] = start;
      pointers[i + 1] = start + length;
      // Sort a row's entries by new column: the column in the high bits, the entry in the low.
      for (int e = 0; e < length; e++) {
        keyed[e] = ((long) column[x.columnIndices()[start + e]] << 32) | e;
      }
      java.util.Arrays.sort(keyed, 0, length);
      for (int e = 0; e < length; e++) {
        indices[start + e] = (int) (keyed[e] >>> 32);
        values[start + e] = x.values()[start + (int) keyed[e]];
      }
    }
    return new CsrMatrix(rows, x.cols(), pointers, indices, values);
  }
}
