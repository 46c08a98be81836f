package org.dtheta.core.linalg;

/**
 * Eigenvalues and eigenvectors of small dense symmetric matrices (the projected matrices of
 * Lanczos, a few hundred rows at most): Householder reduction to tridiagonal form, then the
 * implicit QL iteration with Wilkinson shifts. The cost is {@code O(n^3)}; nothing here is meant
 * for the full {@code 39760 x 39760} Jacobian. Eigenvalues are accurate to a small multiple of
 * {@code eps ||A||} (normwise backward stable), also inside large clusters of (near-)zero
 * eigenvalues such as those of rank-deficient Hessians.
 */
public final class SymmetricEigensolver {

  /**
   * Machine epsilon: an off-diagonal entry this small relative to its diagonal neighbours, or to
   * the norm of the whole tridiagonal matrix, is zero.
   */
  private static final double EPS = Math.ulp(1.0);

  /** QL sweeps allowed per eigenvalue; convergence is cubic, so 30 is never reached in practice. */
  private static final int MAX_SWEEPS = 30;

  private SymmetricEigensolver() {}

  /**
   * An eigendecomposition {@code A = V^T diag(values) V}.
   *
   * @param size the order n
   * @param values the eigenvalues in ascending order
   * @param vectors {@code n x n} row-major, row {@code j} the unit eigenvector of {@code
   *     values[j]}; null when vectors were not asked for
   */
  public record Decomposition(int size, double[] values, double[] vectors) {

    /** A copy of the unit eigenvector of {@code values[j]}. */
    public double[] vector(int j) {
      if (vectors == null) {
        throw new IllegalStateException("eigenvectors were not computed");
      }
      if (j < 0 || j >= size) {
        throw new IndexOutOfBoundsException("eigenvector " + j + " of " + size);
      }
      double[] v = new double[size];
      System.arraycopy(vectors, j * size, v, 0, size);
      return v;
    }
  }

  /**
   * Decomposes the symmetric part {@code (A + A^T)/2} of the {@code n x n} row-major matrix
   * {@code a} (not modified). Passing the symmetric part rather than rejecting small asymmetries
   * lets callers hand over matrices that are symmetric only up to rounding.
   */
  public static Decomposition decompose(double[] a, int n, boolean wantVectors) {
    double[] w = wantVectors ? identity(n) : null;
    double[] values = decompose(a, n, w, n);
    return new Decomposition(n, values, w);
  }

