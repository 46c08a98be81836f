package org.dtheta.core.sparse;

import java.util.Arrays;
import org.dtheta.core.internal.sparse.PairQuads;
import org.dtheta.core.internal.sparse.RowPairs;
import org.dtheta.core.internal.sparse.RowQuads;
import org.dtheta.core.internal.sparse.ThreadScratch;
import org.dtheta.core.kernel.CacheAligned;
import org.dtheta.core.kernel.Parallel;

/**
 * An immutable sparse matrix in compressed sparse row form: row {@code i}'s entries are
 * {@code values[rowPointers[i] .. rowPointers[i+1])} in the columns {@code columnIndices[..]},
 * strictly increasing within a row. Data matrices such as MNIST (about 81% zeros) go through
 * the engine in this form: a product with a dense matrix then costs one multiply-add per stored
 * entry and output column instead of one per matrix entry.
 *
 * <p>Products with dense row-major matrices are split over the machine's cores and blocked so
 * that the dense operand's working part stays in cache (see {@link SparseKernels}).
 */
public final class CsrMatrix {

  /**
   * Dense panels are at most this many doubles (640 KiB), so they stay in a core's 1 MiB L2:
   * for 784 rows (MNIST pixels) 96 columns, the twelve-vector blocks of the AVX-512 gathers,
   * which pay each entry's index work once per 96 columns rather than per 64 (a 512 KiB budget).
   */
  private static final int PANEL_DOUBLES = 640 * 1024 / 8;
  /** Stored entries per block of sparse rows walked once per dense panel (about 1.5 MiB). */
  private static final int BLOCK_ENTRIES = 1 << 17;
  /** Panel widths are multiples of this (four 8-lane vectors). */
  private static final int PANEL_ALIGN = 32;
  /** Below this many multiply-adds a product runs on one thread. */
  private static final long PARALLEL_MIN_WORK = 1L << 17;
  /**
   * Shares of a large scattered {@code A^T B} (column panels, or rows with copies of C added in
   * order): fixed, not one per thread, so that the sums do not depend on the thread count; two,
   * the split two cores used before, as four shares were slower at the default two threads.
   */
  private static final int SCATTER_SHARES = 2;

  /** Where the data of a panel-major copy starts: every 64-column panel row on cache lines of its own. */
  private static final int PACKED_START = CacheAligned.START;

  /** The panel-major copy of B in {@link #multiply}, per calling thread. */
  private static final ThreadScratch PANEL_COPY = new ThreadScratch();
  /** The copy of one block's panel of B in {@link #gatherTransposed}, per worker thread. */
  private static final ThreadScratch BLOCK_COPY = new ThreadScratch();
  /** Per-thread sums of {@link #multiplyTransposedSegmentsAdd}: one segment per column of A. */
  private static final ThreadScratch SEGMENT_SUMS = new ThreadScratch();

  /**
   * Quads are gathered only where the width is a multiple of this: the quad kernel runs other
   * widths' last columns scalar (a whole-Df's last sweep of 62 directions spent as long in those
   * as in the other 32), where the single and pair gathers shift their last vector block back.
   */
  private static final int QUAD_WIDTH_MULTIPLE = 8;

  /** Rows of B per block of {@link #gatherTransposed}: 512 rows of 50 doubles are 200 KiB. */
  private static final int TRANSPOSE_BLOCK_ROWS = 512;
  /**
   * Rows per block of {@link #multiplyTransposedSegmentsAdd}: a block's 64-wide segments of B
   * (32 KiB) stay in L1 while every column of A gathers from them.
   */
  private static final int SEGMENT_BLOCK_ROWS = 64;

  /** Below this many stored entries a {@link BlockedTranspose} is built on the calling thread. */
  private static final int PARALLEL_ENTRIES = 1 << 16;

  private final int rows;
  private final int cols;
  final int[] rowPointers;
  final int[] columnIndices;
  final double[] values;
  /** Built on the first large {@code A^T B}; benign race (immutable once published). */
  private volatile BlockedTranspose blockedTranspose;
  /** Built on the first {@code A B} with the Vector API; benign race (immutable once published). */
  private volatile RowPairs rowPairs;
  private volatile PairQuads pairQuads;
  /** The last row range's {@link BlockedTranspose} of {@link #multiplyTransposedSegmentsAdd}; benign race. */
  private volatile RangeTranspose rangeTranspose;

  /**
   * Wraps the three arrays of a compressed sparse row matrix (no copy: the matrix takes them
   * over and the caller must not change them). Checks that {@code rowPointers} has
   * {@code rows + 1} non-decreasing entries from 0 to the number of stored values, that the
   * column indices of each row are strictly increasing and inside {@code [0, cols)}, and that
   * the values are finite.
   */
  public CsrMatrix(int rows, int cols, int[] rowPointers, int[] columnIndices, double[] values) {
    if (rows < 1 || cols < 1) {
      throw new IllegalArgumentException("CSR matrix must be at least 1x1, not " + rows + "x" + cols);
    }
    if (rowPointers.length != rows + 1) {
      throw new IllegalArgumentException(
          "CSR rowPointers has length " + rowPointers.length + ", expected rows + 1 = " + (rows + 1));
    }
    if (columnIndices.length != values.length) {
      throw new IllegalArgumentException(
          "CSR columnIndices has length " + columnIndices.length + " but values has " + values.length);
    }
    if (rowPointers[0] != 0 || rowPointers[rows] != values.length) {
      throw new IllegalArgumentException(
          "CSR rowPointers must run from 0 to the number of values " + values.length + ", not from "
              + rowPointers[0] + " to " + rowPointers[rows]);
    }
    for (int i = 0; i < rows; i++) {
      if (rowPointers[i + 1] < rowPointers[i]) {
        throw new IllegalArgumentException(
            "CSR rowPointers decreases at row " + i + ": " + rowPointers[i] + " > " + rowPointers[i + 1]);
      }
    }
    for (int i = 0; i < rows; i++) {
      for (int e = rowPointers[i]; e < rowPointers[i + 1]; e++) {
        int c = columnIndices[e];
        if (c < 0 || c >= cols) {
          throw new IllegalArgumentException(
              "CSR columnIndices[" + e + "] = " + c + " (row " + i + ") outside [0, " + cols + ")");
        }
        if (e > rowPointers[i] && c <= columnIndices[e - 1]) {
          throw new IllegalArgumentException(
              "CSR columnIndices of row " + i + " must be strictly increasing: " + columnIndices[e - 1]
                  + " then " + c + " at entry " + e);
        }
        if (!Double.isFinite(values[e])) {
          throw new IllegalArgumentException(
              "CSR values[" + e + "] (row " + i + ", column " + c + ") is " + values[e]);
        }
      }
    }
    this.rows = rows;
    this.cols = cols;
    this.rowPointers = rowPointers;
    this.columnIndices = columnIndices;
    this.values = values;
  }

