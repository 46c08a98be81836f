package org.dtheta.core.internal.kernel;

import org.dtheta.core.kernel.Kernels;
import org.dtheta.core.kernel.UnaryFunction;

/**
 * The loops of the engine: flat row-major {@code double[]} kernels with explicit offsets and
 * leading dimensions, in the BLAS convention (output last, {@code C} is {@code m x n}).
 *
 * <p>Two implementations exist: a scalar one that always works, and a Vector API one that the
 * {@link KernelProvider} selects at run time when {@code jdk.incubator.vector} is readable.
 * Implementations trust their arguments (the {@link Kernels} facade validates) and never
 * allocate in steady state.
 *
 * <p>Numerical contract: the two implementations sum in different orders, so results agree to
 * a relative error of order {@code n * ulp} (tests demand 1e-12 relative), not bit for bit. A
 * run is bitwise reproducible for one implementation, lane width and thread count.
 */
public interface KernelSupport {

  /** A short name for logs and reports: "scalar" or "panama-512" and so on. */
  String name();

  /**
   * General matrix product {@code C = beta*C + alpha*op(A)*op(B)}, {@code op(X)} being {@code X}
   * or its transpose. {@code op(A)} is {@code m x k}, {@code op(B)} is {@code k x n}. With
   * {@code beta == 0} the old content of {@code C} is ignored (it may hold NaN).
   */
  void gemm(
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
      int ldc);

  /**
   * {@code acc += sum_r v_r w_r^T}: the outer products of the rows {@code v_r} ({@code narrow}
   * long, {@code v} is {@code rows x narrow} with leading dimension {@code ldv}) and {@code w_r}
   * ({@code wide} long, {@code w} is {@code rows x wide}, {@code ldw}) summed into the
   * {@code narrow x wide} row-major {@code acc} (leading dimension {@code wide}). One block of
   * samples' share of a product {@code A^T B} that sums over many rows and has one narrow side;
   * see {@link RowReduction}. Rows are added in order.
   */
  void addOuterProducts(
      int rows, int wide, int narrow, double[] w, int wOff, int ldw, double[] v, int vOff, int ldv,
      double[] acc, int accOff);

  /** {@code x[off .. off+n) = value}. */
  void fill(int n, double value, double[] x, int xOff);