  /**
   * Eigenvalues of the symmetric part of {@code a} (ascending, returned) and the eigenvectors'
   * components along {@code probeCount} given vectors: {@code probes} is {@code n x probeCount}
   * row-major (one probe per column) and is overwritten by {@code V^T P}, whose row {@code j}
   * holds {@code v_j . p_c} for each probe {@code c}. With the last few unit vectors as probes
   * this gives the last components of every eigenvector, all Lanczos needs for its residual
   * estimates, at {@code O(n^2 probeCount)} instead of the {@code O(n^3)} of full vectors.
   */
  public static double[] decompose(double[] a, int n, double[] probes, int probeCount) {
    if (n < 0 || a.length < (long) n * n) {
      throw new IllegalArgumentException(
          "matrix: need " + n + "x" + n + " entries, array has " + a.length);
    }
    if (probes != null && probes.length < (long) n * probeCount) {
      throw new IllegalArgumentException("probes: need " + n + "x" + probeCount
          + " entries, array has " + probes.length);
    }
    double[] s = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        s[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
        if (!Double.isFinite(s[i * n + j])) {
          // An infinite entry would make the deflation threshold (eps times the norm) infinite.
          throw new IllegalArgumentException(
              "matrix: non-finite entry at (" + i + ", " + j + ") of the symmetric part");
        }
      }
    }
    double[] d = new double[n];
    double[] e = new double[n];
    double[] beta = tridiagonalize(s, n, d, e);
    if (probes != null) {
      applyReflectors(s, beta, n, probes, probeCount);
    }
    diagonalizeTridiagonal(d, e, probes, probeCount);
    sort(d, probes, probeCount);
    return d;
  }

  /**
   * Decomposes the symmetric tridiagonal matrix with the given diagonal (length n) and
   * off-diagonal ({@code offDiagonal[i]} couples {@code i} and {@code i+1}; length at least
   * {@code n-1}). Inputs are not modified.
   */
  public static Decomposition tridiagonal(double[] diagonal, double[] offDiagonal,
      boolean wantVectors) {
    int n = diagonal.length;
    if (n > 0 && offDiagonal.length < n - 1) {
      throw new IllegalArgumentException(
          "offDiagonal: need " + (n - 1) + " entries, array has " + offDiagonal.length);
    }
    requireFinite(diagonal, n, "diagonal");
    requireFinite(offDiagonal, Math.max(0, n - 1), "offDiagonal");
    double[] d = diagonal.clone();
    double[] e = new double[n];
    System.arraycopy(offDiagonal, 0, e, 0, Math.max(0, n - 1));
    double[] zt = wantVectors ? identity(n) : null;
    diagonalizeTridiagonal(d, e, zt, n);
    sort(d, zt, n);
    return new Decomposition(n, d, zt);
  }

  private static void requireFinite(double[] values, int count, String name) {
    for (int i = 0; i < count; i++) {
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException(name + ": non-finite entry at " + i);
      }
    }
  }

  private static double[] identity(int n) {
    double[] id = new double[n * n];
    for (int i = 0; i < n; i++) {
      id[i * n + i] = 1.0;
    }
    return id;
  }

  /**
   * Householder reduction of the symmetric {@code s} to tridiagonal {@code (d, e)}, {@code S = Q
   * T Q^T} with {@code Q = H_0 ... H_(n-3)}. The reflector vectors are left in the rows of
   * {@code s} right of the diagonal; their coefficients are returned.
   */
  private static double[] tridiagonalize(double[] s, int n, double[] d, double[] e) {
    double[] beta = new double[n];
    double[] p = new double[n];
    for (int k = 0; k + 2 < n; k++) {
      int m = n - k - 1;
      int vOff = k * n + k + 1; // row k right of the diagonal equals column k below it
      double sumSquares = 0.0;
      for (int i = 0; i < m; i++) {
        sumSquares += s[vOff + i] * s[vOff + i];
      }
      double xnorm = Math.sqrt(sumSquares);
      if (xnorm == 0.0) {
        e[k] = 0.0;
        beta[k] = 0.0;
        continue;
      }
      // Reflect x onto alpha e1 with alpha = -sign(x0)|x|, so that v0 = x0 - alpha never
      // cancels; then |v|^2 = 2|x|(|x| + |x0|) and the reflector is I - b v v^T, b = 2/|v|^2.
      double x0 = s[vOff];
      double alpha = -Math.copySign(xnorm, x0);
      s[vOff] = x0 - alpha;
      double b = 1.0 / (xnorm * (xnorm + Math.abs(x0)));
      beta[k] = b;
      e[k] = alpha;
      // p = b * B v over the trailing block B, then w = p - (b/2)(p.v) v; B -= v w^T + w v^T.
      int b0 = k + 1;
      double pv = 0.0;
      for (int i = 0; i < m; i++) {
        double acc = 0.0;
        int row = (b0 + i) * n + b0;
        for (int j = 0; j < m; j++) {
          acc += s[row + j] * s[vOff + j];
        }
        p[i] = b * acc;
        pv += p[i] * s[vOff + i];
      }
      double half = 0.5 * b * pv;
      for (int i = 0; i < m; i++) {
        p[i] -= half * s[vOff + i];
      }
      for (int i = 0; i < m; i++) {
        int row = (b0 + i) * n + b0;
        double vi = s[vOff + i];
        double wi = p[i];
        for (int j = 0; j < m; j++) {
          s[row + j] -= vi * p[j] + wi * s[vOff + j];
        }
      }
    }
    for (int k = 0; k < n; k++) {
      d[k] = s[k * n + k];
    }
    if (n >= 2) {
      e[n - 2] = s[(n - 2) * n + n - 1];
    }
    e[n == 0 ? 0 : n - 1] = 0.0;
    return beta;
  }

  /**
   * {@code W <- Q^T W = H_(n-3) ... H_0 W} for the {@code n x c} row-major {@code W}: the
   * eigenvectors of S are {@code Q} times those of T, so their components along W's columns are
   * those of T's eigenvectors along {@code Q^T W}.
   */
  private static void applyReflectors(double[] s, double[] beta, int n, double[] w, int c) {
    double[] u = new double[c];
    for (int k = 0; k + 2 < n; k++) {
      if (beta[k] == 0.0) {
        continue;
      }
      int vOff = k * n + k + 1;
      java.util.Arrays.fill(u, 0.0);
      for (int i = k + 1; i < n; i++) {
        double vi = s[vOff + i - k - 1];
        for (int j = 0; j < c; j++) {
          u[j] += vi * w[i * c + j];
        }
      }
      for (int i = k + 1; i < n; i++) {
        double f = beta[k] * s[vOff + i - k - 1];
        for (int j = 0; j < c; j++) {
          w[i * c + j] -= f * u[j];
        }
      }
    }
  }

  /**
   * Implicit QL with Wilkinson shifts on {@code (d, e)} ({@code e[i]} couples {@code i, i+1},
   * {@code e[n-1]} unused): eigenvalues into {@code d}; the rotations are applied to the rows
   * (of length {@code rowLength}) of {@code zt} when it is not null.
   */
  private static void diagonalizeTridiagonal(double[] d, double[] e, double[] zt, int rowLength) {
    int n = d.length;
    double normFloor = EPS * rowSumNorm(d, e);
    for (int l = 0; l < n; l++) {
      int sweeps = 0;
      int m;
      do {
        // Find the first negligible off-diagonal at or after l: the block l..m splits off.
        for (m = l; m < n - 1; m++) {
          if (negligible(e[m], d[m], d[m + 1], normFloor)) {
            break;
          }
        }
        if (m == l) {
          break;
        }
        if (sweeps++ == MAX_SWEEPS) {
          throw new ArithmeticException(
              "symmetric eigensolver: no convergence for eigenvalue " + l + " after "
                  + MAX_SWEEPS + " QL sweeps");
        }
        // Wilkinson shift: the eigenvalue of the leading 2x2 block nearer d[l].
        double g = (d[l + 1] - d[l]) / (2.0 * e[l]);
        double r = Math.hypot(g, 1.0);
        g = d[m] - d[l] + e[l] / (g + Math.copySign(r, g));
        double s = 1.0;
        double c = 1.0;
        double p = 0.0;
        boolean splitEarly = false;
        for (int i = m - 1; i >= l; i--) {
          double f = s * e[i];
          double b = c * e[i];
          r = Math.hypot(f, g);
          e[i + 1] = r;
          if (r == 0.0) {
            // The bulge vanished: the matrix split at i+1; restart the search.
            d[i + 1] -= p;
            e[m] = 0.0;
            splitEarly = true;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1] - p;
          r = (d[i] - g) * s + 2.0 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
          if (zt != null) {
            rotateRows(zt, rowLength, i, c, s);
          }
        }
        if (splitEarly) {
          continue;
        }
        d[l] -= p;
        e[l] = g;
        e[m] = 0.0;
      } while (true);
    }
  }

  /**
   * Whether the off-diagonal {@code e} between diagonal entries {@code left} and {@code right} may
   * be set to zero. The neighbour test alone keeps small eigenvalues of graded matrices accurate
   * to a few ulps of themselves, but it cannot be met inside a cluster of (near-)zero eigenvalues
   * (rank-deficient matrices, Hessians with dead units): there diagonal and off-diagonal entries
   * are all rounding noise of size {@code eps ||T||} that every QL sweep through the large part of
   * the block regenerates, so {@code |e| <= eps (|d_m| + |d_m+1|)} would ask for {@code |e| ~
   * eps^2 ||T||} (or exactly 0 when the diagonal entries are exact zeros) and never fire. Dropping
   * {@code |e| <= eps ||T||} perturbs T by no more than the backward error the reduction and each
   * sweep already commit, so the eigenvalues stay normwise backward stable.
   */
  private static boolean negligible(double e, double left, double right, double normFloor) {
    double size = Math.abs(e);
    return size <= normFloor || size <= EPS * (Math.abs(left) + Math.abs(right));
  }

  /**
   * {@code ||T||_inf} of the tridiagonal {@code (d, e)}, an upper bound on every eigenvalue's
   * modulus; plane rotations keep the spectrum, so this bound holds for the whole iteration.
   */
  private static double rowSumNorm(double[] d, double[] e) {
    int n = d.length;
    double norm = 0.0;
    for (int i = 0; i < n; i++) {
      double row = Math.abs(d[i]);
      if (i + 1 < n) {
        row += Math.abs(e[i]);
      }
      if (i > 0) {
        row += Math.abs(e[i - 1]);
      }
      norm = Math.max(norm, row);
    }
    return norm;
  }

  /** Applies the plane rotation of the QL step to rows {@code i} and {@code i+1} of {@code zt}. */
  private static void rotateRows(double[] zt, int rowLength, int i, double c, double s) {
    int a = i * rowLength;
    int b = a + rowLength;
    for (int k = 0; k < rowLength; k++) {
      double f = zt[b + k];
      double z = zt[a + k];
      zt[b + k] = s * z + c * f;
      zt[a + k] = c * z - s * f;
    }
  }

  /** Sorts eigenvalues ascending, moving the rows (of length {@code rowLength}) of zt along. */
  private static void sort(double[] d, double[] zt, int rowLength) {
    int n = d.length;
    for (int i = 0; i < n - 1; i++) {
      int min = i;
      for (int j = i + 1; j < n; j++) {
        if (d[j] < d[min]) {
          min = j;
        }
      }
      if (min != i) {
        double t = d[i];
        d[i] = d[min];
        d[min] = t;
        if (zt != null) {
          for (int k = 0; k < rowLength; k++) {
            double u = zt[i * rowLength + k];
            zt[i * rowLength + k] = zt[min * rowLength + k];
            zt[min * rowLength + k] = u;
          }
        }
      }
    }
  }
}
