package org.dtheta.core.linalg;

import java.util.random.RandomGenerator;
import org.dtheta.core.kernel.Kernels;

/**
 * Gram-Schmidt QR for long vectors, the one orthonormalisation used by both Lanczos (full
 * reorthogonalisation of each new block against the whole Krylov basis) and the Lyapunov QR
 * step.
 *
 * <p>Vectors are rows of length {@code n}, stored contiguously, so that every inner loop is a
 * {@link Kernels#dot}/{@link Kernels#axpy} over contiguous memory and the projection onto a stored
 * basis is two matrix products ({@link Kernels#gemm}). Projection is classical Gram-Schmidt done
 * twice ("twice is enough", Giraud et al. 2005), plus a further pass for any row that a pass
 * shrinks below {@code 1/sqrt 2} of its length (the Daniel-Gragg-Kaufman-Stewart test), which is
 * what keeps the basis orthonormal to working precision even when a row nearly lies in the span.
 */
public final class Orthonormalizer {

  /** DGKS threshold: a pass that shrinks a row below this fraction has lost digits; repeat it. */
  private static final double REPEAT_BELOW = 0.7071067811865476;

  /** Extra passes allowed for rows that keep shrinking (they are then declared dependent). */
  private static final int MAX_EXTRA_PASSES = 2;

  private Orthonormalizer() {}

  /**
   * QR of the {@code count} rows {@code rows[rowsOff + c*n ...]} in place, after projecting them
   * off the first {@code basisCount} rows of {@code basis} (orthonormal, offset 0; may be the
   * same array as {@code rows} if the regions do not overlap). On return, with {@code q_c} the
   * new rows and {@code b_i} the basis rows, every original row satisfies
   *
   * <pre>  row_c = sum_i projections[i*count + c] b_i + sum_(c' &lt;= c) r[c'*count + c] q_c'</pre>
   *
   * <p>A row whose remaining length is at most {@code dependenceTolerance} times its original
   * length (0 catches exact zeros only) is dependent: its diagonal entry of {@code r} is set to
   * exactly 0 and the row is replaced by a unit vector drawn from {@code replacements} and
   * orthogonalised against everything before it, so the rows stay an orthonormal set; when
   * {@code replacements} is null or there is no room left in {@code R^n}, it is set to zero.
   *
   * @param projections {@code basisCount x count} output, or null when not needed
   * @param r {@code count x count} output, upper triangular
   * @return the number of dependent rows
   */
  public static int orthonormalizeRows(double[] rows, int rowsOff, int count, int n,
      double[] basis, int basisCount, double[] projections, double[] r,
      double dependenceTolerance, RandomGenerator replacements) {
    checkArguments(rows, rowsOff, count, n, basis, basisCount, projections, r, dependenceTolerance);
    java.util.Arrays.fill(r, 0, count * count, 0.0);
    if (projections != null) {
      java.util.Arrays.fill(projections, 0, basisCount * count, 0.0);
    }
    double[] originalNorms = new double[count];
    double[] normsAfterFirstPass = new double[count];
    for (int c = 0; c < count; c++) {
      originalNorms[c] = norm(rows, rowsOff + c * n, n);
      if (!Double.isFinite(originalNorms[c])) {
        throw new IllegalArgumentException(
            "orthonormalizeRows: row " + c + " has a non-finite entry");
      }
    }
    if (basisCount > 0 && count > 0) {
      double[] coefficients = new double[basisCount * count];
      for (int pass = 0; pass < 2; pass++) {
        projectOffBasis(rows, rowsOff, count, n, basis, basisCount, coefficients, projections);
        if (pass == 0) {
          for (int c = 0; c < count; c++) {
            normsAfterFirstPass[c] = norm(rows, rowsOff + c * n, n);
          }
        }
      }
    } else {
      System.arraycopy(originalNorms, 0, normsAfterFirstPass, 0, count);
    }
    Projector projector = new Projector(rows, rowsOff, count, n, basis, basisCount);
    int dependent = 0;
    for (int c = 0; c < count; c++) {
      int off = rowsOff + c * n;
      // One pass against the finished rows; the DGKS loop below repeats it (and the basis
      // pass) only when it cancelled enough to have lost digits.
      projector.projectOffEarlierRows(c, r);
      double length = norm(rows, off, n);
      double reference = normsAfterFirstPass[c];
      for (int extra = 0; extra < MAX_EXTRA_PASSES && length < REPEAT_BELOW * reference
          && length > dependenceTolerance * originalNorms[c]; extra++) {
        reference = length;
        projector.projectOffBasis(c, projections);
        projector.projectOffEarlierRows(c, r);
        length = norm(rows, off, n);
      }
      if (length > dependenceTolerance * originalNorms[c] && length > 0.0) {
        Kernels.scale(n, 1.0 / length, rows, off);
        r[c * count + c] = length;
      } else {
        dependent++;
        r[c * count + c] = 0.0;
        projector.replace(c, replacements);
      }
    }
    return dependent;
  }

  /**
   * QR of the {@code m} columns of the {@code n x m} row-major matrix {@code a} (the layout of
   * {@link org.dtheta.core.linalg.LinearMap}): on return {@code a} holds {@code Q} with orthonormal columns
   * and {@code r} ({@code m x m}) the upper triangular factor, {@code A = Q R}. Dependent columns
   * (see {@link #orthonormalizeRows} for {@code dependenceTolerance}) get {@code R_ii = 0} and a
   * replacement column from {@code replacements} (zero when it is null).
   *
   * @return the number of dependent columns
   */
  public static int qrColumns(double[] a, int n, int m, double[] r, double dependenceTolerance,
      RandomGenerator replacements) {
    if (a.length < (long) n * m) {
      throw new IllegalArgumentException(
          "qrColumns: a must hold " + n + "x" + m + " entries, has " + a.length);
    }
    double[] rows = new double[n * m];
    Kernels.transpose(n, m, a, 0, m, rows, 0, n);
    int dependent = orthonormalizeRows(rows, 0, m, n, rows, 0, null, r,
        dependenceTolerance, replacements);
    Kernels.transpose(m, n, rows, 0, n, a, 0, m);
    return dependent;
  }