  /** The nonzero entries of a dense row-major {@code rows x cols} matrix (must be finite). */
  public static CsrMatrix fromDense(double[] dense, int rows, int cols) {
    if (rows < 1 || cols < 1 || dense.length != (long) rows * cols) {
      throw new IllegalArgumentException(
          "dense matrix has " + dense.length + " entries, expected " + rows + " x " + cols);
    }
    int nnz = 0;
    for (double v : dense) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("dense matrix holds a non-finite value " + v);
      }
      if (v != 0.0) {
        nnz++;
      }
    }
    int[] ptr = new int[rows + 1];
    int[] idx = new int[nnz];
    double[] val = new double[nnz];
    int e = 0;
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        double v = dense[i * cols + j];
        if (v != 0.0) {
          idx[e] = j;
          val[e++] = v;
        }
      }
      ptr[i + 1] = e;
    }
    return new CsrMatrix(rows, cols, ptr, idx, val, true);
  }

  /** Trusted constructor for matrices built here (already valid). */
  private CsrMatrix(int rows, int cols, int[] ptr, int[] idx, double[] val, boolean trusted) {
    this.rows = rows;
    this.cols = cols;
    this.rowPointers = ptr;
    this.columnIndices = idx;
    this.values = val;
  }

  /** The fraction of entries of {@code dense} that are exactly zero. */
  public static double zeroFraction(double[] dense) {
    long zeros = 0;
    for (double v : dense) {
      if (v == 0.0) {
        zeros++;
      }
    }
    return dense.length == 0 ? 0.0 : (double) zeros / dense.length;
  }

  /** Number of rows. */
  public int rows() {
    return rows;
  }

  /** Number of columns. */
  public int cols() {
    return cols;
  }

  /** Number of stored entries. */
  public int nonZeros() {
    return values.length;
  }

  /** Stored entries over all entries. */
  public double density() {
    return (double) values.length / ((double) rows * cols);
  }

  /** Where row {@code i}'s entries start in {@link #columnIndices()} and {@link #values()}. */
  public int rowStart(int i) {
    return rowPointers[i];
  }

  /** Number of stored entries in row {@code i}. */
  public int rowLength(int i) {
    return rowPointers[i + 1] - rowPointers[i];
  }

  /** The column indices of all stored entries, row after row (live array: do not modify). */
  public int[] columnIndices() {
    return columnIndices;
  }

  /** The stored values, row after row (live array: do not modify). */
  public double[] values() {
    return values;
  }

  /**
   * Rows {@code [first, first + n)} as a matrix of their own (copies): the same entries {@link
   * #fromDense} finds in those rows of the dense form, so products with it have the same bits as
   * with the matrix made from the dense rows, without a pass over the dense rows.
   */
  public CsrMatrix rows(int first, int n) {
    if (first < 0 || n < 1 || first + n > rows) {
      throw new IllegalArgumentException(
          "rows [" + first + ", " + (first + n) + ") outside the " + rows + " rows");
    }
    int start = rowPointers[first];
    int[] ptr = new int[n + 1];
    for (int i = 1; i <= n; i++) {
      ptr[i] = rowPointers[first + i] - start;
    }
    int end = rowPointers[first + n];
    return new CsrMatrix(n, cols, ptr, Arrays.copyOfRange(columnIndices, start, end),
        Arrays.copyOfRange(values, start, end), true);
  }

  /** The dense row-major form. */
  public double[] toDense() {
    double[] d = new double[Math.multiplyExact(rows, cols)];
    for (int i = 0; i < rows; i++) {
      for (int e = rowPointers[i]; e < rowPointers[i + 1]; e++) {
        d[i * cols + columnIndices[e]] = values[e];
      }
    }
    return d;
  }

  /** The transpose, in compressed sparse row form again (rows of the result list rows of this). */
  public CsrMatrix transpose() {
    int[] ptr = new int[cols + 1];
    for (int c : columnIndices) {
      ptr[c + 1]++;
    }
    for (int j = 0; j < cols; j++) {
      ptr[j + 1] += ptr[j];
    }
    int[] next = Arrays.copyOf(ptr, cols);
    int[] idx = new int[values.length];
    double[] val = new double[values.length];
    for (int i = 0; i < rows; i++) {
      for (int e = rowPointers[i]; e < rowPointers[i + 1]; e++) {
        int at = next[columnIndices[e]]++;
        idx[at] = i;
        val[at] = values[e];
      }
    }
    return new CsrMatrix(cols, rows, ptr, idx, val, true);
  }

  /**
   * This matrix with one more column holding {@code value} in every row: {@code [X 1]} turns
   * {@code X W + 1 b} into one product with the stacked {@code [W; b]}.
   */
  public CsrMatrix withConstantColumn(double value) {
    if (!Double.isFinite(value) || value == 0.0) {
      throw new IllegalArgumentException("appended column value must be finite and nonzero, not " + value);
    }
    int[] ptr = new int[rows + 1];
    int[] idx = new int[values.length + rows];
    double[] val = new double[values.length + rows];
    for (int i = 0; i < rows; i++) {
      int from = rowPointers[i];
      int len = rowPointers[i + 1] - from;
      int to = ptr[i];
      System.arraycopy(columnIndices, from, idx, to, len);
      System.arraycopy(values, from, val, to, len);
      idx[to + len] = cols;
      val[to + len] = value;
      ptr[i + 1] = to + len + 1;
    }
    return new CsrMatrix(rows, cols + 1, ptr, idx, val, true);
  }

  /**
   * {@code C (+)= A B}: {@code B} is dense {@code cols x bCols}, {@code C} dense
   * {@code rows x bCols}, both row-major and packed. With {@code accumulate} false {@code C} is
   * overwritten.
   */
  public void multiply(double[] b, int bCols, double[] c, boolean accumulate) {
    multiply(b, bCols, null, c, accumulate, Parallel.threads());
  }

  /**
   * {@code C = A B + 1 r}: the product with the row {@code r} ({@code bCols} entries) added to
   * every row, e.g. a layer's bias. Each row of C starts from {@code r} instead of from 0, so
   * the bias costs no pass of its own over C. {@code B} and {@code C} are as in {@link
   * #multiply(double[], int, double[], boolean)}; C is overwritten.
   */
  public void multiplyAffine(double[] b, int bCols, double[] row, double[] c) {
    multiply(b, bCols, row, c, false, Parallel.threads());
  }

  /**
   * Builds now the index structures that {@link #multiply(double[], int, double[], boolean)} and
   * {@link #multiplyTransposed(double[], int, double[], boolean)} with {@code bCols} columns
   * would build on their first call (the pairs of similar rows and, for a product of several
   * panels, their quads; the blocked transpose and its pairs and quads of similar columns), so
   * that a caller can pay for them while it waits for something else. Optional: the products
   * give the same bits either way.
   */
  public void prepareProducts(int bCols) {
    if (bCols < 1) {
      throw new IllegalArgumentException("prepareProducts: bCols must be >= 1, not " + bCols);
    }
    if (SparseKernels.selected() == SparseKernels.scalar()) {
      return; // the scalar kernels use none of them
    }
    rowPairs();
    if (bCols > panelWidth(cols, bCols)) {
      pairQuads();
    }
    if ((long) values.length * bCols >= PARALLEL_MIN_WORK) {
      BlockedTranspose bt = blockedTranspose();
      bt.columnPairs();
      bt.columnQuads();
    }
  }

  /**
   * {@code C (+)= A B}, or {@code C = A B + 1 startRow} when {@code startRow} is not null, split
   * into at most {@code threads} shares (tests check that the split does not change a bit).
   */
  void multiply(double[] b, int bCols, double[] startRow, double[] c, boolean accumulate,
      int threads) {
    checkDense("multiply", "B", b, 0, cols, bCols);
    checkDense("multiply", "C", c, 0, rows, bCols);
    if (startRow != null) {
      checkDense("multiplyAffine", "row", startRow, 0, 1, bCols);
    }
    SparseKernels k = SparseKernels.selected();
    int panel = panelWidth(cols, bCols);
    // Fixed shares of rows, one per thread: tasks of one block each, taken by whichever core is
    // free, were slower here, unlike the panel tasks of A^T B.
    int chunks = chunksFor((long) values.length * bCols, rows, threads);
    // Several panels (the m directions of a tangent): gather from an aligned panel-major copy.
    // Each stored entry reads one row of the panel, so the reads become whole cache lines and
    // the panel a contiguous block (few pages) instead of strided runs of B read in place.
    // Also one panel (a layer's weights) in a large product: B's rows in place (ld = bCols)
    // mostly straddle lines. One copy of B is cheap next to the product (B has cols rows, C has
    // rows).
    boolean vector = k != SparseKernels.scalar();
    boolean packed = vector
        && (bCols > panel || (long) values.length * bCols >= PARALLEL_MIN_WORK);
    double[] src = packed ? packPanels(b, cols, bCols, panel, chunks) : null;
    double[] from = src == null ? b : src;
    boolean add = accumulate || startRow != null;
    // Similar rows gathered in pairs (RowPairs), with the Vector API kernels as in A^T B, and
    // pairs of pairs in quads (PairQuads) when the panels are many (the directions of a tangent).
    RowPairs pairs = vector ? rowPairs() : null;
    PairQuads quads = vector && bCols > panel ? pairQuads() : null;
    Parallel.forEachChunk(chunks, ch -> {
      int r0 = rowAtShare(ch, chunks);
      int r1 = rowAtShare(ch + 1, chunks);
      for (int i0 = r0; i0 < r1; ) {
        int i1 = blockEnd(i0, r1);
        for (int p0 = 0; p0 < bCols; p0 += panel) {
          int w = Math.min(panel, bCols - p0);
          int srcOff = packed ? PACKED_START + p0 * cols : p0;
          int ld = packed ? CacheAligned.lineStride(w) : bCols;
          // A pair only within this thread's block, so no two threads write one row.
          gatherRows(k, pairs, quads, i0, i1, w, from, srcOff, ld, startRow, p0, c, p0, bCols,
              add);
        }
        i0 = i1;
      }
    });
  }

  /**
   * Rows {@code [i0, i1)} of {@code C (+)= A B} for {@code w} columns: row {@code i} of C at
   * {@code cBase + i ldc}, row {@code r} of B at {@code srcOff + r ld}. Rows whose partner
   * ({@code pairs}, null for none) lies in the range are gathered as a pair, and rows whose
   * quad ({@code quads}, null for none) lies in it as a quad, before pairs. With {@code
   * startRow} not null, each row of C starts as {@code startRow[rowOff ..]} (copied into L1 just
   * before the gather reads it back, instead of a pass over all of C) and {@code add} must be
   * true.
   */
  void gatherRows(SparseKernels k, RowPairs pairs, PairQuads quads, int i0, int i1, int w,
      double[] src, int srcOff, int ld, double[] startRow, int rowOff, double[] c, int cBase,
      int ldc, boolean add) {
    for (int i = i0; i < i1; i++) {
      int lead = quads == null ? -1 : quads.leaderWithin(i, i0, i1);
      if (lead >= 0) {
        if (lead == i) {
          if (startRow != null) {
            for (int r = 0; r < 4; r++) {
              System.arraycopy(startRow, rowOff, c, cBase + quads.row(lead, r) * ldc, w);
            }
          }
          int e = quads.first(lead);
          k.gatherRowQuads(w, quads.count(lead), quads.indices, e, quads.weights, 4 * e, src,
              srcOff, ld, c, cBase + quads.row(lead, 0) * ldc, cBase + quads.row(lead, 1) * ldc,
              cBase + quads.row(lead, 2) * ldc, cBase + quads.row(lead, 3) * ldc, add);
        }
        continue; // the quad's other rows are done by its first
      }
      int q = pairs == null ? -1 : pairs.partnerWithin(0, i, i0, i1);
      if (q >= 0 && q < i) {
        continue; // done with the row that leads the pair
      }
      if (startRow != null) {
        System.arraycopy(startRow, rowOff, c, cBase + i * ldc, w);
        if (q >= 0) {
          System.arraycopy(startRow, rowOff, c, cBase + q * ldc, w);
        }
      }
      if (q >= 0) {
        int e = pairs.first(0, i);
        k.gatherRowPairs(w, pairs.count(0, i), pairs.indices, e, pairs.weights, 2 * e,
            src, srcOff, ld, c, cBase + i * ldc, cBase + q * ldc, add);
      } else {
        int e = rowPointers[i];
        k.gatherRows(w, rowPointers[i + 1] - e, columnIndices, e, values, e,
            src, srcOff, ld, c, cBase + i * ldc, add);
      }
    }
  }

  /**
   * {@code B} ({@code depth x bCols}) copied panel by panel: the panel of columns
   * {@code [p0, p0 + w)} is a {@code depth x w} block at {@code PACKED_START + p0 depth} of the
   * calling thread's {@link #PANEL_COPY} array, its rows {@link CacheAligned#lineStride}{@code
   * (w)} apart ({@code p0} is a multiple of a line, so the blocks end by {@code depth
   * lineStride(bCols)}).
   */
  private static double[] packPanels(double[] b, int depth, int bCols, int panel, int threads) {
    double[] packed = PANEL_COPY.get(PACKED_START + depth * CacheAligned.lineStride(bCols));
    int panels = (bCols + panel - 1) / panel;
    Parallel.forEachChunk(Math.min(threads, panels), t -> {
      int shares = Math.min(threads, panels);
      int q1 = Parallel.bandStart(panels, t + 1, shares);
      for (int q = Parallel.bandStart(panels, t, shares); q < q1; q++) {
        int p0 = q * panel;
        int w = Math.min(panel, bCols - p0);
        copyPanel(b, 0, bCols, 0, depth, p0, w, packed, PACKED_START + p0 * depth,
            CacheAligned.lineStride(w));
      }
    });
    return packed;
  }

  /**
   * Rows {@code [r0, r1)} of columns {@code [p0, p0 + w)} of the row-major {@code src} (row
   * {@code r} at {@code srcOff + r ld}) to {@code dst}, row {@code r} at {@code dstOff + r ldDst}.
   */
  private static void copyPanel(double[] src, int srcOff, int ld, int r0, int r1, int p0, int w,
      double[] dst, int dstOff, int ldDst) {
    for (int r = r0; r < r1; r++) {
      System.arraycopy(src, srcOff + r * ld + p0, dst, dstOff + r * ldDst, w);
    }
  }

  /**
   * {@code C (+)= A^T B}: {@code B} is dense {@code rows x bCols}, {@code C} dense
   * {@code cols x bCols}, both row-major and packed.
   */
  public void multiplyTransposed(double[] b, int bCols, double[] c, boolean accumulate) {
    multiplyTransposed(0, rows, b, 0, bCols, c, accumulate);
  }

  /**
   * {@code C (+)= A[rowStart:rowEnd, :]^T B}: only rows {@code [rowStart, rowEnd)} of this
   * matrix, with {@code B} the dense {@code (rowEnd - rowStart) x bCols} matrix starting at
   * {@code b[bOff]} (row-major, packed); {@code C} is {@code cols x bCols}. This is how a batch
   * processed in chunks of samples adds up its {@code X^T} products.
   */
  public void multiplyTransposed(
      int rowStart, int rowEnd, double[] b, int bOff, int bCols, double[] c, boolean accumulate) {
    multiplyTransposed(rowStart, rowEnd, b, bOff, bCols, c, accumulate, null, Parallel.threads());
  }

  /**
   * {@code C += A^T B} and {@code columnSums += 1^T B} (the sums of B's columns, e.g. a bias
   * adjoint) in one pass over {@code B} ({@code rows x bCols}; C is {@code cols x bCols};
   * {@code columnSums} has {@code bCols} entries). With the Vector API kernels the sums are one
   * more gather per block of B while the block is in cache, as if A had a column of ones.
   */
  public void multiplyTransposedWithColumnSums(
      double[] b, int bCols, double[] c, double[] columnSums) {
    checkDense("multiplyTransposedWithColumnSums", "columnSums", columnSums, 0, 1, bCols);
    multiplyTransposed(0, rows, b, 0, bCols, c, true, columnSums, Parallel.threads());
  }

  /**
   * {@link #multiplyTransposed(int, int, double[], int, int, double[], boolean)}, adding the
   * column sums of B to {@code sums} unless it is null; the gathers split into at most
   * {@code threads} shares, the scatters into {@link #SCATTER_SHARES} whatever {@code threads}.
   */
  void multiplyTransposed(int rowStart, int rowEnd, double[] b, int bOff, int bCols, double[] c,
      boolean accumulate, double[] sums, int threads) {
    if (rowStart < 0 || rowEnd > rows || rowStart > rowEnd) {
      throw new IllegalArgumentException(
          "multiplyTransposed: row range [" + rowStart + ", " + rowEnd + ") outside [0, " + rows + ")");
    }
    checkDense("multiplyTransposed", "B", b, bOff, rowEnd - rowStart, bCols);
    checkDense("multiplyTransposed", "C", c, 0, cols, bCols);
    if (!accumulate) {
      Arrays.fill(c, 0, cols * bCols, 0.0);
    }
    SparseKernels k = SparseKernels.selected();
    int panel = panelWidth(cols, bCols);
    int panels = (bCols + panel - 1) / panel;
    long work = (long) (rowPointers[rowEnd] - rowPointers[rowStart]) * bCols;
    int shares = chunksFor(work, Integer.MAX_VALUE, threads);
    // Only with the Vector API gathers, which keep the output row in registers: the scalar
    // gather loads and stores it per entry like the scatter, and loses to it.
    if (rowStart == 0 && rowEnd == rows && work >= PARALLEL_MIN_WORK
        && k != SparseKernels.scalar()) {
      gatherTransposed(k, b, bOff, bCols, c, sums, panel, shares);
      return;
    }
    if (sums != null) {
      org.dtheta.core.kernel.Kernels.sumColumnsInto(
          rowEnd - rowStart, bCols, b, bOff, bCols, sums, 0);
    }
    // The scatters' split (and with it the order of the sums) must not follow the threads.
    int scatterShares = work < PARALLEL_MIN_WORK ? 1 : SCATTER_SHARES;
    if (panels >= scatterShares) {
      // Tasks own disjoint column panels of C: no two write the same entry.
      Parallel.forEachChunk(scatterShares, t -> {
        int q0 = Parallel.bandStart(panels, t, scatterShares);
        int q1 = Parallel.bandStart(panels, t + 1, scatterShares);
        scatterRange(k, rowStart, rowEnd, b, bOff, bCols, q0 * panel,
            Math.min(bCols, q1 * panel), panel, c);
      });
      return;
    }
    // Narrow B: tasks own row ranges and private copies of C, added at the end in order.
    double[][] partial = new double[scatterShares][];
    Parallel.forEachChunk(scatterShares, t -> {
      int r0 = rowAtShare(t, scatterShares, rowStart, rowEnd);
      int r1 = rowAtShare(t + 1, scatterShares, rowStart, rowEnd);
      double[] target = t == 0 ? c : new double[cols * bCols];
      scatterRange(k, r0, r1, b, bOff + (r0 - rowStart) * bCols, bCols, 0, bCols, panel, target);
      partial[t] = target;
    });
    for (int t = 1; t < scatterShares; t++) {
      org.dtheta.core.kernel.Kernels.axpy(cols * bCols, 1.0, partial[t], 0, c, 0);
    }
  }

  /**
   * {@code C += A^T B} as gathers: row {@code j} of C is the weighted sum of the rows of B that
   * column {@code j} of A selects. Done one block of {@link #TRANSPOSE_BLOCK_ROWS} rows of B and
   * one column panel at a time (the block's panel stays in L2), with the block's entries grouped
   * by column ({@link BlockedTranspose}, built once). Against scattering each sparse row into C
   * this keeps a row of C in registers instead of loading and storing it per entry. When there
   * are at least as many panels of C as threads (wide B: the tangents of m directions), each
   * panel is a task of its own, taken by whichever core is free, so a core slowed for a while
   * costs part of a panel rather than keeping the other waiting at the end of a fixed half;
   * else threads own disjoint rows of C. Either way no private copies are summed at the
   * end, and each entry of C sums its terms in increasing row order, whatever the thread count.
   * Unless {@code sums} is null, the column sums of B are added to it by the task of the panel
   * (or the last thread), as the gather of all rows of a block with weight 1.
   */
  private void gatherTransposed(SparseKernels k, double[] b, int bOff, int bCols, double[] c,
      double[] sums, int panel, int threads) {
    BlockedTranspose bt = blockedTranspose();
    // Similar columns of A (neighbouring pixels) gathered in quads or pairs; built here, not by
    // each thread.
    RowPairs pairs = bt.columnPairs();
    RowQuads quads = bt.columnQuads();
    int panels = (bCols + panel - 1) / panel;
    boolean byPanels = panels >= threads;
    int tasks = !byPanels ? threads : threads == 1 ? 1 : panels;
    Parallel.forEachChunk(tasks, t -> {
      boolean sumsHere = sums != null && (byPanels || t == threads - 1);
      int j0 = byPanels ? 0 : bt.columnAtShare(t, threads);
      int j1 = byPanels ? cols : bt.columnAtShare(t + 1, threads);
      int col0 = byPanels ? Parallel.bandStart(panels, t, tasks) * panel : 0;
      int col1 =
          byPanels ? Math.min(bCols, Parallel.bandStart(panels, t + 1, tasks) * panel) : bCols;
      // Each block's panel is first copied to rows on cache lines of their own (as in
      // multiply), row r at PACKED_START + r ld, and gathered from there while still in L2.
      double[] packed =
          BLOCK_COPY.get(PACKED_START + TRANSPOSE_BLOCK_ROWS * CacheAligned.lineStride(panel));
      for (int p0 = col0; p0 < col1; p0 += panel) {
        int w = Math.min(panel, col1 - p0);
        int ld = CacheAligned.lineStride(w);
        for (int blk = 0; blk < bt.blocks; blk++) {
          int r0 = blk * TRANSPOSE_BLOCK_ROWS;
          int r1 = Math.min(rows, r0 + TRANSPOSE_BLOCK_ROWS);
          // The copy holds only this block, row r at PACKED_START + (r - r0) ld; the gathers
          // index it by global row, hence the offset (negative for later blocks).
          int blockOff = PACKED_START - r0 * ld;
          copyPanel(b, bOff, bCols, r0, r1, p0, w, packed, blockOff, ld);
          bt.gatherColumns(k, pairs, quadWidth(w) ? quads : null, blk, j0, j1, w, packed,
              blockOff, ld, c, p0, bCols);
          if (sumsHere) {
            k.gatherRows(w, r1 - r0, bt.allRows, r0, bt.ones, r0, packed, blockOff, ld, sums, p0,
                true);
          }
        }
      }
    });
  }

  /**
   * {@code C += scale A[rowStart:rowEnd, :]^T B} with the rows of B and C cut into {@code
   * groups} segments of {@code width} entries each: segment {@code g} of row {@code r} of B
   * ({@code r} counted from {@code rowStart}; B packed) is at {@code bOff + (r groups + g)
   * width}, segment {@code g} of row {@code j} of C at {@code cOff + (j groups + g) ldc}. So C's
   * rows {@code j groups + g} may be a few columns of a wider matrix: a variable's tangents
   * of {@code width} directions, transposed to {@code (rows, groups, width)}, go through
   * {@code X^T} straight into those columns of the parameters' rows.
   *
   * <p>Gathers, not scatters: each segment of C gets {@code scale} times the sum of its terms,
   * added in increasing row order, from blocks of the range's entries grouped by column (built
   * once and kept for the last range, so calls for several B of one range build it once).
   * Tasks own segments {@code g} of every row of C, so the bits do not depend on the thread
   * count. Fastest with {@code width} a multiple of 8 and {@code b[bOff]} on a cache line (as
   * {@link CacheAligned#START} of a {@link CacheAligned} array is): the loads of B then never
   * straddle two lines.
   */
  public void multiplyTransposedSegmentsAdd(int rowStart, int rowEnd, double scale, double[] b,
      int bOff, int groups, int width, double[] c, int cOff, int ldc) {
    if (rowStart < 0 || rowEnd > rows || rowStart >= rowEnd) {
      throw new IllegalArgumentException("multiplyTransposedSegmentsAdd: row range [" + rowStart
          + ", " + rowEnd + ") empty or outside [0, " + rows + ")");
    }
    if (groups < 1 || width < 1 || ldc < width || !Double.isFinite(scale)) {
      throw new IllegalArgumentException("multiplyTransposedSegmentsAdd: groups " + groups
          + ", width " + width + ", ldc " + ldc + ", scale " + scale);
    }
    long bEnd = bOff + (long) (rowEnd - rowStart) * groups * width;
    long cEnd = cOff + ((long) cols * groups - 1) * ldc + width;
    if (bOff < 0 || bEnd > b.length || cOff < 0 || cEnd > c.length) {
      throw new IllegalArgumentException("multiplyTransposedSegmentsAdd: B needs [" + bOff + ", "
          + bEnd + ") of " + b.length + ", C [" + cOff + ", " + cEnd + ") of " + c.length);
    }
    SparseKernels k = SparseKernels.selected();
    // Neighbouring columns (pixels) in quads: each loaded segment of B feeds four sums.
    boolean withQuads = k != SparseKernels.scalar();
    RangeTranspose cached = rangeTranspose;
    if (cached == null || cached.start != rowStart || cached.end != rowEnd
        || cached.withQuads != withQuads) {
      cached = new RangeTranspose(this, rowStart, rowEnd, withQuads);
      rangeTranspose = cached;
    }
    RangeTranspose rt = cached;
    boolean[] used = rt.columnHasEntries;
    BlockedTranspose bt = rt.blocks;
    RowQuads quads = rt.quads;
    boolean inQuads = withQuads && quadWidth(width);
    int[] items = inQuads ? rt.quadItems : rt.singleItems;
    int[] itemStart = inQuads ? rt.quadItemStart : rt.singleItemStart;
    org.dtheta.core.internal.kernel.KernelSupport dense = org.dtheta.core.kernel.Kernels.implementation();
    int ld = groups * width;
    long work = (long) bt.values.length * groups * width;
    int tasks = work < PARALLEL_MIN_WORK ? 1 : groups;
    Parallel.forEachChunk(tasks, t -> {
      double[] acc = SEGMENT_SUMS.get(PACKED_START + cols * width);
      for (int g = Parallel.bandStart(groups, t, tasks); g < Parallel.bandStart(groups, t + 1, tasks);
          g++) {
        // Summed over the range in a cache-resident row per column of A, then added to C once:
        // C's segments are far apart, and loading them per block of rows waited on memory.
        int src = bOff + g * width;
        for (int blk = 0; blk < bt.blocks; blk++) {
          boolean add = blk > 0;
          for (int it = itemStart[blk]; it < itemStart[blk + 1]; it += RangeTranspose.ITEM) {
            int kind = items[it];
            int to = PACKED_START + items[it + 1] * width;
            int e0 = items[it + 2];
            int n = items[it + 3];
            if (kind == RangeTranspose.QUAD) {
              k.gatherRowQuads(width, n, quads.indices, e0, quads.weights, RowQuads.ROWS * e0, b,
                  src, ld, acc, to, width, add);
            } else if (kind == RangeTranspose.SINGLE) {
              k.gatherRows(width, n, bt.rowIndices, e0, bt.values, e0, b, src, ld, acc, to, add);
            } else {
              Arrays.fill(acc, to, to + width, 0.0);
            }
          }
        }
        for (int j = 0; j < cols; j++) {
          if (used[j]) {
            dense.axpy(width, scale, acc, PACKED_START + j * width, c, cOff + (j * groups + g) * ldc);
          }
        }
      }
    });
  }

  /**
   * Rows {@code [start, end)} as a {@link BlockedTranspose}, which columns they use, and per
   * block the list of gathers {@link #multiplyTransposedSegmentsAdd} makes: a walk of the short
   * list instead of a test per column, block and segment.
   */
  private static final class RangeTranspose {
    /** Ints per item: kind, column, first entry, entries. */
    static final int ITEM = 4;
    /** The quad of columns {@code column ..+3} (its union entries in {@link #quads}). */
    static final int QUAD = 0;
    /** One column alone (its entries in {@link #blocks}). */
    static final int SINGLE = 1;
    /** The column's sum set to zero: it has no entries in the first block but some later. */
    static final int ZERO = 2;

    final int start;
    final int end;
    final boolean withQuads;
    final BlockedTranspose blocks;
    final boolean[] columnHasEntries;
    /** The kept quads of the blocks' columns, or null. */
    final RowQuads quads;
    /** Block {@code blk}'s items with quads from {@code quadItemStart[blk]}; null without. */
    final int[] quadItemStart;
    final int[] quadItems;
    /** The same with every column alone. */
    final int[] singleItemStart;
    final int[] singleItems;

    RangeTranspose(CsrMatrix a, int start, int end, boolean withQuads) {
      this.start = start;
      this.end = end;
      this.withQuads = withQuads;
      CsrMatrix range = a.rows(start, end - start);
      columnHasEntries = new boolean[a.cols];
      for (int j : range.columnIndices) {
        columnHasEntries[j] = true;
      }
      blocks = new BlockedTranspose(range, SEGMENT_BLOCK_ROWS);
      quads = withQuads ? blocks.columnQuads() : null;
      quadItemStart = withQuads ? new int[blocks.blocks + 1] : null;
      quadItems = withQuads ? items(a.cols, quads, quadItemStart) : null;
      singleItemStart = new int[blocks.blocks + 1];
      singleItems = items(a.cols, null, singleItemStart);
    }

    /** The items of every block, kept quads of {@code q} (null for none) first in their place. */
    private int[] items(int cols, RowQuads q, int[] itemStart) {
      int[] list = new int[ITEM * (blocks.blocks * cols + 1)];
      int at = 0;
      for (int blk = 0; blk < blocks.blocks; blk++) {
        int base = blk * (cols + 1);
        for (int j = 0; j < cols; j++) {
          if (q != null && q.inQuad(blk, j)) {
            if (j % RowQuads.ROWS == 0) {
              int t = j / RowQuads.ROWS;
              at = item(list, at, QUAD, j, q.first(blk, t), q.count(blk, t));
            }
            continue;
          }
          int e0 = blocks.pointers[base + j];
          int n = blocks.pointers[base + j + 1] - e0;
          if (n > 0) {
            at = item(list, at, SINGLE, j, e0, n);
          } else if (blk == 0 && columnHasEntries[j]) {
            at = item(list, at, ZERO, j, 0, 0);
          }
        }
        itemStart[blk + 1] = at;
      }
      return Arrays.copyOf(list, at);
    }

    private static int item(int[] list, int at, int kind, int column, int first, int count) {
      list[at] = kind;
      list[at + 1] = column;
      list[at + 2] = first;
      list[at + 3] = count;
      return at + ITEM;
    }
  }

  /** The cached {@link BlockedTranspose}, built on first use (racing builders agree). */
  private BlockedTranspose blockedTranspose() {
    BlockedTranspose bt = blockedTranspose;
    if (bt == null) {
      bt = new BlockedTranspose(this, TRANSPOSE_BLOCK_ROWS);
      blockedTranspose = bt;
    }
    return bt;
  }

  /** The cached {@link RowPairs} of this matrix's rows, built on first use. */
  RowPairs rowPairs() {
    RowPairs pairs = rowPairs;
    if (pairs == null) {
      pairs = new RowPairs(rowPointers, columnIndices, values, 1, 0, rows);
      rowPairs = pairs;
    }
    return pairs;
  }

  /** The cached {@link PairQuads} of this matrix's rows (from its pairs), built on first use. */
  PairQuads pairQuads() {
    PairQuads quads = pairQuads;
    if (quads == null) {
      quads = new PairQuads(rowPointers, columnIndices, values, rows, rowPairs());
      pairQuads = quads;
    }
    return quads;
  }

  /** The cached {@link BlockedTranspose} of {@code A^T B} products (for tests). */
  BlockedTranspose blockedTransposeForTests() {
    return blockedTranspose();
  }

  /** The pairs of columns gathered together in {@code A^T B} products (for tests). */
  RowPairs columnPairs() {
    return blockedTranspose().columnPairs();
  }

  /**
   * The entries regrouped for {@link #gatherTransposed} (blocks of {@link #TRANSPOSE_BLOCK_ROWS})
   * and {@link RowBlocks}: rows are cut into blocks of {@code blockRows}, and within a block the
   * entries are sorted by column (then
   * row). Block {@code blk}'s entries of column {@code j} are
   * {@code [pointers[blk (cols + 1) + j], pointers[blk (cols + 1) + j + 1])}, with their
   * (global) row in {@code rowIndices}. Costs a second copy of the matrix. {@code allRows} and
   * {@code ones} (i and 1 at index i) make the column sums of B a gather like the others.
   */
  static final class BlockedTranspose {
    final int blockRows;
    final int blocks;
    final int[] allRows;
    final double[] ones;
    final int[] pointers;
    final int[] rowIndices;
    final double[] values;
    /** Stored entries in columns {@code [0, j)}, over all blocks: for balancing threads. */
    final long[] columnPrefix;
    /** Built on first use; benign race. */
    private volatile RowPairs columnPairs;
    /** Built on first use; benign race. */
    private volatile RowQuads columnQuads;

    BlockedTranspose(CsrMatrix a, int blockRows) {
      int cols = a.cols;
      this.blockRows = blockRows;
      blocks = (a.rows + blockRows - 1) / blockRows;
      pointers = new int[blocks * (cols + 1)];
      rowIndices = new int[a.values.length];
      values = new double[a.values.length];
      columnPrefix = new long[cols + 1];
      allRows = new int[a.rows];
      Arrays.setAll(allRows, i -> i);
      ones = new double[a.rows];
      Arrays.fill(ones, 1.0);
      // Blocks are independent (each regroups its own rows' entries in place), so bands of
      // blocks are regrouped over the cores: the same arrays as one block after another.
      int bands = a.values.length < PARALLEL_ENTRIES ? 1 : Math.min(blocks, 4 * Parallel.threads());
      Parallel.forEachChunk(bands, band -> {
        int[] next = new int[cols];
        for (int blk = Parallel.bandStart(blocks, band, bands);
            blk < Parallel.bandStart(blocks, band + 1, bands); blk++) {
          regroup(a, blk, next);
        }
      });
      for (int blk = 0; blk < blocks; blk++) {
        int base = blk * (cols + 1);
        for (int j = 0; j < cols; j++) {
          columnPrefix[j + 1] += pointers[base + j + 1] - pointers[base + j];
        }
      }
      for (int j = 0; j < cols; j++) {
        columnPrefix[j + 1] += columnPrefix[j];
      }
    }

    /** Block {@code blk}'s entries sorted by column (then row); {@code next} is scratch. */
    private void regroup(CsrMatrix a, int blk, int[] next) {
      int cols = a.cols;
      int r0 = blk * blockRows;
      int r1 = Math.min(a.rows, r0 + blockRows);
      int base = blk * (cols + 1);
      Arrays.fill(next, 0);
      for (int e = a.rowPointers[r0]; e < a.rowPointers[r1]; e++) {
        next[a.columnIndices[e]]++;
      }
      int at = a.rowPointers[r0];
      for (int j = 0; j < cols; j++) {
        pointers[base + j] = at;
        at += next[j];
        next[j] = pointers[base + j];
      }
      pointers[base + cols] = at;
      for (int i = r0; i < r1; i++) {
        for (int e = a.rowPointers[i]; e < a.rowPointers[i + 1]; e++) {
          int to = next[a.columnIndices[e]]++;
          rowIndices[to] = i;
          values[to] = a.values[e];
        }
      }
    }

    /**
     * {@code C[j] += sum over the rows r of block blk of A[r, j] B[r]} for the columns {@code
     * [j0, j1)} of A and {@code w} columns of B and C: row {@code j} of C at {@code cBase + j
     * ldc}, row {@code r} of B (a global row index) at {@code srcOff + r ld}. Columns of a kept
     * quad ({@code quads} of this layout, or none if null) inside the range are gathered as a
     * quad; of the others, those whose partner ({@code pairs}, or none if null) lies in the
     * range and outside such a quad as a pair. All give each column's single-gather sums.
     */
    void gatherColumns(SparseKernels k, RowPairs pairs, RowQuads quads, int blk, int j0, int j1,
        int w, double[] src, int srcOff, int ld, double[] c, int cBase, int ldc) {
      int base = blk * (columnPrefix.length);
      for (int j = j0; j < j1; j++) {
        if (inQuadWithin(quads, blk, j, j0, j1)) {
          if (j % RowQuads.ROWS == 0) {
            int t = j / RowQuads.ROWS;
            int e0 = quads.first(blk, t);
            k.gatherRowQuads(w, quads.count(blk, t), quads.indices, e0, quads.weights,
                RowQuads.ROWS * e0, src, srcOff, ld, c, cBase + j * ldc, ldc, true);
          }
          continue;
        }
        int q = pairs == null ? -1 : pairs.partnerWithin(blk, j, j0, j1);
        if (q >= 0 && inQuadWithin(quads, blk, q, j0, j1)) {
          q = -1; // the partner went with its quad
        }
        if (q >= 0) {
          if (q > j) {
            int e0 = pairs.first(blk, j);
            k.gatherRowPairs(w, pairs.count(blk, j), pairs.indices, e0, pairs.weights,
                2 * e0, src, srcOff, ld, c, cBase + j * ldc, cBase + q * ldc, true);
          }
          continue;
        }
        int e0 = pointers[base + j];
        int count = pointers[base + j + 1] - e0;
        if (count > 0) {
          k.gatherRows(w, count, rowIndices, e0, values, e0, src, srcOff, ld,
              c, cBase + j * ldc, true);
        }
      }
    }

    /** Whether column {@code j} of block {@code blk} is in a kept quad lying within [j0, j1). */
    private static boolean inQuadWithin(RowQuads quads, int blk, int j, int j0, int j1) {
      int q0 = j - j % RowQuads.ROWS;
      return quads != null && quads.inQuad(blk, j) && q0 >= j0 && q0 + RowQuads.ROWS <= j1;
    }

    /** Each block's columns in quads of neighbours ({@code 4t .. 4t+3}) where they are full. */
    RowQuads columnQuads() {
      RowQuads quads = columnQuads;
      if (quads == null) {
        int cols = columnPrefix.length - 1;
        quads = new RowQuads(pointers, rowIndices, values, blocks, cols + 1, cols);
        columnQuads = quads;
      }
      return quads;
    }

    /** Each block's columns in pairs: neighbouring pixels share many images. */
    RowPairs columnPairs() {
      RowPairs pairs = columnPairs;
      if (pairs == null) {
        int cols = columnPrefix.length - 1;
        pairs = new RowPairs(pointers, rowIndices, values, blocks, cols + 1, cols);
        columnPairs = pairs;
      }
      return pairs;
    }

    /** The first column of share {@code s} of {@code shares}, balancing stored entries. */
    int columnAtShare(int s, int shares) {
      int cols = columnPrefix.length - 1;
      if (s <= 0) {
        return 0;
      }
      if (s >= shares) {
        return cols;
      }
      long target = columnPrefix[cols] * s / shares;
      int j = 0;
      while (j < cols && columnPrefix[j] < target) {
        j++;
      }
      return j;
    }
  }

  /** Scatter of rows {@code [r0, r1)} into columns {@code [col0, col1)} of C, panel by panel. */
  private void scatterRange(SparseKernels k, int r0, int r1, double[] b, int bOff, int bCols,
      int col0, int col1, int panel, double[] c) {
    for (int i0 = r0; i0 < r1; ) {
      int i1 = blockEnd(i0, r1);
      for (int p0 = col0; p0 < col1; p0 += panel) {
        int w = Math.min(panel, col1 - p0);
        for (int i = i0; i < i1; i++) {
          int e = rowPointers[i];
          k.scatterRow(w, rowPointers[i + 1] - e, columnIndices, e, values, e,
              b, bOff + (i - r0) * bCols + p0, c, p0, bCols);
        }
      }
      i0 = i1;
    }
  }

  /** Whether gathers of {@code width} columns take kept quads ({@link #QUAD_WIDTH_MULTIPLE}). */
  private static boolean quadWidth(int width) {
    return width % QUAD_WIDTH_MULTIPLE == 0;
  }

  /** The end of a block of rows starting at {@code i0} holding about {@link #BLOCK_ENTRIES}. */
  private int blockEnd(int i0, int limit) {
    int target = rowPointers[i0] + BLOCK_ENTRIES;
    int i1 = i0 + 1;
    while (i1 < limit && rowPointers[i1 + 1] <= target) {
      i1++;
    }
    return i1;
  }

  /** Columns of a dense panel: a multiple of 32 with {@code depth x width} at most 640 KiB. */
  private static int panelWidth(int depth, int bCols) {
    int w = Math.max(PANEL_ALIGN, PANEL_DOUBLES / Math.max(1, depth) / PANEL_ALIGN * PANEL_ALIGN);
    return Math.min(w, bCols);
  }

  private static int chunksFor(long work, int limit, int threads) {
    return work < PARALLEL_MIN_WORK ? 1 : Math.max(1, Math.min(threads, limit));
  }

  /** The first row of share {@code s} of {@code shares}, balancing stored entries. */
  private int rowAtShare(int s, int shares) {
    return rowAtShare(s, shares, 0, rows);
  }

  private int rowAtShare(int s, int shares, int from, int to) {
    if (s <= 0) {
      return from;
    }
    if (s >= shares) {
      return to;
    }
    long first = rowPointers[from];
    long target = first + (rowPointers[to] - first) * s / shares;
    int lo = from;
    int hi = to;
    while (lo < hi) { // first row whose start reaches the target
      int mid = (lo + hi) >>> 1;
      if (rowPointers[mid] < target) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static void checkDense(String op, String what, double[] a, int off, int r, int c) {
    if (c < 1) {
      throw new IllegalArgumentException(op + ": " + what + " must have at least one column, not " + c);
    }
    if (off < 0 || (long) off + (long) r * c > a.length) {
      throw new IllegalArgumentException(
          op + ": " + what + " needs " + r + " x " + c + " entries from offset " + off
              + ", its array has " + a.length);
    }
  }

  @Override
  public String toString() {
    return "CsrMatrix(" + rows + "x" + cols + ", " + values.length + " stored)";
  }
}