  /** {@code y += alpha * x}. */
  void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff);

  /** {@code x *= alpha}. */
  void scale(int n, double alpha, double[] x, int xOff);

  /** Sum of {@code x[off .. off+n)}. */
  double sum(int n, double[] x, int xOff);

  /** Dot product of two contiguous ranges. */
  double dot(int n, double[] x, int xOff, double[] y, int yOff);

  /** {@code z = x + alpha * y} elementwise ({@code z} may alias {@code x} or {@code y}). */
  void addScaled(int n, double[] x, int xOff, double alpha, double[] y, int yOff, double[] z, int zOff);

  /** {@code z = x * y} elementwise, or {@code z += x * y} when {@code accumulate}. */
  void mul(int n, double[] x, int xOff, double[] y, int yOff, double[] z, int zOff, boolean accumulate);

  /** {@code z = x / y} elementwise. */
  void div(int n, double[] x, int xOff, double[] y, int yOff, double[] z, int zOff);

  /**
   * Product with a factor repeated over {@code m} directions: for a {@code rows x cols} factor
   * {@code f} and a {@code rows x (m*cols)} operand {@code x} in the engine's tangent layout
   * (row {@code i}, direction {@code d}, column {@code j} at {@code i*m*cols + d*cols + j}),
   * {@code y[i,d,j] (+)= f[i,j] * x[i,d,j]}.
   */
  void mulRepeated(
      int rows, int cols, int m, double[] f, int fOff, double[] x, int xOff, double[] y, int yOff,
      boolean accumulate);

  /**
   * Adds a row vector to every row of a matrix, repeated over {@code m} direction blocks:
   * {@code y[i,d,j] (+)= bias[d,j]}; {@code bias} is {@code m x cols}, {@code y} is
   * {@code rows x (m*cols)}.
   */
  void addRowVector(int rows, int cols, int m, double[] bias, int biasOff, double[] y, int yOff);

  /**
   * Column sums, accumulated: {@code out[j] += sum_i x[i,j]} for a {@code rows x cols} matrix
   * with leading dimension {@code ldx}. (The adjoint of a row broadcast.)
   */
  void sumColumnsInto(int rows, int cols, double[] x, int xOff, int ldx, double[] out, int outOff);

  /** Row sums, accumulated: {@code out[i] += sum_j x[i,j]} (leading dimension {@code ldx}). */
  void sumRowsInto(int rows, int cols, double[] x, int xOff, int ldx, double[] out, int outOff);

  /**
   * Row-wise dot products over {@code m} directions: {@code out[i*m+d] = sum_j a[i,j] *
   * x[i,d,j]}, {@code a} being {@code rows x cols} and {@code x} in tangent layout.
   */
  void rowDotsRepeated(
      int rows, int cols, int m, double[] a, int aOff, double[] x, int xOff, double[] out, int outOff);

  /**
   * {@code y[i,d,j] (+)= s[i*m+d] * f[i,j]}: a per-row, per-direction scalar times a
   * {@code rows x cols} factor, into tangent layout.
   */
  void scaleRowsRepeated(
      int rows, int cols, int m, double[] s, int sOff, double[] f, int fOff, double[] y, int yOff,
      boolean accumulate);

  /** Out-of-place transpose: {@code b (cols x rows, ld ldb) = a (rows x cols, ld lda)^T}. */
  void transpose(int rows, int cols, double[] a, int aOff, int lda, double[] b, int bOff, int ldb);

  /** Applies an elementwise function: {@code y = f(x)}. */
  void map(UnaryFunction f, int n, double[] x, int xOff, double[] y, int yOff);

  /**
   * Derivative of an elementwise function: {@code out = f'(x)} ({@code order == 1}) or
   * {@code f''(x)} ({@code order == 2}), given {@code x} and {@code y = f(x)}.
   */
  void mapDerivative(
      UnaryFunction f, int order, int n, double[] x, int xOff, double[] y, int yOff, double[] out,
      int outOff);

  /** {@code x += value} elementwise. */
  void addConstant(int n, double value, double[] x, int xOff);

  /**
   * Softmax of one row, stably (the maximum is subtracted first): {@code y = exp(x - lse)};
   * returns {@code lse = log sum_j exp(x_j)}.
   */
  double softmaxRow(int n, double[] x, int xOff, double[] y, int yOff);

  // ---- appended for the op set (branch ops) ----

  /**
   * Adds a scaled column vector to every column: {@code y[i,j] += alpha * s[i]} for a
   * {@code rows x cols} matrix {@code y} (the adjoint of row sums; with {@code rows = r*m} it
   * serves the tangent layout, where {@code s[i*m+d]} belongs to row {@code i}, direction
   * {@code d}).
   */
  void addColumnVector(int rows, int cols, double alpha, double[] s, int sOff, double[] y, int yOff);

  /**
   * {@code y[i,d,j] += s[d] * f[i,j]}: one scalar per direction times a {@code rows x cols}
   * factor, accumulated into the tangent layout (a scalar seed times a fixed gradient).
   */
  void addScaledRepeated(
      int rows, int cols, int m, double[] s, int sOff, double[] f, int fOff, double[] y, int yOff);

  /**
   * Softmax of every row of a {@code rows x cols} matrix, stably; {@code lse[i]} receives
   * {@code log sum_j exp(x[i,j])}. As {@link #softmaxRow} row by row.
   */
  void softmaxRows(int rows, int cols, double[] x, int xOff, double[] y, int yOff, double[] lse,
      int lseOff);

  /**
   * {@code sum_i softplus(x_i)} with {@code softplus(x) = max(x, 0) + log(1 + exp(-|x|))}, the
   * form that neither overflows nor loses small values.
   */
  double softplusSum(int n, double[] x, int xOff);

  // ---- appended for batched tangents (branch dense-tangents) ----

  /**
   * Swaps the two outer axes of a {@code rows x cols} grid of {@code width}-long blocks:
   * {@code y[j,i,:] (+)= x[i,j,:]}, {@code x} holding block {@code (i,j)} at
   * {@code (i*cols + j)*width} and {@code y} holding block {@code (j,i)} at
   * {@code (j*rows + i)*width}. It moves a direction index between the outer and the middle
   * place of the tangent layout, so that a product over all directions is one matrix product.
   */
  void transposeBlocks(int rows, int cols, int width, double[] x, int xOff, double[] y, int yOff,
      boolean accumulate);

  /**
   * Two products with factors repeated over {@code m} directions, summed:
   * {@code z[i,d,j] (+)= f[i,j] * x[i,d,j] + g[i,j] * y[i,d,j]} (tangent layout as in
   * {@link #mulRepeated}). One pass for the adjoint tangent of an elementwise function.
   */
  void mulAddRepeated(int rows, int cols, int m, double[] f, int fOff, double[] x, int xOff,
      double[] g, int gOff, double[] y, int yOff, double[] z, int zOff, boolean accumulate);

  /**
   * The adjoint tangent through an activation followed by a narrow product, for a block of rows
   * in the tangent layout {@code (rows, m, cols)} of {@link #mulRepeated}: with
   * <pre>
   *   s[i,d,j]  = sum_{t &lt; n} a[i,d,t] b[t,j]  +  sum_{t &lt; n} c[i,t] e[t,d,j]
   *   z[i,d,j] (+)= f[i,j] s[i,d,j] + g[i,j] x[i,d,j]
   *   u[i,d,j]   = f[i,j] x[i,d,j]
   * </pre>
   * {@code a} is {@code rows x (m n)}, {@code b} is {@code n x cols}, {@code c} is
   * {@code rows x n} and {@code e} is {@code n x (m cols)}, all row-major. The second sum is
   * left out when {@code e} is null and {@code u} is not written when it is null. For {@code
   * Y = f(X) W}: {@code a = Ybardot}, {@code b = W^T}, {@code c = Ybar}, {@code e = Wdot^T},
   * {@code f = f'(X)}, {@code g = f''(X) Zbar}, {@code x = Xdot}, so {@code z} is {@code
   * Xbardot} and {@code u} the tangent of {@code f(X)}. One pass instead of two products with an
   * inner dimension of {@code n} (10 classes), each re-reading a {@code rows x m cols} buffer,
   * and two elementwise passes over {@code x}.
   */
  void activationAdjointTangent(int rows, int cols, int m, int n, double[] a, int aOff,
      double[] b, int bOff, double[] c, int cOff, double[] e, int eOff, double[] f, int fOff,
      double[] g, int gOff, double[] x, int xOff, double[] z, int zOff, boolean accumulate,
      double[] u, int uOff);

  /**
   * The tangent through an activation followed by a narrow product, for a block of rows: with
   * {@code x} in the tangent layout {@code (rows, m, cols)} of {@link #mulRepeated}
   * <pre>
   *   y[i,d,t] = sum_{j &lt; cols} x[i,d,j] (f[i,j] b[j,t])
   * </pre>
   * for {@code f} {@code rows x cols}, {@code b} {@code cols x n} and {@code y} {@code rows x
   * (m n)}, all row-major, {@code y} overwritten; each sum is one fused multiply-add chain over
   * {@code j}. For {@code Y = f(X) W}: {@code f = f'(X)}, {@code x = Xdot}, {@code b = W}, so
   * {@code y = (f'(X) Xdot) W}, the first term of {@code Ydot}, in one pass over {@code x}
   * without the {@code rows x m cols} buffer of {@code f'(X) Xdot} and a product with {@code n}
   * (10 classes) columns.
   */
  void activationTangent(int rows, int cols, int m, int n, double[] f, int fOff, double[] x,
      int xOff, double[] b, int bOff, double[] y, int yOff);

  /**
   * Row vector added to every row, out of place and repeated over {@code m} direction blocks:
   * {@code y[i,d,j] = x[i,d,j] + bias[d,j]} ({@code y} may be {@code x}).
   */
  void addRowVector(int rows, int cols, int m, double[] x, int xOff, double[] bias, int biasOff,
      double[] y, int yOff);

  /**
   * {@code z[i,d,:] (+)= f[i,:] * (u[i,d,:] - <p[i,:], u[i,d,:]>)} for {@code rows x cols}
   * factors {@code p}, {@code f} and {@code u}, {@code z} in tangent layout: a softmax Jacobian
   * ({@code f = p}), or a row-weighted one, applied to every direction in one pass.
   */
  void centredMulRepeated(int rows, int cols, int m, double[] p, int pOff, double[] f, int fOff,
      double[] u, int uOff, double[] z, int zOff, boolean accumulate);

  // ---- appended for the op set, part 2 (branch ops): transposes, blocks, powers ----

  /**
   * Transpose repeated over {@code m} directions in the tangent layout: {@code y[j,d,i] (+)=
   * x[i,d,j]} for {@code x} {@code rows x (m*cols)} (row {@code i}, direction {@code d}, column
   * {@code j} at {@code (i*m + d)*cols + j}) and {@code y} {@code cols x (m*rows)} (at {@code
   * (j*m + d)*rows + i}). With {@code m = 1} a plain transpose of a dense matrix.
   */
  void transposeRepeated(int rows, int cols, int m, double[] x, int xOff, double[] y, int yOff,
      boolean accumulate);

  /**
   * Copies a {@code rows x cols} block between two strided matrices: {@code y[i*ldy + j] (+)=
   * x[i*ldx + j]}. Slices and concatenations of matrices (and, with {@code rows*m} rows, of
   * their tangents) are such blocks.
   */
  void copyBlock(int rows, int cols, double[] x, int xOff, int ldx, double[] y, int yOff, int ldy,
      boolean accumulate);

  /**
   * {@code y = c * x^p} elementwise ({@link Math#pow} semantics), and {@code y = 0} wherever
   * {@code c == 0} (so a vanishing coefficient never meets {@code 0^-1 = inf}).
   */
  void power(int n, double c, double p, double[] x, int xOff, double[] y, int yOff);
}
