package org.dtheta.core.kernel;

import org.dtheta.core.internal.kernel.KernelProvider;
import org.dtheta.core.internal.kernel.KernelSupport;
import org.dtheta.core.internal.kernel.RowReduction;

/**
 * The kernels of the selected implementation (see {@link KernelProvider}), with argument checks
 * and the splitting of large matrix products over the machine's cores. Everything the engine
 * computes on {@code double[]} goes through here.
 */
public final class Kernels {

  private static final KernelSupport IMPL = KernelProvider.get();

  /** Below this many multiply-adds a product is not worth handing to a second thread. */
  private static final long PARALLEL_MIN_WORK = 1L << 18;

  /** Band boundaries are multiples of this many rows or columns (8 doubles = 64 bytes). */
  private static final int SPLIT_ALIGN = 8;

  /** Smallest band worth its own task: packing and scheduling cost per band stay below ~1%. */
  private static final int SPLIT_MIN_BAND = 128;

  /**
   * Below this many doubles written a row-by-row pass runs on one thread. Such passes are
   * memory-bound, but one core does not saturate this machine's memory, so large passes such as
   * the tangents' over k x (m hidden) arrays gain from a second core.
   */
  private static final long PARALLEL_MIN_PASS = 1L << 20;

  /** Fixed groups of rows of a large column sum ({@link #sumColumnsInto}). */
  private static final int COLUMN_SUM_GROUPS = 4;

  /** Bands of an elementwise pass start at multiples of this many elements (any vector length's). */
  private static final int RANGE_ALIGN = 64;

  private Kernels() {}

  /** Rows {@code [r0, r1)} of a row-by-row kernel. */
  @FunctionalInterface
  private interface RowRange {
    void run(int r0, int r1);
  }

  /**
   * Runs a kernel whose rows are independent (each output entry depends on its own row only),
   * split into bands of rows over the cores when it writes at least {@link #PARALLEL_MIN_PASS}
   * doubles. Every entry is computed by the same operations either way, so the result does not
   * depend on the number of threads.
   */
  private static void byRows(int rows, long doublesPerRow, RowRange body) {
    int threads = Parallel.threads();
    if (threads == 1 || rows < 2 * threads || rows * doublesPerRow < PARALLEL_MIN_PASS) {
      body.run(0, rows);
      return;
    }
    Parallel.forEachChunk(threads, t -> body.run(
        Parallel.bandStart(rows, t, threads), Parallel.bandStart(rows, t + 1, threads)));
  }

  /**
   * Runs an elementwise pass over {@code n} doubles as {@link #byRows} does, in bands of whole
   * multiples of {@link #RANGE_ALIGN} elements: every band but the last is whole vectors, so each
   * element takes the same vector or scalar path as in one pass, and the bits do not depend on
   * the number of threads.
   */
  private static void byRange(int n, RowRange body) {
    int blocks = (n + RANGE_ALIGN - 1) / RANGE_ALIGN;
    byRows(blocks, RANGE_ALIGN,
        (b0, b1) -> body.run(b0 * RANGE_ALIGN, (int) Math.min(n, (long) b1 * RANGE_ALIGN)));
  }

  /**
   * The implementation in use (an internal type: for core's own selection and tests; outside
   * core use {@link #implementationName()}).
   */
  public static KernelSupport implementation() {
    return IMPL;
  }

  /** The name of the implementation in use, e.g. {@code panama-512} or {@code scalar}, for logs. */
  public static String implementationName() {
    return IMPL.name();
  }