  /** Euclidean length of {@code x[off..off+n)}. */
  static double norm(double[] x, int off, int n) {
    return Math.sqrt(Kernels.dot(n, x, off, x, off));
  }

  /**
   * One classical Gram-Schmidt pass of all rows against the basis as two matrix products:
   * {@code C = B X^T}, {@code X -= C^T B}; adds {@code C} into {@code sink} when not null.
   */
  private static void projectOffBasis(double[] rows, int rowsOff, int count, int n,
      double[] basis, int basisCount, double[] coefficients, double[] sink) {
    Kernels.gemm(false, true, basisCount, count, n, 1.0, basis, 0, n, rows, rowsOff, n,
        0.0, coefficients, 0, count);
    Kernels.gemm(true, false, count, n, basisCount, -1.0, coefficients, 0, count, basis, 0, n,
        1.0, rows, rowsOff, n);
    if (sink != null) {
      Kernels.axpy(basisCount * count, 1.0, coefficients, 0, sink, 0);
    }
  }

  /** Per-row projections: one row against the basis and against the rows already finished. */
  private static final class Projector {
    private final double[] rows;
    private final int rowsOff;
    private final int count;
    private final int n;
    private final double[] basis;
    private final int basisCount;
    private final double[] coefficients;

    Projector(double[] rows, int rowsOff, int count, int n, double[] basis, int basisCount) {
      this.rows = rows;
      this.rowsOff = rowsOff;
      this.count = count;
      this.n = n;
      this.basis = basis;
      this.basisCount = basisCount;
      this.coefficients = new double[Math.max(1, basisCount)];
    }

    /** Row {@code c} minus its components along rows {@code 0..c-1}; adds them to {@code r}. */
    void projectOffEarlierRows(int c, double[] r) {
      int off = rowsOff + c * n;
      for (int e = 0; e < c; e++) {
        int eOff = rowsOff + e * n;
        double h = Kernels.dot(n, rows, eOff, rows, off);
        if (r != null) {
          r[e * count + c] += h;
        }
        Kernels.axpy(n, -h, rows, eOff, rows, off);
      }
    }

    /** Row {@code c} minus its components along the basis; adds them to column c of the sink. */
    void projectOffBasis(int c, double[] sink) {
      if (basisCount == 0) {
        return;
      }
      int off = rowsOff + c * n;
      Kernels.gemm(false, true, basisCount, 1, n, 1.0, basis, 0, n, rows, off, n,
          0.0, coefficients, 0, 1);
      Kernels.gemm(true, false, 1, n, basisCount, -1.0, coefficients, 0, 1, basis, 0, n,
          1.0, rows, off, n);
      if (sink != null) {
        for (int i = 0; i < basisCount; i++) {
          sink[i * count + c] += coefficients[i];
        }
      }
    }

    /**
     * Replaces dependent row {@code c} by a random unit vector orthogonal to the basis and to
     * rows {@code 0..c-1}, or by zero when that is impossible. Its projections are not recorded:
     * the original row is already fully described by the coefficients found so far.
     */
    void replace(int c, RandomGenerator replacements) {
      int off = rowsOff + c * n;
      Kernels.fill(n, 0.0, rows, off);
      if (replacements == null || basisCount + c >= n) {
        return;
      }
      for (int i = 0; i < n; i++) {
        rows[off + i] = replacements.nextGaussian();
      }
      for (int pass = 0; pass < 3; pass++) {
        projectOffBasis(c, null);
        projectOffEarlierRows(c, null);
      }
      double length = norm(rows, off, n);
      if (length > 0.0) {
        Kernels.scale(n, 1.0 / length, rows, off);
      }
    }
  }

  private static void checkArguments(double[] rows, int rowsOff, int count, int n,
      double[] basis, int basisCount, double[] projections, double[] r,
      double dependenceTolerance) {
    if (count < 0 || n < 1 || rowsOff < 0 || (long) rowsOff + (long) count * n > rows.length) {
      throw new IllegalArgumentException("orthonormalizeRows: rows: " + count + " rows of length "
          + n + " at offset " + rowsOff + " do not fit in an array of " + rows.length);
    }
    if (basisCount < 0 || (long) basisCount * n > basis.length) {
      throw new IllegalArgumentException("orthonormalizeRows: basis: " + basisCount
          + " rows of length " + n + " do not fit in an array of " + basis.length);
    }
    if (basis == rows && basisCount > 0 && rowsOff < basisCount * n) {
      throw new IllegalArgumentException(
          "orthonormalizeRows: rows at offset " + rowsOff + " overlap the basis");
    }
    if (projections != null && projections.length < (long) basisCount * count) {
      throw new IllegalArgumentException("orthonormalizeRows: projections: need " + basisCount
          + "x" + count + " entries, array has " + projections.length);
    }
    if (r.length < (long) count * count) {
      throw new IllegalArgumentException(
          "orthonormalizeRows: r: need " + count + "x" + count + " entries, array has " + r.length);
    }
    if (!(dependenceTolerance >= 0.0 && dependenceTolerance < 1.0)) {
      throw new IllegalArgumentException(
          "orthonormalizeRows: dependenceTolerance must be in [0, 1), got " + dependenceTolerance);
    }
  }
}
