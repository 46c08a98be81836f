package org.dtheta.core.internal.kernel;

import org.dtheta.core.kernel.UnaryFunction;

/**
 * The portable implementation: plain Java loops that the JIT may auto-vectorise. Always
 * available; the reference the Vector API implementation is tested against.
 *
 * <p>Not final: {@link PanamaKernels} extends it and overrides only the loops it vectorises,
 * so every kernel has exactly one scalar definition.
 */
class ScalarKernels implements KernelSupport {

  /** Rows of C processed together in the TN product, so the block of C stays in L1/L2. */
  private static final int TN_ROW_BLOCK = 64;

  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public void gemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      double alpha,
      double[] a,
      int aOff,
      int lda,
      double[] b,
      int bOff,
      int ldb,
      double beta,
      double[] c,
      int cOff,
      int ldc) {
    applyBeta(m, n, beta, c, cOff, ldc);
    if (alpha == 0.0 || k == 0) {
      return;
    }
    if (!transA && !transB) {
      gemmNN(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    } else if (transA && !transB) {
      gemmTN(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    } else if (!transA) {
      gemmNT(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    } else {
      gemmTT(m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    }
  }

  @Override
  public void addOuterProducts(
      int rows, int wide, int narrow, double[] w, int wOff, int ldw, double[] v, int vOff, int ldv,
      double[] acc, int accOff) {
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < narrow; i++) {
        axpy(wide, v[vOff + r * ldv + i], w, wOff + r * ldw, acc, accOff + i * wide);
      }
    }
  }

  /** {@code C = beta*C}, with {@code beta == 0} overwriting (so NaN in C does not survive). */
  protected final void applyBeta(int m, int n, double beta, double[] c, int cOff, int ldc) {
    if (beta == 1.0) {
      return;
    }
    for (int i = 0; i < m; i++) {
      int row = cOff + i * ldc;
      if (beta == 0.0) {
        fill(n, 0.0, c, row);
      } else {
        scale(n, beta, c, row);
      }
    }
  }

  /** C += alpha A B. Zero entries of A are skipped: the data matrices here are mostly zeros. */
  protected void gemmNN(
      int m, int n, int k, double alpha, double[] a, int aOff, int lda, double[] b, int bOff,
      int ldb, double[] c, int cOff, int ldc) {
    for (int i = 0; i < m; i++) {
      int cRow = cOff + i * ldc;
      int aRow = aOff + i * lda;
      for (int p = 0; p < k; p++) {
        double aip = a[aRow + p];
        if (aip != 0.0) {
          axpy(n, alpha * aip, b, bOff + p * ldb, c, cRow);
        }
      }
    }
  }

  /** C += alpha A^T B, A stored k x m: rank-one updates over a cache-sized block of C rows. */
  protected void gemmTN(
      int m, int n, int k, double alpha, double[] a, int aOff, int lda, double[] b, int bOff,
      int ldb, double[] c, int cOff, int ldc) {
    for (int i0 = 0; i0 < m; i0 += TN_ROW_BLOCK) {
      int i1 = Math.min(m, i0 + TN_ROW_BLOCK);
      for (int p = 0; p < k; p++) {
        int aRow = aOff + p * lda;
        int bRow = bOff + p * ldb;
        for (int i = i0; i < i1; i++) {
          double api = a[aRow + i];
          if (api != 0.0) {
            axpy(n, alpha * api, b, bRow, c, cOff + i * ldc);
          }
        }
      }
    }
  }

  /** C += alpha A B^T: dot products of rows of A with rows of B. */
  protected void gemmNT(
      int m, int n, int k, double alpha, double[] a, int aOff, int lda, double[] b, int bOff,
      int ldb, double[] c, int cOff, int ldc) {
    for (int i = 0; i < m; i++) {
      int aRow = aOff + i * lda;
      int cRow = cOff + i * ldc;
      for (int j = 0; j < n; j++) {
        c[cRow + j] += alpha * dot(k, a, aRow, b, bOff + j * ldb);
      }
    }
  }

  /** C += alpha A^T B^T: rare in this engine, kept simple. */
  protected void gemmTT(
      int m, int n, int k, double alpha, double[] a, int aOff, int lda, double[] b, int bOff,
      int ldb, double[] c, int cOff, int ldc) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0.0;
        for (int p = 0; p < k; p++) {
          s += a[aOff + p * lda + i] * b[bOff + j * ldb + p];
        }
        c[cOff + i * ldc + j] += alpha * s;
      }
    }
  }

  @Override
  public void fill(int n, double value, double[] x, int xOff) {
    java.util.Arrays.fill(x, xOff, xOff + n, value);
  }

  @Override
  public void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] += alpha * x[xOff + i];
    }
  }

  @Override
  public void scale(int n, double alpha, double[] x, int xOff) {
    for (int i = 0; i < n; i++) {
      x[xOff + i] *= alpha;
    }
  }

  @Override
  public double sum(int n, double[] x, int xOff) {
    // Four partial sums: shorter dependency chains, and closer to the vector path's order.
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += x[xOff + i];
      s1 += x[xOff + i + 1];
      s2 += x[xOff + i + 2];
      s3 += x[xOff + i + 3];
    }
    for (; i < n; i++) {
      s0 += x[xOff + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public double dot(int n, double[] x, int xOff, double[] y, int yOff) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += x[xOff + i] * y[yOff + i];
      s1 += x[xOff + i + 1] * y[yOff + i + 1];
      s2 += x[xOff + i + 2] * y[yOff + i + 2];
      s3 += x[xOff + i + 3] * y[yOff + i + 3];
    }
    for (; i < n; i++) {
      s0 += x[xOff + i] * y[yOff + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public void addScaled(
      int n, double[] x, int xOff, double alpha, double[] y, int yOff, double[] z, int zOff) {
    for (int i = 0; i < n; i++) {
      z[zOff + i] = x[xOff + i] + alpha * y[yOff + i];
    }
  }

  @Override
  public void mul(
      int n, double[] x, int xOff, double[] y, int yOff, double[] z, int zOff, boolean accumulate) {
    if (accumulate) {
      for (int i = 0; i < n; i++) {
        z[zOff + i] += x[xOff + i] * y[yOff + i];
      }
    } else {
      for (int i = 0; i < n; i++) {
        z[zOff + i] = x[xOff + i] * y[yOff + i];
      }
    }
  }

  @Override
  public void div(int n, double[] x, int xOff, double[] y, int yOff, double[] z, int zOff) {
    for (int i = 0; i < n; i++) {
      z[zOff + i] = x[xOff + i] / y[yOff + i];
    }
  }

  @Override
  public void mulRepeated(
      int rows, int cols, int m, double[] f, int fOff, double[] x, int xOff, double[] y, int yOff,
      boolean accumulate) {
    int stride = m * cols;
    for (int i = 0; i < rows; i++) {
      int fRow = fOff + i * cols;
      for (int d = 0; d < m; d++) {
        int off = i * stride + d * cols;
        mul(cols, f, fRow, x, xOff + off, y, yOff + off, accumulate);
      }
    }
  }

  @Override
  public void addRowVector(int rows, int cols, int m, double[] bias, int biasOff, double[] y, int yOff) {
    int width = m * cols;
    for (int i = 0; i < rows; i++) {
      axpy(width, 1.0, bias, biasOff, y, yOff + i * width);
    }
  }

  @Override
  public void sumColumnsInto(int rows, int cols, double[] x, int xOff, int ldx, double[] out, int outOff) {
    for (int i = 0; i < rows; i++) {
      axpy(cols, 1.0, x, xOff + i * ldx, out, outOff);
    }
  }

  @Override
  public void sumRowsInto(int rows, int cols, double[] x, int xOff, int ldx, double[] out, int outOff) {
    for (int i = 0; i < rows; i++) {
      out[outOff + i] += sum(cols, x, xOff + i * ldx);
    }
  }

  @Override
  public void rowDotsRepeated(
      int rows, int cols, int m, double[] a, int aOff, double[] x, int xOff, double[] out, int outOff) {
    int stride = m * cols;
    for (int i = 0; i < rows; i++) {
      for (int d = 0; d < m; d++) {
        out[outOff + i * m + d] = dot(cols, a, aOff + i * cols, x, xOff + i * stride + d * cols);
      }
    }
  }

  @Override
  public void scaleRowsRepeated(
      int rows, int cols, int m, double[] s, int sOff, double[] f, int fOff, double[] y, int yOff,
      boolean accumulate) {
    int stride = m * cols;
    for (int i = 0; i < rows; i++) {
      for (int d = 0; d < m; d++) {
        int yRow = yOff + i * stride + d * cols;
        if (!accumulate) {
          fill(cols, 0.0, y, yRow);
        }
        axpy(cols, s[sOff + i * m + d], f, fOff + i * cols, y, yRow);
      }
    }
  }

  @Override
  public void transpose(int rows, int cols, double[] a, int aOff, int lda, double[] b, int bOff, int ldb) {
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        b[bOff + j * ldb + i] = a[aOff + i * lda + j];
      }
    }
  }

  @Override
  public void map(UnaryFunction f, int n, double[] x, int xOff, double[] y, int yOff) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] = f.apply(x[xOff + i]);
    }
  }

  @Override
  public void mapDerivative(
      UnaryFunction f, int order, int n, double[] x, int xOff, double[] y, int yOff, double[] out,
      int outOff) {
    if (order == 1) {
      for (int i = 0; i < n; i++) {
        out[outOff + i] = f.first(x[xOff + i], y[yOff + i]);
      }
    } else {
      for (int i = 0; i < n; i++) {
        out[outOff + i] = f.second(x[xOff + i], y[yOff + i]);
      }
    }
  }

  @Override
  public void addConstant(int n, double value, double[] x, int xOff) {
    for (int i = 0; i < n; i++) {
      x[xOff + i] += value;
    }
  }

  @Override
  public double softmaxRow(int n, double[] x, int xOff, double[] y, int yOff) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < n; j++) {
      max = Math.max(max, x[xOff + j]);
    }
    double total = 0.0;
    for (int j = 0; j < n; j++) {
      double e = Math.exp(x[xOff + j] - max);
      y[yOff + j] = e;
      total += e;
    }
    scale(n, 1.0 / total, y, yOff);
    return max + Math.log(total);
  }

  // ---- appended for the op set (branch ops) ----

  @Override
  public void addColumnVector(
      int rows, int cols, double alpha, double[] s, int sOff, double[] y, int yOff) {
    for (int i = 0; i < rows; i++) {
      addConstant(cols, alpha * s[sOff + i], y, yOff + i * cols);
    }
  }

  @Override
  public void addScaledRepeated(
      int rows, int cols, int m, double[] s, int sOff, double[] f, int fOff, double[] y, int yOff) {
    int stride = m * cols;
    for (int i = 0; i < rows; i++) {
      for (int d = 0; d < m; d++) {
        axpy(cols, s[sOff + d], f, fOff + i * cols, y, yOff + i * stride + d * cols);
      }
    }
  }

  @Override
  public void softmaxRows(
      int rows, int cols, double[] x, int xOff, double[] y, int yOff, double[] lse, int lseOff) {
    for (int i = 0; i < rows; i++) {
      lse[lseOff + i] = softmaxRow(cols, x, xOff + i * cols, y, yOff + i * cols);
    }
  }

  @Override
  public double softplusSum(int n, double[] x, int xOff) {
    double s = 0.0;
    for (int i = 0; i < n; i++) {
      double v = x[xOff + i];
      s += Math.max(v, 0.0) + Math.log1p(Math.exp(-Math.abs(v)));
    }
    return s;
  }

  // ---- appended for batched tangents (branch dense-tangents) ----

  @Override
  public void transposeBlocks(int rows, int cols, int width, double[] x, int xOff, double[] y,
      int yOff, boolean accumulate) {
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        int from = xOff + (i * cols + j) * width;
        int to = yOff + (j * rows + i) * width;
        if (accumulate) {
          axpy(width, 1.0, x, from, y, to);
        } else {
          System.arraycopy(x, from, y, to, width);
        }
      }
    }
  }

  @Override
  public void activationTangent(int rows, int cols, int m, int n, double[] f, int fOff,
      double[] x, int xOff, double[] b, int bOff, double[] y, int yOff) {
    for (int i = 0; i < rows; i++) {
      for (int d = 0; d < m; d++) {
        int xRow = xOff + (i * m + d) * cols;
        for (int t = 0; t < n; t++) {
          double s = 0.0;
          for (int j = 0; j < cols; j++) {
            s = Math.fma(x[xRow + j], f[fOff + i * cols + j] * b[bOff + j * n + t], s);
          }
          y[yOff + (i * m + d) * n + t] = s;
        }
      }
    }
  }

  /** Both sums in one fused multiply-add chain, the terms of the first sum first. */
  @Override
  public void activationAdjointTangent(int rows, int cols, int m, int n, double[] a, int aOff,
      double[] b, int bOff, double[] c, int cOff, double[] e, int eOff, double[] f, int fOff,
      double[] g, int gOff, double[] x, int xOff, double[] z, int zOff, boolean accumulate,
      double[] u, int uOff) {
    for (int i = 0; i < rows; i++) {
      for (int d = 0; d < m; d++) {
        int aRow = aOff + (i * m + d) * n;
        int at = (i * m + d) * cols;
        for (int j = 0; j < cols; j++) {
          double s = 0.0;
          for (int t = 0; t < n; t++) {
            s = Math.fma(a[aRow + t], b[bOff + t * cols + j], s);
          }
          if (e != null) {
            for (int t = 0; t < n; t++) {
              s = Math.fma(c[cOff + i * n + t], e[eOff + (t * m + d) * cols + j], s);
            }
          }
          double fj = f[fOff + i * cols + j];
          double xj = x[xOff + at + j];
          double v = fj * s + g[gOff + i * cols + j] * xj;
          z[zOff + at + j] = accumulate ? z[zOff + at + j] + v : v;
          if (u != null) {
            u[uOff + at + j] = fj * xj;
          }
        }
      }
    }
  }

  @Override
  public void mulAddRepeated(int rows, int cols, int m, double[] f, int fOff, double[] x,
      int xOff, double[] g, int gOff, double[] y, int yOff, double[] z, int zOff,
      boolean accumulate) {
    int stride = m * cols;
    for (int i = 0; i < rows; i++) {
      int fRow = fOff + i * cols;
      int gRow = gOff + i * cols;
      for (int d = 0; d < m; d++) {
        int off = i * stride + d * cols;
        for (int j = 0; j < cols; j++) {
          double sum = f[fRow + j] * x[xOff + off + j] + g[gRow + j] * y[yOff + off + j];
          z[zOff + off + j] = accumulate ? z[zOff + off + j] + sum : sum;
        }
      }
    }
  }

  @Override
  public void addRowVector(int rows, int cols, int m, double[] x, int xOff, double[] bias,
      int biasOff, double[] y, int yOff) {
    int width = m * cols;
    for (int i = 0; i < rows; i++) {
      addScaled(width, x, xOff + i * width, 1.0, bias, biasOff, y, yOff + i * width);
    }
  }

  @Override
  public void centredMulRepeated(int rows, int cols, int m, double[] p, int pOff, double[] f,
      int fOff, double[] u, int uOff, double[] z, int zOff, boolean accumulate) {
    int stride = m * cols;
    for (int i = 0; i < rows; i++) {
      int pRow = pOff + i * cols;
      int fRow = fOff + i * cols;
      for (int d = 0; d < m; d++) {
        int off = i * stride + d * cols;
        double centre = dot(cols, p, pRow, u, uOff + off);
        for (int j = 0; j < cols; j++) {
          double term = f[fRow + j] * (u[uOff + off + j] - centre);
          z[zOff + off + j] = accumulate ? z[zOff + off + j] + term : term;
        }
      }
    }
  }

  // ---- appended for the op set, part 2 (branch ops): transposes, blocks, powers ----

  @Override
  public void transposeRepeated(int rows, int cols, int m, double[] x, int xOff, double[] y,
      int yOff, boolean accumulate) {
    for (int i = 0; i < rows; i++) {
      for (int d = 0; d < m; d++) {
        int from = xOff + (i * m + d) * cols;
        int to = yOff + d * rows + i;
        int step = m * rows;
        if (accumulate) {
          for (int j = 0; j < cols; j++) {
            y[to + j * step] += x[from + j];
          }
        } else {
          for (int j = 0; j < cols; j++) {
            y[to + j * step] = x[from + j];
          }
        }
      }
    }
  }

  @Override
  public void copyBlock(int rows, int cols, double[] x, int xOff, int ldx, double[] y, int yOff,
      int ldy, boolean accumulate) {
    for (int i = 0; i < rows; i++) {
      if (accumulate) {
        axpy(cols, 1.0, x, xOff + i * ldx, y, yOff + i * ldy);
      } else {
        System.arraycopy(x, xOff + i * ldx, y, yOff + i * ldy, cols);
      }
    }
  }

  @Override
  public void power(int n, double c, double p, double[] x, int xOff, double[] y, int yOff) {
    if (c == 0.0) {
      fill(n, 0.0, y, yOff);
      return;
    }
    for (int i = 0; i < n; i++) {
      y[yOff + i] = c * Math.pow(x[xOff + i], p);
    }
  }
}