  /**
   * {@code C = beta*C + alpha*op(A)*op(B)} with the selected implementation, split over cores
   * when large. See {@link KernelSupport#gemm}.
   */
  public static void gemm(
      boolean transA, boolean transB, int m, int n, int k, double alpha,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double beta, double[] c, int cOff, int ldc) {
    gemm(IMPL, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
  }

  /** As {@link #gemm(boolean, boolean, int, int, int, double, double[], int, int, double[], int, int, double, double[], int, int)} with a given implementation. */
  public static void gemm(
      KernelSupport impl, boolean transA, boolean transB, int m, int n, int k, double alpha,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double beta, double[] c, int cOff, int ldc) {
    checkSize("m", m);
    checkSize("n", n);
    checkSize("k", k);
    checkMatrix("A", a, aOff, transA ? k : m, transA ? m : k, lda);
    checkMatrix("B", b, bOff, transB ? n : k, transB ? k : n, ldb);
    checkMatrix("C", c, cOff, m, n, ldc);
    if (transA && !transB && alpha != 0.0 && RowReduction.suits(m, n, k)) {
      if (m > 0 && n > 0) {
        RowReduction.gemm(impl, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      }
      return;
    }
    long work = (long) m * n * k;
    int threads = Parallel.threads();
    if (threads == 1 || work < PARALLEL_MIN_WORK) {
      impl.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      return;
    }
    // Split C into bands; each band is an independent product, so no reduction is needed.
    // Bands of rows re-read (and the vector kernels re-pack) all of op(B), bands of columns
    // share nothing, so rows are split only when C is at least as tall as it is wide.
    if (m >= n || n < SPLIT_ALIGN * 2 * threads) {
      int chunks = chunkCount(m, threads);
      Parallel.forEachChunk(chunks, ch -> {
        int i0 = chunkStart(m, chunks, ch);
        int i1 = chunkStart(m, chunks, ch + 1);
        if (i1 > i0) {
          int aShift = transA ? i0 : i0 * lda;
          impl.gemm(transA, transB, i1 - i0, n, k, alpha, a, aOff + aShift, lda,
              b, bOff, ldb, beta, c, cOff + i0 * ldc, ldc);
        }
      });
    } else {
      int chunks = chunkCount(n, threads);
      Parallel.forEachChunk(chunks, ch -> {
        int j0 = chunkStart(n, chunks, ch);
        int j1 = chunkStart(n, chunks, ch + 1);
        if (j1 > j0) {
          int bShift = transB ? j0 * ldb : j0;
          impl.gemm(transA, transB, m, j1 - j0, k, alpha, a, aOff, lda,
              b, bOff + bShift, ldb, beta, c, cOff + j0, ldc);
        }
      });
    }
  }

  /**
   * Bands for {@code extent} rows or columns: one per thread at least; up to four per thread
   * (so a core slowed by other work hands bands to the other) while a band keeps at least
   * {@code SPLIT_MIN_BAND} rows or columns, which keeps the per-band overhead small.
   */
  private static int chunkCount(int extent, int threads) {
    int byBand = extent / SPLIT_MIN_BAND;
    return Math.max(threads, Math.min(4 * threads, byBand));
  }

  /**
   * Start of band {@code ch} of {@code chunks}: a multiple of {@code SPLIT_ALIGN}, so two
   * threads rarely write the same 64-byte line of C (and column bands hold whole vectors).
   */
  private static int chunkStart(int extent, int chunks, int ch) {
    if (ch >= chunks) {
      return extent;
    }
    int start = Parallel.bandStart(extent, ch, chunks);
    return Math.min(extent, (start + SPLIT_ALIGN / 2) / SPLIT_ALIGN * SPLIT_ALIGN);
  }

  /**
   * {@code acc += sum_r v_r w_r^T} over {@code rows} rows, on one thread (see {@link
   * KernelSupport#addOuterProducts}): one block of a sum over samples whose caller splits the
   * samples itself.
   */
  public static void addOuterProducts(int rows, int wide, int narrow, double[] w, int wOff,
      int ldw, double[] v, int vOff, int ldv, double[] acc, int accOff) {
    checkSize("rows", rows);
    checkSize("wide", wide);
    checkSize("narrow", narrow);
    checkMatrix("W", w, wOff, rows, wide, ldw);
    checkMatrix("V", v, vOff, rows, narrow, ldv);
    checkMatrix("acc", acc, accOff, narrow, wide, wide);
    if (rows > 0 && wide > 0 && narrow > 0) {
      IMPL.addOuterProducts(rows, wide, narrow, w, wOff, ldw, v, vOff, ldv, acc, accOff);
    }
  }

  /** {@code C = op(A) op(B)} for whole, densely stored row-major matrices. */
  public static void multiply(boolean transA, boolean transB, int m, int n, int k,
      double[] a, double[] b, double[] c) {
    gemm(transA, transB, m, n, k, 1.0, a, 0, transA ? m : k, b, 0, transB ? k : n, 0.0, c, 0, n);
  }

  /** See {@link KernelSupport#fill}. */
  public static void fill(int n, double value, double[] x, int xOff) {
    checkSize("n", n);
    checkRange("x", x, xOff, n);
    byRange(n, (i0, i1) -> IMPL.fill(i1 - i0, value, x, xOff + i0));
  }

  /** See {@link KernelSupport#axpy}. */
  public static void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
    checkSize("n", n);
    checkRange("x", x, xOff, n);
    checkRange("y", y, yOff, n);
    byRange(n, (i0, i1) -> IMPL.axpy(i1 - i0, alpha, x, xOff + i0, y, yOff + i0));
  }

  /** See {@link KernelSupport#scale}. */
  public static void scale(int n, double alpha, double[] x, int xOff) {
    checkSize("n", n);
    checkRange("x", x, xOff, n);
    byRange(n, (i0, i1) -> IMPL.scale(i1 - i0, alpha, x, xOff + i0));
  }

  /** See {@link KernelSupport#sum}. */
  public static double sum(int n, double[] x, int xOff) {
    checkSize("n", n);
    checkRange("x", x, xOff, n);
    return IMPL.sum(n, x, xOff);
  }

  /** See {@link KernelSupport#dot}. */
  public static double dot(int n, double[] x, int xOff, double[] y, int yOff) {
    checkSize("n", n);
    checkRange("x", x, xOff, n);
    checkRange("y", y, yOff, n);
    return IMPL.dot(n, x, xOff, y, yOff);
  }

  /** See {@link KernelSupport#addScaled}. */
  public static void addScaled(int n, double[] x, int xOff, double alpha, double[] y, int yOff,
      double[] z, int zOff) {
    checkSize("n", n);
    checkRange("x", x, xOff, n);
    checkRange("y", y, yOff, n);
    checkRange("z", z, zOff, n);
    byRange(n, (i0, i1) -> IMPL.addScaled(i1 - i0, x, xOff + i0, alpha, y, yOff + i0, z, zOff + i0));
  }

  /** See {@link KernelSupport#mul}. */
  public static void mul(int n, double[] x, int xOff, double[] y, int yOff, double[] z, int zOff,
      boolean accumulate) {
    checkSize("n", n);
    checkRange("x", x, xOff, n);
    checkRange("y", y, yOff, n);
    checkRange("z", z, zOff, n);
    byRange(n, (i0, i1) -> IMPL.mul(i1 - i0, x, xOff + i0, y, yOff + i0, z, zOff + i0, accumulate));
  }

  /** See {@link KernelSupport#div}. */
  public static void div(int n, double[] x, int xOff, double[] y, int yOff, double[] z, int zOff) {
    checkSize("n", n);
    checkRange("x", x, xOff, n);
    checkRange("y", y, yOff, n);
    checkRange("z", z, zOff, n);
    byRange(n, (i0, i1) -> IMPL.div(i1 - i0, x, xOff + i0, y, yOff + i0, z, zOff + i0));
  }

  /** See {@link KernelSupport#mulRepeated}. */
  public static void mulRepeated(int rows, int cols, int m, double[] f, int fOff, double[] x,
      int xOff, double[] y, int yOff, boolean accumulate) {
    checkSizes(rows, cols, m);
    checkRange("f", f, fOff, rows * cols);
    checkRange("x", x, xOff, rows * cols * m);
    checkRange("y", y, yOff, rows * cols * m);
    int w = cols * m;
    byRows(rows, w, (r0, r1) -> IMPL.mulRepeated(r1 - r0, cols, m, f, fOff + r0 * cols,
        x, xOff + r0 * w, y, yOff + r0 * w, accumulate));
  }

  /** See {@link KernelSupport#addRowVector}. */
  public static void addRowVector(int rows, int cols, int m, double[] bias, int biasOff,
      double[] y, int yOff) {
    checkSizes(rows, cols, m);
    checkRange("bias", bias, biasOff, cols * m);
    checkRange("y", y, yOff, rows * cols * m);
    int w = cols * m;
    byRows(rows, w, (r0, r1) -> IMPL.addRowVector(r1 - r0, cols, m, bias, biasOff,
        y, yOff + r0 * w));
  }

  /** See {@link KernelSupport#sumColumnsInto}. */
  public static void sumColumnsInto(int rows, int cols, double[] x, int xOff, int ldx,
      double[] out, int outOff) {
    checkSize("rows", rows);
    checkSize("cols", cols);
    checkMatrix("x", x, xOff, rows, cols, ldx);
    checkRange("out", out, outOff, cols);
    // Large sums run over fixed groups of rows (whatever the thread count, so the bits do not
    // depend on it), added in group order. Splitting by columns instead kept the full rows'
    // streaming reads on one thread's pace.
    if ((long) rows * cols < PARALLEL_MIN_PASS || rows < COLUMN_SUM_GROUPS) {
      IMPL.sumColumnsInto(rows, cols, x, xOff, ldx, out, outOff);
      return;
    }
    double[] partial = new double[COLUMN_SUM_GROUPS * cols];
    Parallel.forEachChunk(COLUMN_SUM_GROUPS, g -> {
      int r0 = Parallel.bandStart(rows, g, COLUMN_SUM_GROUPS);
      int r1 = Parallel.bandStart(rows, g + 1, COLUMN_SUM_GROUPS);
      IMPL.sumColumnsInto(r1 - r0, cols, x, xOff + r0 * ldx, ldx, partial, g * cols);
    });
    for (int g = 1; g < COLUMN_SUM_GROUPS; g++) {
      IMPL.axpy(cols, 1.0, partial, g * cols, partial, 0);
    }
    IMPL.axpy(cols, 1.0, partial, 0, out, outOff);
  }

  /** See {@link KernelSupport#sumRowsInto}. */
  public static void sumRowsInto(int rows, int cols, double[] x, int xOff, int ldx,
      double[] out, int outOff) {
    checkSize("rows", rows);
    checkSize("cols", cols);
    checkMatrix("x", x, xOff, rows, cols, ldx);
    checkRange("out", out, outOff, rows);
    byRows(rows, cols, (r0, r1) ->
        IMPL.sumRowsInto(r1 - r0, cols, x, xOff + r0 * ldx, ldx, out, outOff + r0));
  }

  /** See {@link KernelSupport#rowDotsRepeated}. */
  public static void rowDotsRepeated(int rows, int cols, int m, double[] a, int aOff, double[] x,
      int xOff, double[] out, int outOff) {
    checkSizes(rows, cols, m);
    checkRange("a", a, aOff, rows * cols);
    checkRange("x", x, xOff, rows * cols * m);
    checkRange("out", out, outOff, rows * m);
    int w = cols * m;
    byRows(rows, w, (r0, r1) -> IMPL.rowDotsRepeated(r1 - r0, cols, m, a, aOff + r0 * cols,
        x, xOff + r0 * w, out, outOff + r0 * m));
  }

  /** See {@link KernelSupport#scaleRowsRepeated}. */
  public static void scaleRowsRepeated(int rows, int cols, int m, double[] s, int sOff, double[] f,
      int fOff, double[] y, int yOff, boolean accumulate) {
    checkSizes(rows, cols, m);
    checkRange("s", s, sOff, rows * m);
    checkRange("f", f, fOff, rows * cols);
    checkRange("y", y, yOff, rows * cols * m);
    int w = cols * m;
    byRows(rows, w, (r0, r1) -> IMPL.scaleRowsRepeated(r1 - r0, cols, m, s, sOff + r0 * m,
        f, fOff + r0 * cols, y, yOff + r0 * w, accumulate));
  }

  /** See {@link KernelSupport#transpose}. */
  public static void transpose(int rows, int cols, double[] a, int aOff, int lda, double[] b,
      int bOff, int ldb) {
    checkSize("rows", rows);
    checkSize("cols", cols);
    checkMatrix("a", a, aOff, rows, cols, lda);
    checkMatrix("b", b, bOff, cols, rows, ldb);
    IMPL.transpose(rows, cols, a, aOff, lda, b, bOff, ldb);
  }

  /**
   * {@code count} transposes of consecutive blocks: block {@code t} of {@code a}, {@code rows x
   * cols} at {@code aOff + t rows cols}, goes transposed to block {@code t} of {@code b},
   * {@code cols x rows} at {@code bOff + t rows cols}. A flat {@code P x m} direction matrix and
   * a variable's tangent layout {@code (rows, m, cols)} are such blocks, one per row of the
   * variable. Split over the cores when large.
   */
  public static void transposeEach(int count, int rows, int cols, double[] a, int aOff,
      double[] b, int bOff) {
    checkSizes(count, rows, cols);
    int size = Math.multiplyExact(rows, cols);
    checkRange("a", a, aOff, Math.multiplyExact(count, size));
    checkRange("b", b, bOff, count * size);
    byRows(count, size, (t0, t1) -> {
      for (int t = t0; t < t1; t++) {
        IMPL.transpose(rows, cols, a, aOff + t * size, cols, b, bOff + t * size, rows);
      }
    });
  }

  /** See {@link KernelSupport#map}. */
  public static void map(UnaryFunction f, int n, double[] x, int xOff, double[] y, int yOff) {
    checkSize("n", n);
    checkRange("x", x, xOff, n);
    checkRange("y", y, yOff, n);
    byRange(n, (i0, i1) -> IMPL.map(f, i1 - i0, x, xOff + i0, y, yOff + i0));
  }

  /** See {@link KernelSupport#mapDerivative}. */
  public static void mapDerivative(UnaryFunction f, int order, int n, double[] x, int xOff,
      double[] y, int yOff, double[] out, int outOff) {
    if (order != 1 && order != 2) {
      throw new IllegalArgumentException("order (of the derivative) must be 1 or 2, not " + order);
    }
    checkSize("n", n);
    checkRange("x", x, xOff, n);
    checkRange("y", y, yOff, n);
    checkRange("out", out, outOff, n);
    byRange(n, (i0, i1) ->
        IMPL.mapDerivative(f, order, i1 - i0, x, xOff + i0, y, yOff + i0, out, outOff + i0));
  }

  /** See {@link KernelSupport#addConstant}. */
  public static void addConstant(int n, double value, double[] x, int xOff) {
    checkSize("n", n);
    checkRange("x", x, xOff, n);
    byRange(n, (i0, i1) -> IMPL.addConstant(i1 - i0, value, x, xOff + i0));
  }

  /** {@code y[yOff..yOff+n) = x[xOff..xOff+n)}. */
  public static void copy(int n, double[] x, int xOff, double[] y, int yOff) {
    checkSize("n", n);
    checkRange("x", x, xOff, n);
    checkRange("y", y, yOff, n);
    byRange(n, (i0, i1) -> System.arraycopy(x, xOff + i0, y, yOff + i0, i1 - i0));
  }

  /**
   * Index of the first NaN or infinity in {@code x[off..off+n)} relative to {@code off}, or -1.
   * A debugging aid, not a hot loop.
   */
  public static int firstNonFinite(int n, double[] x, int xOff) {
    checkSize("n", n);
    checkRange("x", x, xOff, n);
    for (int i = 0; i < n; i++) {
      if (!Double.isFinite(x[xOff + i])) {
        return i;
      }
    }
    return -1;
  }

  /** See {@link KernelSupport#softmaxRow}. */
  public static double softmaxRow(int n, double[] x, int xOff, double[] y, int yOff) {
    checkSize("n", n);
    checkRange("x", x, xOff, n);
    checkRange("y", y, yOff, n);
    return IMPL.softmaxRow(n, x, xOff, y, yOff);
  }

  private static void checkSize(String name, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " must be >= 0, got " + value);
    }
  }

  private static void checkSizes(int rows, int cols, int m) {
    checkSize("rows", rows);
    checkSize("cols", cols);
    checkSize("m", m);
  }

  /** {@code x[off, off+n)} must lie in {@code x}; messages name {@code x} or {@code xOff}. */
  private static void checkRange(String what, double[] x, int off, int n) {
    if (off < 0) {
      throw new IllegalArgumentException(what + "Off must be >= 0, got " + off);
    }
    if ((long) off + n > x.length) {
      throw new IllegalArgumentException(what + ": range [" + off + ", " + ((long) off + n)
          + ") runs past the end of the array (length " + x.length + ")");
    }
  }

  /**
   * A {@code rows x cols} matrix at {@code off} with rows {@code ld} apart must lie in {@code
   * x}; messages name the matrix, its offset ({@code aOff}) or its leading dimension
   * ({@code lda}).
   */
  private static void checkMatrix(String what, double[] x, int off, int rows, int cols, int ld) {
    String lower = what.toLowerCase(java.util.Locale.ROOT);
    if (off < 0) {
      throw new IllegalArgumentException(lower + "Off must be >= 0, got " + off);
    }
    if (rows == 0 || cols == 0) {
      return;
    }
    if (ld < cols) {
      throw new IllegalArgumentException(
          "ld" + lower + " = " + ld + " is less than the " + cols + " columns of " + what);
    }
    long last = off + (long) (rows - 1) * ld + cols;
    if (last > x.length) {
      throw new IllegalArgumentException(
          what + ": " + rows + "x" + cols + " (ld " + ld + ") at offset " + off
              + " needs " + last + " elements, the array has " + x.length);
    }
  }

  // ---- appended for the op set (branch ops) ----

  /** See {@link KernelSupport#addColumnVector}. */
  public static void addColumnVector(int rows, int cols, double alpha, double[] s, int sOff,
      double[] y, int yOff) {
    checkRange("s", s, sOff, rows);
    checkRange("y", y, yOff, rows * cols);
    IMPL.addColumnVector(rows, cols, alpha, s, sOff, y, yOff);
  }

  /** See {@link KernelSupport#addScaledRepeated}. */
  public static void addScaledRepeated(int rows, int cols, int m, double[] s, int sOff,
      double[] f, int fOff, double[] y, int yOff) {
    checkRange("s", s, sOff, m);
    checkRange("f", f, fOff, rows * cols);
    checkRange("y", y, yOff, rows * cols * m);
    int w = cols * m;
    byRows(rows, w, (r0, r1) -> IMPL.addScaledRepeated(r1 - r0, cols, m, s, sOff,
        f, fOff + r0 * cols, y, yOff + r0 * w));
  }

  /** See {@link KernelSupport#softmaxRows}. */
  public static void softmaxRows(int rows, int cols, double[] x, int xOff, double[] y, int yOff,
      double[] lse, int lseOff) {
    checkRange("x", x, xOff, rows * cols);
    checkRange("y", y, yOff, rows * cols);
    checkRange("lse", lse, lseOff, rows);
    IMPL.softmaxRows(rows, cols, x, xOff, y, yOff, lse, lseOff);
  }

  /** See {@link KernelSupport#softplusSum}. */
  public static double softplusSum(int n, double[] x, int xOff) {
    checkRange("x", x, xOff, n);
    return IMPL.softplusSum(n, x, xOff);
  }

  // ---- appended for batched tangents (branch dense-tangents) ----

  /** See {@link KernelSupport#transposeBlocks}. */
  public static void transposeBlocks(int rows, int cols, int width, double[] x, int xOff,
      double[] y, int yOff, boolean accumulate) {
    checkSizes(rows, cols, width);
    long n = (long) rows * cols * width;
    checkRange("x", x, xOff, Math.toIntExact(n));
    checkRange("y", y, yOff, (int) n);
    IMPL.transposeBlocks(rows, cols, width, x, xOff, y, yOff, accumulate);
  }

  /** See {@link KernelSupport#activationAdjointTangent}. */
  public static void activationAdjointTangent(int rows, int cols, int m, int n, double[] a,
      int aOff, double[] b, int bOff, double[] c, int cOff, double[] e, int eOff, double[] f,
      int fOff, double[] g, int gOff, double[] x, int xOff, double[] z, int zOff,
      boolean accumulate, double[] u, int uOff) {
    checkSizes(rows, cols, m);
    checkSize("n", n);
    int w = cols * m;
    checkRange("a", a, aOff, rows * m * n);
    checkRange("b", b, bOff, n * cols);
    if (e != null) {
      checkRange("c", c, cOff, rows * n);
      checkRange("e", e, eOff, n * w);
    }
    checkRange("f", f, fOff, rows * cols);
    checkRange("g", g, gOff, rows * cols);
    checkRange("x", x, xOff, rows * w);
    checkRange("z", z, zOff, rows * w);
    if (u != null) {
      checkRange("u", u, uOff, rows * w);
    }
    byRows(rows, w, (r0, r1) -> IMPL.activationAdjointTangent(r1 - r0, cols, m, n,
        a, aOff + r0 * m * n, b, bOff, c, cOff + r0 * n, e, eOff, f, fOff + r0 * cols,
        g, gOff + r0 * cols, x, xOff + r0 * w, z, zOff + r0 * w, accumulate,
        u, u == null ? 0 : uOff + r0 * w));
  }

  /** See {@link KernelSupport#activationTangent}. */
  public static void activationTangent(int rows, int cols, int m, int n, double[] f, int fOff,
      double[] x, int xOff, double[] b, int bOff, double[] y, int yOff) {
    checkSizes(rows, cols, m);
    checkSize("n", n);
    checkRange("f", f, fOff, rows * cols);
    checkRange("x", x, xOff, rows * cols * m);
    checkRange("b", b, bOff, cols * n);
    checkRange("y", y, yOff, rows * m * n);
    int w = cols * m;
    byRows(rows, w, (r0, r1) -> IMPL.activationTangent(r1 - r0, cols, m, n, f,
        fOff + r0 * cols, x, xOff + r0 * w, b, bOff, y, yOff + r0 * m * n));
  }

  /** See {@link KernelSupport#mulAddRepeated}. */
  public static void mulAddRepeated(int rows, int cols, int m, double[] f, int fOff, double[] x,
      int xOff, double[] g, int gOff, double[] y, int yOff, double[] z, int zOff,
      boolean accumulate) {
    checkSizes(rows, cols, m);
    checkRange("f", f, fOff, rows * cols);
    checkRange("g", g, gOff, rows * cols);
    checkRange("x", x, xOff, rows * cols * m);
    checkRange("y", y, yOff, rows * cols * m);
    checkRange("z", z, zOff, rows * cols * m);
    int w = cols * m;
    byRows(rows, w, (r0, r1) -> IMPL.mulAddRepeated(r1 - r0, cols, m, f, fOff + r0 * cols,
        x, xOff + r0 * w, g, gOff + r0 * cols, y, yOff + r0 * w, z, zOff + r0 * w, accumulate));
  }

  /** See {@link KernelSupport#addRowVector(int, int, int, double[], int, double[], int, double[], int)}. */
  public static void addRowVector(int rows, int cols, int m, double[] x, int xOff, double[] bias,
      int biasOff, double[] y, int yOff) {
    checkSizes(rows, cols, m);
    checkRange("x", x, xOff, rows * cols * m);
    checkRange("bias", bias, biasOff, cols * m);
    checkRange("y", y, yOff, rows * cols * m);
    int w = cols * m;
    byRows(rows, w, (r0, r1) -> IMPL.addRowVector(r1 - r0, cols, m, x, xOff + r0 * w,
        bias, biasOff, y, yOff + r0 * w));
  }

  /** See {@link KernelSupport#centredMulRepeated}. */
  public static void centredMulRepeated(int rows, int cols, int m, double[] p, int pOff,
      double[] f, int fOff, double[] u, int uOff, double[] z, int zOff, boolean accumulate) {
    checkSizes(rows, cols, m);
    checkRange("p", p, pOff, rows * cols);
    checkRange("f", f, fOff, rows * cols);
    checkRange("u", u, uOff, rows * cols * m);
    checkRange("z", z, zOff, rows * cols * m);
    int w = cols * m;
    byRows(rows, w, (r0, r1) -> IMPL.centredMulRepeated(r1 - r0, cols, m, p, pOff + r0 * cols,
        f, fOff + r0 * cols, u, uOff + r0 * w, z, zOff + r0 * w, accumulate));
  }

  // ---- appended for the op set, part 2 (branch ops): transposes, blocks, powers ----

  /** See {@link KernelSupport#transposeRepeated}. */
  public static void transposeRepeated(int rows, int cols, int m, double[] x, int xOff,
      double[] y, int yOff, boolean accumulate) {
    checkSizes(rows, cols, m);
    int n = Math.multiplyExact(Math.multiplyExact(rows, cols), m);
    checkRange("x", x, xOff, n);
    checkRange("y", y, yOff, n);
    IMPL.transposeRepeated(rows, cols, m, x, xOff, y, yOff, accumulate);
  }

  /** See {@link KernelSupport#copyBlock}. */
  public static void copyBlock(int rows, int cols, double[] x, int xOff, int ldx, double[] y,
      int yOff, int ldy, boolean accumulate) {
    checkSize("rows", rows);
    checkSize("cols", cols);
    checkMatrix("x", x, xOff, rows, cols, ldx);
    checkMatrix("y", y, yOff, rows, cols, ldy);
    byRows(rows, cols, (r0, r1) -> IMPL.copyBlock(r1 - r0, cols, x, xOff + r0 * ldx, ldx,
        y, yOff + r0 * ldy, ldy, accumulate));
  }

  /** See {@link KernelSupport#power}. */
  public static void power(int n, double c, double p, double[] x, int xOff, double[] y,
      int yOff) {
    checkSize("n", n);
    checkRange("x", x, xOff, n);
    checkRange("y", y, yOff, n);
    byRange(n, (i0, i1) -> IMPL.power(i1 - i0, c, p, x, xOff + i0, y, yOff + i0));
  }
}
