package org.dtheta.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API matrix product behind {@link PanamaKernels#gemm}: one blocked algorithm for
 * every transpose form.
 *
 * <p>{@code op(B)} is copied, a slab of {@code KC} inner rows by {@code NC} columns at a time,
 * into panels of {@code NR} columns padded with zeros to whole vectors, so the micro-kernels
 * read it contiguously whatever its layout and never need masked loads. {@code op(A)} is read in
 * place through two strides (row step, inner step), which covers {@code A} and {@code A^T}
 * alike. A micro-kernel keeps a {@code 4 x NR} (or {@code 1 x NR}) block of {@code C} in
 * registers over the slab and writes it back once, applying {@code alpha}, and {@code beta} on
 * the first slab only (so {@code beta == 0} never reads {@code C}).
 *
 * <p>Data matrices here are mostly zeros (MNIST rows are ~81% zeros), so before each block of
 * four rows of {@code op(A)} the slab is scanned for nonzeros and the cheapest of three plans
 * runs: all inner indices (dense), the indices where any of the four rows is nonzero, or each
 * row alone over its own nonzeros. Dense data is re-scanned only every {@code PROBE_INTERVAL}
 * blocks, so dense inputs pay almost nothing for the check. Skipping zeros of {@code A} means
 * that {@code 0 * Inf} in {@code B} may give 0 rather than NaN, as in the scalar kernels.
 *
 * <p>The micro-kernels are the same loop unrolled by hand for each register shape: the Vector
 * API only keeps vectors in registers when they are plain locals.
 */
final class PanamaGemm {

  private static final VectorSpecies<Double> S = PanamaConstants.SPECIES;
  private static final int L = S.length();
  /** Rows of C per register block. */
  private static final int MR = 4;
  /**
   * Vectors of C columns per register block: 4 x 4 accumulators plus 4 B vectors and a
   * broadcast fit the 32 registers of AVX-512; narrower machines (16 registers) get 4 x 2.
   */
  private static final int NV = S.vectorBitSize() >= 512 ? 4 : 2;
  /** Columns per packed panel. */
  private static final int NR = NV * L;
  /** Most inner indices per slab: a packed panel (KC x NR) stays within L2. */
  private static final int KC = 256;
  /** Most columns per packed slab: KC x NC doubles (512 KiB on AVX-512) sit in L2. */
  private static final int NC = 8 * NR;
  /** Dense blocks skip the nonzero scan for this many blocks minus one. */
  private static final int PROBE_INTERVAL = 8;

  private static final int DENSE = 0;
  private static final int UNION = 1;
  private static final int ROWS = 2;

  /** {@code 0, 1, ..., KC-1}: the index list of a dense slab. */
  private static final int[] ALL = identity(KC);

  private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

  private PanamaGemm() {}

  /**
   * {@code C = beta*C + alpha*op(A)*op(B)} for {@code m, n, k >= 1}; see
   * {@link KernelSupport#gemm}.
   */
  static void gemm(
      boolean transA, boolean transB, int m, int n, int k, double alpha,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double beta, double[] c, int cOff, int ldc) {
    Workspace w = WORKSPACE.get();
    Tile t = w.tile;
    t.bind(c, ldc, alpha);
    int ri = transA ? 1 : lda;
    int ap = transA ? lda : 1;
    // Equal slabs: 784 = 4 x 196 rather than 3 x 256 + 16, whose last slab would be all overhead.
    int slabs = (k + KC - 1) / KC;
    try {
      for (int j0 = 0; j0 < n; j0 += NC) {
        int nc = Math.min(NC, n - j0);
        for (int s = 0; s < slabs; s++) {
          int p0 = (int) ((long) k * s / slabs);
          int kc = (int) ((long) k * (s + 1) / slabs) - p0;
          t.beta = s == 0 ? beta : 1.0;
          packB(transB, b, bOff, ldb, p0, kc, j0, nc, w.packed);
          multiplySlab(w, m, nc, kc, a, aOff + p0 * ap, ri, ap, cOff + j0);
        }
      }
    } finally {
      t.bind(null, 0, 0.0);
    }
  }

  /** All of {@code C[:, j0..j0+nc)} against one packed slab. */
  private static void multiplySlab(
      Workspace w, int m, int nc, int kc, double[] a, int aSlab, int ri, int ap, int cCol) {
    Tile t = w.tile;
    double[] pb = w.packed;
    w.denseCountdown = 0;
    int i = 0;
    for (; i + MR <= m; i += MR) {
      int r0 = aSlab + i * ri;
      int plan = w.plan(a, r0, ri, ap, kc);
      for (int jp = 0; jp < nc; jp += NR) {
        int cols = Math.min(NR, nc - jp);
        int nv = (cols + L - 1) / L;
        int width = nv * L;
        int pbBase = jp * kc;
        t.at(cCol + i * t.ldc + jp, cols);
        if (plan == ROWS) {
          for (int r = 0; r < MR; r++) {
            row1(nv, w.rowIdx, r * KC, w.rowCount[r], a, r0 + r * ri, ap, pb, pbBase, width, t, r);
          }
        } else {
          int[] idx = plan == DENSE ? ALL : w.union;
          int cnt = plan == DENSE ? kc : w.unionCount;
          rows4(nv, idx, cnt, a, r0, ri, ap, pb, pbBase, width, t);
        }
      }
    }
    for (; i < m; i++) {
      int r0 = aSlab + i * ri;
      int cnt = w.planRow(a, r0, ap, kc);
      int[] idx = cnt < 0 ? ALL : w.rowIdx;
      if (cnt < 0) {
        cnt = kc;
      }
      for (int jp = 0; jp < nc; jp += NR) {
        int cols = Math.min(NR, nc - jp);
        int nv = (cols + L - 1) / L;
        t.at(cCol + i * t.ldc + jp, cols);
        row1(nv, idx, 0, cnt, a, r0, ap, pb, jp * kc, nv * L, t, 0);
      }
    }
  }

  /**
   * Copies {@code op(B)[p0..p0+kc, j0..j0+nc)} into panels of {@code NR} columns: panel
   * {@code q} starts at {@code q*NR*kc} and stores row {@code p} at {@code p*width}, its width
   * rounded up to whole vectors with zeros.
   */
  private static void packB(
      boolean transB, double[] b, int bOff, int ldb, int p0, int kc, int j0, int nc,
      double[] dst) {
    for (int jp = 0; jp < nc; jp += NR) {
      int cols = Math.min(NR, nc - jp);
      int width = (cols + L - 1) / L * L;
      int base = jp * kc;
      int col0 = j0 + jp;
      if (!transB) {
        for (int p = 0; p < kc; p++) {
          int d = base + p * width;
          System.arraycopy(b, bOff + (p0 + p) * ldb + col0, dst, d, cols);
          for (int j = cols; j < width; j++) {
            dst[d + j] = 0.0;
          }
        }
      } else {
        // op(B) = B^T: column j of the panel is a contiguous run of row col0 + j of B.
        for (int j = 0; j < width; j++) {
          int src = bOff + (col0 + j) * ldb + p0;
          boolean real = j < cols;
          for (int p = 0; p < kc; p++) {
            dst[base + p * width + j] = real ? b[src + p] : 0.0;
          }
        }
      }
    }
  }

  private static void rows4(
      int nv, int[] idx, int cnt, double[] a, int r0, int ri, int ap, double[] pb, int pbBase,
      int width, Tile t) {
    switch (nv) {
      case 1:
        rows4x1(idx, cnt, a, r0, ri, ap, pb, pbBase, width, t);
        break;
      case 2:
        rows4x2(idx, cnt, a, r0, ri, ap, pb, pbBase, width, t);
        break;
      case 3:
        rows4x3(idx, cnt, a, r0, ri, ap, pb, pbBase, width, t);
        break;
      default:
        rows4x4(idx, cnt, a, r0, ri, ap, pb, pbBase, width, t);
    }
  }

  private static void row1(
      int nv, int[] idx, int idxOff, int cnt, double[] a, int r0, int ap, double[] pb,
      int pbBase, int width, Tile t, int row) {
    switch (nv) {
      case 1:
        row1x1(idx, idxOff, cnt, a, r0, ap, pb, pbBase, width, t, row);
        break;
      case 2:
        row1x2(idx, idxOff, cnt, a, r0, ap, pb, pbBase, width, t, row);
        break;
      case 3:
        row1x3(idx, idxOff, cnt, a, r0, ap, pb, pbBase, width, t, row);
        break;
      default:
        row1x4(idx, idxOff, cnt, a, r0, ap, pb, pbBase, width, t, row);
    }
  }

  /** Four rows of C times 1 vector(s) of columns, over the listed slab rows. */
  private static void rows4x1(
      int[] idx, int cnt, double[] a, int r0, int ri, int ap, double[] pb, int pbBase,
      int width, Tile t) {
    int r1 = r0 + ri;
    int r2 = r1 + ri;
    int r3 = r2 + ri;
    DoubleVector c00 = DoubleVector.zero(S);
    DoubleVector c10 = DoubleVector.zero(S);
    DoubleVector c20 = DoubleVector.zero(S);
    DoubleVector c30 = DoubleVector.zero(S);
    for (int q = 0; q < cnt; q++) {
      int p = idx[q];
      int pa = p * ap;
      int pbp = pbBase + p * width;
      DoubleVector b0 = DoubleVector.fromArray(S, pb, pbp);
      DoubleVector x = DoubleVector.broadcast(S, a[r0 + pa]);
      c00 = b0.fma(x, c00);
      x = DoubleVector.broadcast(S, a[r1 + pa]);
      c10 = b0.fma(x, c10);
      x = DoubleVector.broadcast(S, a[r2 + pa]);
      c20 = b0.fma(x, c20);
      x = DoubleVector.broadcast(S, a[r3 + pa]);
      c30 = b0.fma(x, c30);
    }
    t.put(c00, 0, 0);
    t.put(c10, 1, 0);
    t.put(c20, 2, 0);
    t.put(c30, 3, 0);
  }

  /** Four rows of C times 2 vector(s) of columns, over the listed slab rows. */
  private static void rows4x2(
      int[] idx, int cnt, double[] a, int r0, int ri, int ap, double[] pb, int pbBase,
      int width, Tile t) {
    int r1 = r0 + ri;
    int r2 = r1 + ri;
    int r3 = r2 + ri;
    DoubleVector c00 = DoubleVector.zero(S);
    DoubleVector c01 = DoubleVector.zero(S);
    DoubleVector c10 = DoubleVector.zero(S);
    DoubleVector c11 = DoubleVector.zero(S);
    DoubleVector c20 = DoubleVector.zero(S);
    DoubleVector c21 = DoubleVector.zero(S);
    DoubleVector c30 = DoubleVector.zero(S);
    DoubleVector c31 = DoubleVector.zero(S);
    for (int q = 0; q < cnt; q++) {
      int p = idx[q];
      int pa = p * ap;
      int pbp = pbBase + p * width;
      DoubleVector b0 = DoubleVector.fromArray(S, pb, pbp);
      DoubleVector b1 = DoubleVector.fromArray(S, pb, pbp + L);
      DoubleVector x = DoubleVector.broadcast(S, a[r0 + pa]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      x = DoubleVector.broadcast(S, a[r1 + pa]);
      c10 = b0.fma(x, c10);
      c11 = b1.fma(x, c11);
      x = DoubleVector.broadcast(S, a[r2 + pa]);
      c20 = b0.fma(x, c20);
      c21 = b1.fma(x, c21);
      x = DoubleVector.broadcast(S, a[r3 + pa]);
      c30 = b0.fma(x, c30);
      c31 = b1.fma(x, c31);
    }
    t.put(c00, 0, 0);
    t.put(c01, 0, 1);
    t.put(c10, 1, 0);
    t.put(c11, 1, 1);
    t.put(c20, 2, 0);
    t.put(c21, 2, 1);
    t.put(c30, 3, 0);
    t.put(c31, 3, 1);
  }

  /** Four rows of C times 3 vector(s) of columns, over the listed slab rows. */
  private static void rows4x3(
      int[] idx, int cnt, double[] a, int r0, int ri, int ap, double[] pb, int pbBase,
      int width, Tile t) {
    int r1 = r0 + ri;
    int r2 = r1 + ri;
    int r3 = r2 + ri;
    DoubleVector c00 = DoubleVector.zero(S);
    DoubleVector c01 = DoubleVector.zero(S);
    DoubleVector c02 = DoubleVector.zero(S);
    DoubleVector c10 = DoubleVector.zero(S);
    DoubleVector c11 = DoubleVector.zero(S);
    DoubleVector c12 = DoubleVector.zero(S);
    DoubleVector c20 = DoubleVector.zero(S);
    DoubleVector c21 = DoubleVector.zero(S);
    DoubleVector c22 = DoubleVector.zero(S);
    DoubleVector c30 = DoubleVector.zero(S);
    DoubleVector c31 = DoubleVector.zero(S);
    DoubleVector c32 = DoubleVector.zero(S);
    for (int q = 0; q < cnt; q++) {
      int p = idx[q];
      int pa = p * ap;
      int pbp = pbBase + p * width;
      DoubleVector b0 = DoubleVector.fromArray(S, pb, pbp);
      DoubleVector b1 = DoubleVector.fromArray(S, pb, pbp + L);
      DoubleVector b2 = DoubleVector.fromArray(S, pb, pbp + 2 * L);
      DoubleVector x = DoubleVector.broadcast(S, a[r0 + pa]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      c02 = b2.fma(x, c02);
      x = DoubleVector.broadcast(S, a[r1 + pa]);
      c10 = b0.fma(x, c10);
      c11 = b1.fma(x, c11);
      c12 = b2.fma(x, c12);
      x = DoubleVector.broadcast(S, a[r2 + pa]);
      c20 = b0.fma(x, c20);
      c21 = b1.fma(x, c21);
      c22 = b2.fma(x, c22);
      x = DoubleVector.broadcast(S, a[r3 + pa]);
      c30 = b0.fma(x, c30);
      c31 = b1.fma(x, c31);
      c32 = b2.fma(x, c32);
    }
    t.put(c00, 0, 0);
    t.put(c01, 0, 1);
    t.put(c02, 0, 2);
    t.put(c10, 1, 0);
    t.put(c11, 1, 1);
    t.put(c12, 1, 2);
    t.put(c20, 2, 0);
    t.put(c21, 2, 1);
    t.put(c22, 2, 2);
    t.put(c30, 3, 0);
    t.put(c31, 3, 1);
    t.put(c32, 3, 2);
  }

  /** Four rows of C times 4 vector(s) of columns, over the listed slab rows. */
  private static void rows4x4(
      int[] idx, int cnt, double[] a, int r0, int ri, int ap, double[] pb, int pbBase,
      int width, Tile t) {
    int r1 = r0 + ri;
    int r2 = r1 + ri;
    int r3 = r2 + ri;
    DoubleVector c00 = DoubleVector.zero(S);
    DoubleVector c01 = DoubleVector.zero(S);
    DoubleVector c02 = DoubleVector.zero(S);
    DoubleVector c03 = DoubleVector.zero(S);
    DoubleVector c10 = DoubleVector.zero(S);
    DoubleVector c11 = DoubleVector.zero(S);
    DoubleVector c12 = DoubleVector.zero(S);
    DoubleVector c13 = DoubleVector.zero(S);
    DoubleVector c20 = DoubleVector.zero(S);
    DoubleVector c21 = DoubleVector.zero(S);
    DoubleVector c22 = DoubleVector.zero(S);
    DoubleVector c23 = DoubleVector.zero(S);
    DoubleVector c30 = DoubleVector.zero(S);
    DoubleVector c31 = DoubleVector.zero(S);
    DoubleVector c32 = DoubleVector.zero(S);
    DoubleVector c33 = DoubleVector.zero(S);
    for (int q = 0; q < cnt; q++) {
      int p = idx[q];
      int pa = p * ap;
      int pbp = pbBase + p * width;
      DoubleVector b0 = DoubleVector.fromArray(S, pb, pbp);
      DoubleVector b1 = DoubleVector.fromArray(S, pb, pbp + L);
      DoubleVector b2 = DoubleVector.fromArray(S, pb, pbp + 2 * L);
      DoubleVector b3 = DoubleVector.fromArray(S, pb, pbp + 3 * L);
      DoubleVector x = DoubleVector.broadcast(S, a[r0 + pa]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      c02 = b2.fma(x, c02);
      c03 = b3.fma(x, c03);
      x = DoubleVector.broadcast(S, a[r1 + pa]);
      c10 = b0.fma(x, c10);
      c11 = b1.fma(x, c11);
      c12 = b2.fma(x, c12);
      c13 = b3.fma(x, c13);
      x = DoubleVector.broadcast(S, a[r2 + pa]);
      c20 = b0.fma(x, c20);
      c21 = b1.fma(x, c21);
      c22 = b2.fma(x, c22);
      c23 = b3.fma(x, c23);
      x = DoubleVector.broadcast(S, a[r3 + pa]);
      c30 = b0.fma(x, c30);
      c31 = b1.fma(x, c31);
      c32 = b2.fma(x, c32);
      c33 = b3.fma(x, c33);
    }
    t.put(c00, 0, 0);
    t.put(c01, 0, 1);
    t.put(c02, 0, 2);
    t.put(c03, 0, 3);
    t.put(c10, 1, 0);
    t.put(c11, 1, 1);
    t.put(c12, 1, 2);
    t.put(c13, 1, 3);
    t.put(c20, 2, 0);
    t.put(c21, 2, 1);
    t.put(c22, 2, 2);
    t.put(c23, 2, 3);
    t.put(c30, 3, 0);
    t.put(c31, 3, 1);
    t.put(c32, 3, 2);
    t.put(c33, 3, 3);
  }

  /** One row of C times 1 vector(s) of columns, over the listed slab rows. */
  private static void row1x1(
      int[] idx, int idxOff, int cnt, double[] a, int r0, int ap, double[] pb, int pbBase,
      int width, Tile t, int row) {
    DoubleVector c0 = DoubleVector.zero(S);
    for (int q = idxOff, end = idxOff + cnt; q < end; q++) {
      int p = idx[q];
      int pbp = pbBase + p * width;
      DoubleVector x = DoubleVector.broadcast(S, a[r0 + p * ap]);
      c0 = DoubleVector.fromArray(S, pb, pbp).fma(x, c0);
    }
    t.put(c0, row, 0);
  }

  /** One row of C times 2 vector(s) of columns, over the listed slab rows. */
  private static void row1x2(
      int[] idx, int idxOff, int cnt, double[] a, int r0, int ap, double[] pb, int pbBase,
      int width, Tile t, int row) {
    DoubleVector c0 = DoubleVector.zero(S);
    DoubleVector c1 = DoubleVector.zero(S);
    for (int q = idxOff, end = idxOff + cnt; q < end; q++) {
      int p = idx[q];
      int pbp = pbBase + p * width;
      DoubleVector x = DoubleVector.broadcast(S, a[r0 + p * ap]);
      c0 = DoubleVector.fromArray(S, pb, pbp).fma(x, c0);
      c1 = DoubleVector.fromArray(S, pb, pbp + L).fma(x, c1);
    }
    t.put(c0, row, 0);
    t.put(c1, row, 1);
  }

  /** One row of C times 3 vector(s) of columns, over the listed slab rows. */
  private static void row1x3(
      int[] idx, int idxOff, int cnt, double[] a, int r0, int ap, double[] pb, int pbBase,
      int width, Tile t, int row) {
    DoubleVector c0 = DoubleVector.zero(S);
    DoubleVector c1 = DoubleVector.zero(S);
    DoubleVector c2 = DoubleVector.zero(S);
    for (int q = idxOff, end = idxOff + cnt; q < end; q++) {
      int p = idx[q];
      int pbp = pbBase + p * width;
      DoubleVector x = DoubleVector.broadcast(S, a[r0 + p * ap]);
      c0 = DoubleVector.fromArray(S, pb, pbp).fma(x, c0);
      c1 = DoubleVector.fromArray(S, pb, pbp + L).fma(x, c1);
      c2 = DoubleVector.fromArray(S, pb, pbp + 2 * L).fma(x, c2);
    }
    t.put(c0, row, 0);
    t.put(c1, row, 1);
    t.put(c2, row, 2);
  }

  /** One row of C times 4 vector(s) of columns, over the listed slab rows. */
  private static void row1x4(
      int[] idx, int idxOff, int cnt, double[] a, int r0, int ap, double[] pb, int pbBase,
      int width, Tile t, int row) {
    DoubleVector c0 = DoubleVector.zero(S);
    DoubleVector c1 = DoubleVector.zero(S);
    DoubleVector c2 = DoubleVector.zero(S);
    DoubleVector c3 = DoubleVector.zero(S);
    for (int q = idxOff, end = idxOff + cnt; q < end; q++) {
      int p = idx[q];
      int pbp = pbBase + p * width;
      DoubleVector x = DoubleVector.broadcast(S, a[r0 + p * ap]);
      c0 = DoubleVector.fromArray(S, pb, pbp).fma(x, c0);
      c1 = DoubleVector.fromArray(S, pb, pbp + L).fma(x, c1);
      c2 = DoubleVector.fromArray(S, pb, pbp + 2 * L).fma(x, c2);
      c3 = DoubleVector.fromArray(S, pb, pbp + 3 * L).fma(x, c3);
    }
    t.put(c0, row, 0);
    t.put(c1, row, 1);
    t.put(c2, row, 2);
    t.put(c3, row, 3);
  }

  private static int[] identity(int n) {
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    return idx;
  }

  /**
   * Where a register block of C goes: the write-back of the micro-kernels, {@code C = beta*C +
   * alpha*acc} per vector, through a small buffer for the columns past the last whole vector.
   */
  private static final class Tile {
    private final double[] tail = new double[L];
    private double[] c;
    private int ldc;
    private double alpha;
    private double beta;
    private int off;
    private int cols;

    void bind(double[] c, int ldc, double alpha) {
      this.c = c;
      this.ldc = ldc;
      this.alpha = alpha;
    }

    /** The next block starts at {@code off} in C and has {@code cols} valid columns. */
    void at(int off, int cols) {
      this.off = off;
      this.cols = cols;
    }

    void put(DoubleVector acc, int row, int vec) {
      int at = off + row * ldc + vec * L;
      int valid = cols - vec * L;
      if (valid >= L) {
        DoubleVector scaled = acc.mul(alpha);
        if (beta == 0.0) {
          scaled.intoArray(c, at);
        } else if (beta == 1.0) {
          DoubleVector.fromArray(S, c, at).add(scaled).intoArray(c, at);
        } else {
          DoubleVector.fromArray(S, c, at).fma(DoubleVector.broadcast(S, beta), scaled)
              .intoArray(c, at);
        }
      } else {
        acc.intoArray(tail, 0);
        for (int j = 0; j < valid; j++) {
          double scaled = alpha * tail[j];
          c[at + j] = beta == 0.0 ? scaled : Math.fma(beta, c[at + j], scaled);
        }
      }
    }
  }

  /** Per-thread buffers, so products allocate nothing in steady state. */
  private static final class Workspace {
    final double[] packed = new double[KC * NC];
    final int[] union = new int[KC];
    final int[] rowIdx = new int[MR * KC];
    final int[] rowCount = new int[MR];
    final Tile tile = new Tile();
    int unionCount;
    int denseCountdown;

    /**
     * Scans four rows of {@code op(A)} over the slab and picks the plan with the least work,
     * counted in vector FMAs per panel vector: dense {@code 4 kc}, union {@code 4 u}, rows
     * {@code 1.5 sum} (the one-row kernel does more loads per FMA).
     */
    int plan(double[] a, int r0, int ri, int ap, int kc) {
      if (denseCountdown > 0) {
        denseCountdown--;
        return DENSE;
      }
      int r1 = r0 + ri;
      int r2 = r1 + ri;
      int r3 = r2 + ri;
      int c0 = 0;
      int c1 = KC;
      int c2 = 2 * KC;
      int c3 = 3 * KC;
      int u = 0;
      int[] rows = rowIdx;
      int[] any = union;
      for (int p = 0; p < kc; p++) {
        int pa = p * ap;
        boolean n0 = a[r0 + pa] != 0.0;
        boolean n1 = a[r1 + pa] != 0.0;
        boolean n2 = a[r2 + pa] != 0.0;
        boolean n3 = a[r3 + pa] != 0.0;
        // Branch-free compaction: always write, advance only past nonzeros.
        rows[c0] = p;
        c0 += n0 ? 1 : 0;
        rows[c1] = p;
        c1 += n1 ? 1 : 0;
        rows[c2] = p;
        c2 += n2 ? 1 : 0;
        rows[c3] = p;
        c3 += n3 ? 1 : 0;
        any[u] = p;
        u += (n0 | n1 | n2 | n3) ? 1 : 0;
      }
      rowCount[0] = c0;
      rowCount[1] = c1 - KC;
      rowCount[2] = c2 - 2 * KC;
      rowCount[3] = c3 - 3 * KC;
      unionCount = u;
      int sum = rowCount[0] + rowCount[1] + rowCount[2] + rowCount[3];
      if (3 * sum < 8 * u) {
        return ROWS;
      }
      if (8 * u < 7 * kc) {
        return UNION;
      }
      denseCountdown = PROBE_INTERVAL - 1;
      return DENSE;
    }

    /** The nonzeros of one row into {@code rowIdx}: their count, or -1 when nearly dense. */
    int planRow(double[] a, int r0, int ap, int kc) {
      int cnt = 0;
      for (int p = 0; p < kc; p++) {
        rowIdx[cnt] = p;
        cnt += a[r0 + p * ap] != 0.0 ? 1 : 0;
      }
      return 8 * cnt < 7 * kc ? cnt : -1;
    }
  }
}
