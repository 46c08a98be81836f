package org.dtheta.core.internal.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.dtheta.core.kernel.Parallel;

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
 * row alone over its own nonzeros. Dense data, and data whose zeros save less than the scan
 * costs (narrow C), is re-scanned only every {@code PROBE_INTERVAL} blocks, so dense inputs pay
 * almost nothing for the check. Skipping zeros of {@code A} means
 * that {@code 0 * Inf} in {@code B} may give 0 rather than NaN, as in the scalar kernels.
 *
 * <p>A {@code C} one to two vectors wide (with {@code B} not transposed) goes to
 * {@link PanamaNarrowProducts} instead, which reads {@code B} in place.
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
  /**
   * Most inner indices per slab. Longer slabs mean fewer write-backs of C and fewer kernel
   * calls; 512 keeps the KC x NC slab within L2 (see NC) and did best of the sizes tried.
   */
  private static final int KC = 512;
  /** Most columns per packed slab: KC x NC doubles (512 KiB on AVX-512) stay in L2. */
  private static final int NC = 4 * NR;
  /**
   * {@code A^T} with rows of {@code A} at least this far apart is copied, {@code MC} of its rows
   * at a time, before the micro-kernels read it: read in place, every inner index lands on
   * another cache line (and page), a walk the hardware prefetcher does not follow, so a tall
   * product such as a tangent's {@code Adot^T Cbar} waited on memory latency.
   */
  private static final int PACK_A_MIN_LD = 256;
  /** Rows of {@code op(A)} per packed block: KC x MC doubles (256 KiB) next to the B slab in L2. */
  private static final int MC = 64;
  /** Dense blocks skip the nonzero scan for this many blocks minus one. */
  private static final int PROBE_INTERVAL = 8;

  private static final int DENSE = 0;
  private static final int UNION = 1;
  private static final int ROWS = 2;

  /** Capacity of one index list: a slab, plus the slack that eight-wide appends overrun. */
  private static final int LIST = KC + 8;
  private static final VectorSpecies<Integer> I8 = IntVector.SPECIES_256;
  private static final int[] POSITIONS = positions();
  /** {@code 0..7} as longs when a vector holds exactly eight doubles, else null (scalar scan). */
  private static final LongVector LANE_SHIFTS =
      L == 8
          ? LongVector.fromArray(VectorSpecies.of(long.class, S.vectorShape()),
              new long[] {0, 1, 2, 3, 4, 5, 6, 7}, 0)
          : null;

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
    int ri = transA ? 1 : lda;
    int ap = transA ? lda : 1;
    if (PanamaNarrowProducts.suits(transB, n)) {
      PanamaNarrowProducts.multiply(m, n, k, alpha, a, aOff, ri, ap, b, bOff, ldb, beta, c, cOff, ldc);
      return;
    }
    Workspace w = WORKSPACE.get();
    Tile t = w.tile;
    t.bind(c, ldc, alpha);
    // Equal slabs: 784 = 2 x 392 rather than 512 + 272; a short last slab is mostly overhead.
    int slabs = (k + KC - 1) / KC;
    try {
      for (int j0 = 0; j0 < n; j0 += NC) {
        int nc = Math.min(NC, n - j0);
        for (int s = 0; s < slabs; s++) {
          int p0 = Parallel.bandStart(k, s, slabs);
          int kc = Parallel.bandStart(k, s + 1, slabs) - p0;
          t.beta = s == 0 ? beta : 1.0;
          packB(transB, b, bOff, ldb, p0, kc, j0, nc, w.packed);
          int aSlab = aOff + p0 * ap;
          if (transA && lda >= PACK_A_MIN_LD) {
            for (int i0 = 0; i0 < m; i0 += MC) {
              int mc = Math.min(MC, m - i0);
              for (int p = 0; p < kc; p++) {
                System.arraycopy(a, aSlab + i0 + p * lda, w.packedA, p * mc, mc);
              }
              multiplySlab(w, mc, nc, kc, w.packedA, 0, 1, mc, cOff + i0 * ldc + j0);
            }
          } else {
            multiplySlab(w, m, nc, kc, a, aSlab, ri, ap, cOff + j0);
          }
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
      int plan = w.plan(a, r0, ri, ap, kc, (nc + L - 1) / L);
      for (int jp = 0; jp < nc; jp += NR) {
        int cols = Math.min(NR, nc - jp);
        int nv = (cols + L - 1) / L;
        int width = nv * L;
        int pbBase = jp * kc;
        if (plan == ROWS) {
          for (int r = 0; r < MR; r++) {
            row1(nv, w.rowIdx, r * LIST, w.rowCount[r], a, r0 + r * ri, ap, pb, pbBase, width,
                t.acc, r);
          }
        } else {
          int[] idx = plan == DENSE ? null : w.union;
          int cnt = plan == DENSE ? kc : w.unionCount;
          rows4(nv, idx, cnt, a, r0, ri, ap, pb, pbBase, width, t.acc);
        }
        t.flush(cCol + i * t.ldc + jp, MR, cols);
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
        row1(nv, idx, 0, cnt, a, r0, ap, pb, jp * kc, nv * L, t.acc, 0);
        t.flush(cCol + i * t.ldc + jp, 1, cols);
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

  /**
   * The four-row kernel for {@code nv} vectors, over the listed slab rows or, with a null
   * list, over all {@code cnt} of them (a loop without the index load, written out because
   * the JIT's own loop unswitching recovered less of it on dense data).
   */
  private static void rows4(
      int nv, int[] idx, int cnt, double[] a, int r0, int ri, int ap, double[] pb, int pbBase,
      int width, double[] acc) {
    if (idx == null) {
      switch (nv) {
        case 1:
          rows4x1All(cnt, a, r0, ri, ap, pb, pbBase, width, acc);
          break;
        case 2:
          rows4x2All(cnt, a, r0, ri, ap, pb, pbBase, width, acc);
          break;
        case 3:
          rows4x3All(cnt, a, r0, ri, ap, pb, pbBase, width, acc);
          break;
        default:
          rows4x4All(cnt, a, r0, ri, ap, pb, pbBase, width, acc);
      }
      return;
    }
    switch (nv) {
      case 1:
        rows4x1(idx, cnt, a, r0, ri, ap, pb, pbBase, width, acc);
        break;
      case 2:
        rows4x2(idx, cnt, a, r0, ri, ap, pb, pbBase, width, acc);
        break;
      case 3:
        rows4x3(idx, cnt, a, r0, ri, ap, pb, pbBase, width, acc);
        break;
      default:
        rows4x4(idx, cnt, a, r0, ri, ap, pb, pbBase, width, acc);
    }
  }

  private static void row1(
      int nv, int[] idx, int idxOff, int cnt, double[] a, int r0, int ap, double[] pb,
      int pbBase, int width, double[] acc, int row) {
    switch (nv) {
      case 1:
        row1x1(idx, idxOff, cnt, a, r0, ap, pb, pbBase, width, acc, row);
        break;
      case 2:
        row1x2(idx, idxOff, cnt, a, r0, ap, pb, pbBase, width, acc, row);
        break;
      case 3:
        row1x3(idx, idxOff, cnt, a, r0, ap, pb, pbBase, width, acc, row);
        break;
      default:
        row1x4(idx, idxOff, cnt, a, r0, ap, pb, pbBase, width, acc, row);
    }
  }

  /** Four rows of C times 1 vector(s) of columns, over the listed slab rows. */
  private static void rows4x1(
      int[] idx, int cnt, double[] a, int r0, int ri, int ap, double[] pb, int pbBase,
      int width, double[] acc) {
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
    c00.intoArray(acc, 0 * NR + 0 * L);
    c10.intoArray(acc, 1 * NR + 0 * L);
    c20.intoArray(acc, 2 * NR + 0 * L);
    c30.intoArray(acc, 3 * NR + 0 * L);
  }

  /** Four rows of C times 2 vector(s) of columns, over the listed slab rows. */
  private static void rows4x2(
      int[] idx, int cnt, double[] a, int r0, int ri, int ap, double[] pb, int pbBase,
      int width, double[] acc) {
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
    c00.intoArray(acc, 0 * NR + 0 * L);
    c01.intoArray(acc, 0 * NR + 1 * L);
    c10.intoArray(acc, 1 * NR + 0 * L);
    c11.intoArray(acc, 1 * NR + 1 * L);
    c20.intoArray(acc, 2 * NR + 0 * L);
    c21.intoArray(acc, 2 * NR + 1 * L);
    c30.intoArray(acc, 3 * NR + 0 * L);
    c31.intoArray(acc, 3 * NR + 1 * L);
  }

  /** Four rows of C times 3 vector(s) of columns, over the listed slab rows. */
  private static void rows4x3(
      int[] idx, int cnt, double[] a, int r0, int ri, int ap, double[] pb, int pbBase,
      int width, double[] acc) {
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
    c00.intoArray(acc, 0 * NR + 0 * L);
    c01.intoArray(acc, 0 * NR + 1 * L);
    c02.intoArray(acc, 0 * NR + 2 * L);
    c10.intoArray(acc, 1 * NR + 0 * L);
    c11.intoArray(acc, 1 * NR + 1 * L);
    c12.intoArray(acc, 1 * NR + 2 * L);
    c20.intoArray(acc, 2 * NR + 0 * L);
    c21.intoArray(acc, 2 * NR + 1 * L);
    c22.intoArray(acc, 2 * NR + 2 * L);
    c30.intoArray(acc, 3 * NR + 0 * L);
    c31.intoArray(acc, 3 * NR + 1 * L);
    c32.intoArray(acc, 3 * NR + 2 * L);
  }

  /** Four rows of C times 4 vector(s) of columns, over the listed slab rows. */
  private static void rows4x4(
      int[] idx, int cnt, double[] a, int r0, int ri, int ap, double[] pb, int pbBase,
      int width, double[] acc) {
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
    c00.intoArray(acc, 0 * NR + 0 * L);
    c01.intoArray(acc, 0 * NR + 1 * L);
    c02.intoArray(acc, 0 * NR + 2 * L);
    c03.intoArray(acc, 0 * NR + 3 * L);
    c10.intoArray(acc, 1 * NR + 0 * L);
    c11.intoArray(acc, 1 * NR + 1 * L);
    c12.intoArray(acc, 1 * NR + 2 * L);
    c13.intoArray(acc, 1 * NR + 3 * L);
    c20.intoArray(acc, 2 * NR + 0 * L);
    c21.intoArray(acc, 2 * NR + 1 * L);
    c22.intoArray(acc, 2 * NR + 2 * L);
    c23.intoArray(acc, 2 * NR + 3 * L);
    c30.intoArray(acc, 3 * NR + 0 * L);
    c31.intoArray(acc, 3 * NR + 1 * L);
    c32.intoArray(acc, 3 * NR + 2 * L);
    c33.intoArray(acc, 3 * NR + 3 * L);
  }

  /** As {@link #rows4x1} over every slab row: no index list to load. */
  private static void rows4x1All(
      int cnt, double[] a, int r0, int ri, int ap, double[] pb, int pbBase,
      int width, double[] acc) {
    int r1 = r0 + ri;
    int r2 = r1 + ri;
    int r3 = r2 + ri;
    DoubleVector c00 = DoubleVector.zero(S);
    DoubleVector c10 = DoubleVector.zero(S);
    DoubleVector c20 = DoubleVector.zero(S);
    DoubleVector c30 = DoubleVector.zero(S);
    for (int p = 0; p < cnt; p++) {
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
    c00.intoArray(acc, 0 * NR + 0 * L);
    c10.intoArray(acc, 1 * NR + 0 * L);
    c20.intoArray(acc, 2 * NR + 0 * L);
    c30.intoArray(acc, 3 * NR + 0 * L);
  }

  /** As {@link #rows4x2} over every slab row: no index list to load. */
  private static void rows4x2All(
      int cnt, double[] a, int r0, int ri, int ap, double[] pb, int pbBase,
      int width, double[] acc) {
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
    for (int p = 0; p < cnt; p++) {
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
    c00.intoArray(acc, 0 * NR + 0 * L);
    c01.intoArray(acc, 0 * NR + 1 * L);
    c10.intoArray(acc, 1 * NR + 0 * L);
    c11.intoArray(acc, 1 * NR + 1 * L);
    c20.intoArray(acc, 2 * NR + 0 * L);
    c21.intoArray(acc, 2 * NR + 1 * L);
    c30.intoArray(acc, 3 * NR + 0 * L);
    c31.intoArray(acc, 3 * NR + 1 * L);
  }

  /** As {@link #rows4x3} over every slab row: no index list to load. */
  private static void rows4x3All(
      int cnt, double[] a, int r0, int ri, int ap, double[] pb, int pbBase,
      int width, double[] acc) {
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
    for (int p = 0; p < cnt; p++) {
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
    c00.intoArray(acc, 0 * NR + 0 * L);
    c01.intoArray(acc, 0 * NR + 1 * L);
    c02.intoArray(acc, 0 * NR + 2 * L);
    c10.intoArray(acc, 1 * NR + 0 * L);
    c11.intoArray(acc, 1 * NR + 1 * L);
    c12.intoArray(acc, 1 * NR + 2 * L);
    c20.intoArray(acc, 2 * NR + 0 * L);
    c21.intoArray(acc, 2 * NR + 1 * L);
    c22.intoArray(acc, 2 * NR + 2 * L);
    c30.intoArray(acc, 3 * NR + 0 * L);
    c31.intoArray(acc, 3 * NR + 1 * L);
    c32.intoArray(acc, 3 * NR + 2 * L);
  }

  /** As {@link #rows4x4} over every slab row: no index list to load. */
  private static void rows4x4All(
      int cnt, double[] a, int r0, int ri, int ap, double[] pb, int pbBase,
      int width, double[] acc) {
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
    for (int p = 0; p < cnt; p++) {
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
    c00.intoArray(acc, 0 * NR + 0 * L);
    c01.intoArray(acc, 0 * NR + 1 * L);
    c02.intoArray(acc, 0 * NR + 2 * L);
    c03.intoArray(acc, 0 * NR + 3 * L);
    c10.intoArray(acc, 1 * NR + 0 * L);
    c11.intoArray(acc, 1 * NR + 1 * L);
    c12.intoArray(acc, 1 * NR + 2 * L);
    c13.intoArray(acc, 1 * NR + 3 * L);
    c20.intoArray(acc, 2 * NR + 0 * L);
    c21.intoArray(acc, 2 * NR + 1 * L);
    c22.intoArray(acc, 2 * NR + 2 * L);
    c23.intoArray(acc, 2 * NR + 3 * L);
    c30.intoArray(acc, 3 * NR + 0 * L);
    c31.intoArray(acc, 3 * NR + 1 * L);
    c32.intoArray(acc, 3 * NR + 2 * L);
    c33.intoArray(acc, 3 * NR + 3 * L);
  }

  /** One row of C times 1 vector(s) of columns, over the listed slab rows. */
  private static void row1x1(
      int[] idx, int idxOff, int cnt, double[] a, int r0, int ap, double[] pb, int pbBase,
      int width, double[] acc, int row) {
    DoubleVector c0 = DoubleVector.zero(S);
    for (int q = idxOff, end = idxOff + cnt; q < end; q++) {
      int p = idx[q];
      int pbp = pbBase + p * width;
      DoubleVector x = DoubleVector.broadcast(S, a[r0 + p * ap]);
      c0 = DoubleVector.fromArray(S, pb, pbp).fma(x, c0);
    }
    c0.intoArray(acc, row * NR + 0 * L);
  }

  /** One row of C times 2 vector(s) of columns, over the listed slab rows. */
  private static void row1x2(
      int[] idx, int idxOff, int cnt, double[] a, int r0, int ap, double[] pb, int pbBase,
      int width, double[] acc, int row) {
    DoubleVector c0 = DoubleVector.zero(S);
    DoubleVector c1 = DoubleVector.zero(S);
    for (int q = idxOff, end = idxOff + cnt; q < end; q++) {
      int p = idx[q];
      int pbp = pbBase + p * width;
      DoubleVector x = DoubleVector.broadcast(S, a[r0 + p * ap]);
      c0 = DoubleVector.fromArray(S, pb, pbp).fma(x, c0);
      c1 = DoubleVector.fromArray(S, pb, pbp + L).fma(x, c1);
    }
    c0.intoArray(acc, row * NR + 0 * L);
    c1.intoArray(acc, row * NR + 1 * L);
  }

  /** One row of C times 3 vector(s) of columns, over the listed slab rows. */
  private static void row1x3(
      int[] idx, int idxOff, int cnt, double[] a, int r0, int ap, double[] pb, int pbBase,
      int width, double[] acc, int row) {
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
    c0.intoArray(acc, row * NR + 0 * L);
    c1.intoArray(acc, row * NR + 1 * L);
    c2.intoArray(acc, row * NR + 2 * L);
  }

  /** One row of C times 4 vector(s) of columns, over the listed slab rows. */
  private static void row1x4(
      int[] idx, int idxOff, int cnt, double[] a, int r0, int ap, double[] pb, int pbBase,
      int width, double[] acc, int row) {
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
    c0.intoArray(acc, row * NR + 0 * L);
    c1.intoArray(acc, row * NR + 1 * L);
    c2.intoArray(acc, row * NR + 2 * L);
    c3.intoArray(acc, row * NR + 3 * L);
  }


  /**
   * The patterns of eight contiguous entries of four rows in one vector reduction: byte
   * {@code r} of the result is {@link #pattern8} of row {@code r}.
   */
  private static int patterns4x8(double[] a, int o0, int o1, int o2, int o3) {
    LongVector bits = nonzeroLanes(a, o0)
        .or(nonzeroLanes(a, o1).lanewise(VectorOperators.LSHL, 8))
        .or(nonzeroLanes(a, o2).lanewise(VectorOperators.LSHL, 16))
        .or(nonzeroLanes(a, o3).lanewise(VectorOperators.LSHL, 24));
    return (int) bits.lanewise(VectorOperators.LSHL, LANE_SHIFTS).reduceLanes(VectorOperators.OR);
  }

  /** 1 in each lane whose double is nonzero (not +-0.0), else 0. */
  private static LongVector nonzeroLanes(double[] a, int off) {
    LongVector magnitude =
        DoubleVector.fromArray(S, a, off).reinterpretAsLongs().lanewise(VectorOperators.LSHL, 1);
    return magnitude.or(magnitude.neg()).lanewise(VectorOperators.LSHR, 63);
  }

  /** Bit {@code e} set when {@code a[off + e*step]} is nonzero, for {@code e < 8}. */
  private static int pattern8(double[] a, int off, int step) {
    if (step == 1 && LANE_SHIFTS != null) {
      // One vector: 0/1 per lane, moved to bit e, OR-ed together.
      return (int) nonzeroLanes(a, off)
          .lanewise(VectorOperators.LSHL, LANE_SHIFTS)
          .reduceLanes(VectorOperators.OR);
    }
    return nonzero(a[off])
        | nonzero(a[off + step]) << 1
        | nonzero(a[off + 2 * step]) << 2
        | nonzero(a[off + 3 * step]) << 3
        | nonzero(a[off + 4 * step]) << 4
        | nonzero(a[off + 5 * step]) << 5
        | nonzero(a[off + 6 * step]) << 6
        | nonzero(a[off + 7 * step]) << 7;
  }

  /**
   * Appends {@code p + e} for each bit {@code e} of {@code pattern} to {@code list} at
   * {@code count} (writing eight slots whatever the count: lists have that much slack).
   */
  private static int append(int pattern, int p, int[] list, int count) {
    IntVector.fromArray(I8, POSITIONS, pattern * 8).add(p).intoArray(list, count);
    return count + Integer.bitCount(pattern);
  }

  /** Row {@code b} lists the set bits of the byte {@code b}, padded with zeros. */
  private static int[] positions() {
    int[] table = new int[256 * 8];
    for (int b = 0; b < 256; b++) {
      int n = 0;
      for (int e = 0; e < 8; e++) {
        if ((b & (1 << e)) != 0) {
          table[b * 8 + n++] = e;
        }
      }
    }
    return table;
  }

  /**
   * 1 unless {@code x} is +0.0 or -0.0 (NaN counts as nonzero, so it still propagates), in
   * integer arithmetic: a comparison would compile to a branch.
   */
  private static int nonzero(double x) {
    long magnitude = Double.doubleToRawLongBits(x) << 1;
    return (int) ((magnitude | -magnitude) >>> 63);
  }

  private static int[] identity(int n) {
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    return idx;
  }

  /**
   * Where a register block of C goes. The micro-kernels park their accumulators in {@link #acc}
   * (a few vector stores, hot in L1) and one loop here writes them back, {@code C = beta*C +
   * alpha*acc}: sixteen inlined write-backs per kernel would exceed the JIT's inlining budget,
   * and every one left out of line boxes its vector.
   */
  private static final class Tile {
    /** {@code MR x NR} accumulators, row-major. */
    final double[] acc = new double[MR * NR];
    private double[] c;
    private int ldc;
    private double alpha;
    private double beta;

    void bind(double[] c, int ldc, double alpha) {
      this.c = c;
      this.ldc = ldc;
      this.alpha = alpha;
    }

    /** Writes back {@code rows x cols} accumulators to C starting at {@code off}. */
    void flush(int off, int rows, int cols) {
      int whole = cols / L * L;
      DoubleVector va = DoubleVector.broadcast(S, alpha);
      for (int r = 0; r < rows; r++) {
        int cRow = off + r * ldc;
        int aRow = r * NR;
        int j = 0;
        if (beta == 0.0) {
          for (; j < whole; j += L) {
            DoubleVector.fromArray(S, acc, aRow + j).mul(va).intoArray(c, cRow + j);
          }
          for (; j < cols; j++) {
            c[cRow + j] = alpha * acc[aRow + j];
          }
        } else {
          DoubleVector vb = DoubleVector.broadcast(S, beta);
          for (; j < whole; j += L) {
            DoubleVector old = DoubleVector.fromArray(S, c, cRow + j);
            DoubleVector.fromArray(S, acc, aRow + j).mul(va).add(old.mul(vb)).intoArray(c, cRow + j);
          }
          for (; j < cols; j++) {
            c[cRow + j] = alpha * acc[aRow + j] + beta * c[cRow + j];
          }
        }
      }
    }
  }

  /** Per-thread buffers, so products allocate nothing in steady state. */
  private static final class Workspace {
    final double[] packed = new double[KC * NC];
    /** Rows of a strided {@code A^T}, {@code MC} at a time, each inner index's run contiguous. */
    final double[] packedA = new double[KC * MC];
    final int[] union = new int[LIST];
    final int[] rowIdx = new int[MR * LIST];
    final int[] rowCount = new int[MR];
    final Tile tile = new Tile();
    int unionCount;
    int denseCountdown;

    /**
     * Scans four rows of {@code op(A)} over the slab and picks the plan with the least work
     * for {@code vectors} vectors of C columns, in rough cycles of a Zen 4 core: dense
     * {@code 4 kc vectors} (one FMA a cycle), union {@code 4 u vectors}, rows {@code 2 sum
     * vectors} (the one-row kernel waits on L2 for B). When skipping zeros does not save more
     * than the scan costs ({@code 3} a entry, {@code 5} when strided), the next blocks run dense
     * without scanning, as they do after a dense block.
     */
    int plan(double[] a, int r0, int ri, int ap, int kc, int vectors) {
      if (denseCountdown > 0) {
        denseCountdown--;
        return DENSE;
      }
      int r1 = r0 + ri;
      int r2 = r1 + ri;
      int r3 = r2 + ri;
      int c0 = 0;
      int c1 = LIST;
      int c2 = 2 * LIST;
      int c3 = 3 * LIST;
      int u = 0;
      int[] rows = rowIdx;
      int[] any = union;
      int p = 0;
      // Eight indices at a time: the nonzero pattern as a byte, then a table row of its
      // positions shifted by p is stored whole and the count advanced by the popcount.
      for (; p + 8 <= kc; p += 8) {
        int pa = p * ap;
        int b0;
        int b1;
        int b2;
        int b3;
        if (ap == 1 && LANE_SHIFTS != null) {
          int all = patterns4x8(a, r0 + p, r1 + p, r2 + p, r3 + p);
          b0 = all & 0xff;
          b1 = (all >>> 8) & 0xff;
          b2 = (all >>> 16) & 0xff;
          b3 = all >>> 24;
        } else {
          b0 = pattern8(a, r0 + pa, ap);
          b1 = pattern8(a, r1 + pa, ap);
          b2 = pattern8(a, r2 + pa, ap);
          b3 = pattern8(a, r3 + pa, ap);
        }
        c0 = append(b0, p, rows, c0);
        c1 = append(b1, p, rows, c1);
        c2 = append(b2, p, rows, c2);
        c3 = append(b3, p, rows, c3);
        u = append(b0 | b1 | b2 | b3, p, any, u);
      }
      for (; p < kc; p++) {
        int pa = p * ap;
        int n0 = nonzero(a[r0 + pa]);
        int n1 = nonzero(a[r1 + pa]);
        int n2 = nonzero(a[r2 + pa]);
        int n3 = nonzero(a[r3 + pa]);
        rows[c0] = p;
        c0 += n0;
        rows[c1] = p;
        c1 += n1;
        rows[c2] = p;
        c2 += n2;
        rows[c3] = p;
        c3 += n3;
        any[u] = p;
        u += n0 | n1 | n2 | n3;
      }
      rowCount[0] = c0;
      rowCount[1] = c1 - LIST;
      rowCount[2] = c2 - 2 * LIST;
      rowCount[3] = c3 - 3 * LIST;
      unionCount = u;
      int sum = rowCount[0] + rowCount[1] + rowCount[2] + rowCount[3];
      long dense = 4L * kc * vectors;
      long rowsCost = 2L * sum * vectors;
      long unionCost = 4L * u * vectors;
      long scan = 4L * kc * (ap == 1 ? 3 : 5);
      if (Math.min(rowsCost, unionCost) + scan >= dense) {
        denseCountdown = PROBE_INTERVAL - 1;
      }
      if (rowsCost <= unionCost && rowsCost < dense) {
        return ROWS;
      }
      return unionCost < dense ? UNION : DENSE;
    }

    /** The nonzeros of one row into {@code rowIdx}: their count, or -1 when nearly dense. */
    int planRow(double[] a, int r0, int ap, int kc) {
      int cnt = 0;
      int p = 0;
      for (; p + 8 <= kc; p += 8) {
        cnt = append(pattern8(a, r0 + p * ap, ap), p, rowIdx, cnt);
      }
      for (; p < kc; p++) {
        rowIdx[cnt] = p;
        cnt += nonzero(a[r0 + p * ap]);
      }
      return 8 * cnt < 7 * kc ? cnt : -1;
    }
  }
}
