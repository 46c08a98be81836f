package org.dtheta.nn.spectral;

/**
 * Eigenvalues and eigenvectors of small dense symmetric matrices (the projected matrices of
 * Lanczos, a few hundred rows at most): Householder reduction to tridiagonal form, then the
 * implicit QL iteration with Wilkinson shifts. The cost is {@code O(n^3)}; nothing here is meant
 * for the full {@code 39760 x 39760} Jacobian.
 */
public final class SymmetricEigensolver {

  /** Unit roundoff: an off-diagonal entry this small next to its diagonal neighbours is zero. */
  private static final double EPS = Math.ulp(1.0);

  /** QL sweeps allowed per eigenvalue; it converges cubically, so 30 is never reached in practice. */
  private static final int MAX_SWEEPS = 30;

  private SymmetricEigensolver() {}

  /**
   * An eigendecomposition {@code A = V^T diag(values) V}.
   *
   * @param size the order n
   * @param values the eigenvalues in ascending order
   * @param vectors {@code n x n} row-major, row {@code j} the unit eigenvector of {@code values[j]};
   *     null when vectors were not asked for
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
    if (n < 0 || a.length < (long) n * n) {
      throw new IllegalArgumentException(
          "matrix: need " + n + "x" + n + " entries, array has " + a.length);
    }
    double[] s = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        s[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
      }
      if (!Double.isFinite(s[i * n + i])) {
        throw new IllegalArgumentException("matrix: non-finite diagonal entry at " + i);
      }
    }
    double[] d = new double[n];
    double[] e = new double[n];
    double[] qt = tridiagonalize(s, n, d, e, wantVectors);
    diagonalizeTridiagonal(d, e, qt, n);
    return sorted(d, qt, n);
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
    double[] d = diagonal.clone();
    double[] e = new double[n];
    System.arraycopy(offDiagonal, 0, e, 0, Math.max(0, n - 1));
    double[] zt = null;
    if (wantVectors) {
      zt = new double[n * n];
      for (int i = 0; i < n; i++) {
        zt[i * n + i] = 1.0;
      }
    }
    diagonalizeTridiagonal(d, e, zt, n);
    return sorted(d, zt, n);
  }

  /**
   * Householder reduction of the symmetric {@code s} (overwritten) to tridiagonal {@code (d, e)}.
   * Returns {@code Q^T} with {@code S = Q T Q^T} when vectors are wanted, else null. Storing
   * {@code Q^T} (rows = the later eigenvectors) keeps every later rotation on two contiguous rows.
   */
  private static double[] tridiagonalize(double[] s, int n, double[] d, double[] e,
      boolean wantVectors) {
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
    if (!wantVectors) {
      return null;
    }
    // Q^T = H_(n-3) ... H_0, built from the right so each reflector touches a shrinking block.
    double[] qt = new double[n * n];
    for (int i = 0; i < n; i++) {
      qt[i * n + i] = 1.0;
    }
    for (int k = n - 3; k >= 0; k--) {
      if (beta[k] == 0.0) {
        continue;
      }
      int vOff = k * n + k + 1;
      int m = n - k - 1;
      for (int r = k + 1; r < n; r++) {
        int row = r * n + k + 1;
        double dot = 0.0;
        for (int j = 0; j < m; j++) {
          dot += qt[row + j] * s[vOff + j];
        }
        double f = beta[k] * dot;
        for (int j = 0; j < m; j++) {
          qt[row + j] -= f * s[vOff + j];
        }
      }
    }
    return qt;
  }

  /**
   * Implicit QL with Wilkinson shifts on {@code (d, e)} ({@code e[i]} couples {@code i, i+1},
   * {@code e[n-1]} unused): eigenvalues into {@code d}; the rotations are applied to the rows of
   * {@code zt} when it is not null.
   */
  private static void diagonalizeTridiagonal(double[] d, double[] e, double[] zt, int n) {
    for (int l = 0; l < n; l++) {
      int sweeps = 0;
      int m;
      do {
        // Find the first negligible off-diagonal at or after l: the block l..m splits off.
        for (m = l; m < n - 1; m++) {
          double dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
          if (Math.abs(e[m]) <= EPS * dd) {
            break;
          }
        }
        if (m == l) {
          break;
        }
        if (sweeps++ == MAX_SWEEPS) {
          throw new ArithmeticException(
              "symmetric eigensolver: no convergence for eigenvalue " + l + " after "
                  + MAX_SWEEPS + " QL sweeps (non-finite input?)");
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
            rotateRows(zt, n, i, c, s);
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

  /** Applies the plane rotation of the QL step to rows {@code i} and {@code i+1} of {@code zt}. */
  private static void rotateRows(double[] zt, int n, int i, double c, double s) {
    int a = i * n;
    int b = a + n;
    for (int k = 0; k < n; k++) {
      double f = zt[b + k];
      double z = zt[a + k];
      zt[b + k] = s * z + c * f;
      zt[a + k] = c * z - s * f;
    }
  }

  /** Sorts eigenvalues ascending, moving the eigenvector rows along. */
  private static Decomposition sorted(double[] d, double[] zt, int n) {
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
          for (int k = 0; k < n; k++) {
            double u = zt[i * n + k];
            zt[i * n + k] = zt[min * n + k];
            zt[min * n + k] = u;
          }
        }
      }
    }
    return new Decomposition(n, d, zt);
  }
}
