package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * Matrix product {@code C = op(A) op(B)} in three forms: {@code A B}, {@code A^T B} and
 * {@code A B^T}. Bilinear, so every rule is a matrix product again (JAX's {@code defbilinear}):
 *
 * <pre>
 *   value            C       = A B
 *   tangent          Cdot    = Adot B + A Bdot
 *   adjoint          Abar   += Cbar B^T            Bbar    += A^T Cbar
 *   adjoint tangent  Abardot += Cbardot B^T + Cbar Bdot^T
 *                    Bbardot += A^T Cbardot + Adot^T Cbar
 * </pre>
 *
 * (written for {@code A B}; the transposed forms follow by transposing the right factors).
 * With {@code m} directions in the tangent layout ({@code rows x m x cols}) most terms are one
 * product with {@code m} times more rows or columns. The terms that pair one direction's tangent
 * with a plain factor the other way round ({@code Cbar Bdot_d^T}, {@code Adot_d^T Cbar} and
 * their transposed-form kin) become one product too once the direction index is moved between
 * the outer and the middle place ({@link Kernels#transposeBlocks}): of the small operand before
 * the product, or of the small product after it; only the transposed-A form has to move a
 * {@code p x m x n} array.
 */
final class MatMul extends Op {

  /** Which operand is transposed. */
  enum Form {
    NN,
    TN,
    NT
  }

  /** Scratch slot: an operand with its direction index moved outside. */
  private static final int MOVED = 0;
  /** Scratch slot: a product over all directions, direction outside, before it is moved back. */
  private static final int PRODUCT = 1;

  private final Var a;
  private final Var b;
  private final Form form;
  /** C is p x n with inner dimension q. */
  private final int p;
  private final int q;
  private final int n;

  MatMul(Var out, Var a, Var b, Form form) {
    super(out, a, b);
    this.a = a;
    this.b = b;
    this.form = form;
    this.p = out.rows;
    this.n = out.cols;
    this.q = form == Form.TN ? a.rows : a.cols;
  }

  @Override
  String name() {
    switch (form) {
      case TN:
        return "matmul(A^T B)";
      case NT:
        return "matmul(A B^T)";
      default:
        return "matmul";
    }
  }

  @Override
  void forward() {
    switch (form) {
      case NN:
        Kernels.gemm(false, false, p, n, q, 1.0, a.value, 0, q, b.value, 0, n, 0.0, out.value, 0, n);
        break;
      case TN:
        Kernels.gemm(true, false, p, n, q, 1.0, a.value, 0, p, b.value, 0, n, 0.0, out.value, 0, n);
        break;
      default:
        Kernels.gemm(false, true, p, n, q, 1.0, a.value, 0, q, b.value, 0, q, 0.0, out.value, 0, n);
    }
  }

  @Override
  void jvp(int m) {
    double beta = 0.0;
    if (a.active) {
      switch (form) {
        case NN: // Adot B: Adot as (p m) x q
          Kernels.gemm(false, false, p * m, n, q, 1.0, a.tangent, 0, q, b.value, 0, n, 0.0, out.tangent, 0, n);
          break;
        case TN: { // Adot_d^T B for all d: Adot as q x (m p) gives (m, p, n); moved to (p, m, n)
          double[] product = scratch(PRODUCT, m * p * n);
          Kernels.gemm(true, false, m * p, n, q, 1.0, a.tangent, 0, m * p, b.value, 0, n, 0.0, product, 0, n);
          Kernels.transposeBlocks(m, p, n, product, 0, out.tangent, 0, false);
          break;
        }
        default: // Adot B^T: Adot as (p m) x q
          Kernels.gemm(false, true, p * m, n, q, 1.0, a.tangent, 0, q, b.value, 0, q, 0.0, out.tangent, 0, n);
      }
      beta = 1.0;
    }
    if (b.active) {
      switch (form) {
        case NN: // A Bdot: Bdot as q x (m n)
          Kernels.gemm(false, false, p, m * n, q, 1.0, a.value, 0, q, b.tangent, 0, m * n, beta, out.tangent, 0, m * n);
          break;
        case TN: // A^T Bdot
          Kernels.gemm(true, false, p, m * n, q, 1.0, a.value, 0, p, b.tangent, 0, m * n, beta, out.tangent, 0, m * n);
          break;
        default: { // A Bdot_d^T for all d: Bdot (n, m, q) moved to X = (m, n, q); Cdot as p x (m n) = A X^T
          double[] x = directionsOutside(b.tangent, n, m, q);
          Kernels.gemm(false, true, p, m * n, q, 1.0, a.value, 0, q, x, 0, q, beta, out.tangent, 0, m * n);
        }
      }
    }
  }

  @Override
  void vjp() {
    double[] cBar = out.adjoint;
    switch (form) {
      case NN:
        if (a.active) { // Abar += Cbar B^T
          Kernels.gemm(false, true, p, q, n, 1.0, cBar, 0, n, b.value, 0, n, 1.0, a.adjoint, 0, q);
        }
        if (b.active) { // Bbar += A^T Cbar
          Kernels.gemm(true, false, q, n, p, 1.0, a.value, 0, q, cBar, 0, n, 1.0, b.adjoint, 0, n);
        }
        break;
      case TN:
        if (a.active) { // Abar (q x p) += B Cbar^T
          Kernels.gemm(false, true, q, p, n, 1.0, b.value, 0, n, cBar, 0, n, 1.0, a.adjoint, 0, p);
        }
        if (b.active) { // Bbar += A Cbar
          Kernels.gemm(false, false, q, n, p, 1.0, a.value, 0, p, cBar, 0, n, 1.0, b.adjoint, 0, n);
        }
        break;
      default:
        if (a.active) { // Abar += Cbar B
          Kernels.gemm(false, false, p, q, n, 1.0, cBar, 0, n, b.value, 0, q, 1.0, a.adjoint, 0, q);
        }
        if (b.active) { // Bbar (n x q) += Cbar^T A
          Kernels.gemm(true, false, n, q, p, 1.0, cBar, 0, n, a.value, 0, q, 1.0, b.adjoint, 0, q);
        }
    }
  }

  /** Every active input's first term overwrites an unset adjoint tangent. */
  @Override
  boolean writesFreshAdjointTangents() {
    return true;
  }

  @Override
  void vjpTangent(int m) {
    double[] cBar = out.adjoint;
    double[] cBarDot = out.adjointTangent;
    switch (form) {
      case NN:
        if (a.active) {
          // Abardot += Cbardot B^T, Cbardot as (p m) x n
          Kernels.gemm(false, true, p * m, q, n, 1.0, cBarDot, 0, n, b.value, 0, n, firstBeta(a), a.adjointTangent, 0, q);
          if (b.active) { // += Cbar Bdot_d^T for all d: Bdot (q, m, n) moved to X = (m, q, n), Cbar X^T
            double[] x = directionsOutside(b.tangent, q, m, n);
            Kernels.gemm(false, true, p, m * q, n, 1.0, cBar, 0, n, x, 0, n, 1.0, a.adjointTangent, 0, m * q);
          }
        }
        if (b.active) {
          // Bbardot += A^T Cbardot, Cbardot as p x (m n)
          Kernels.gemm(true, false, q, m * n, p, 1.0, a.value, 0, q, cBarDot, 0, m * n, firstBeta(b), b.adjointTangent, 0, m * n);
          if (a.active) { // += Adot_d^T Cbar for all d: Adot as p x (m q) gives (m, q, n)
            double[] product = scratch(PRODUCT, m * q * n);
            Kernels.gemm(true, false, m * q, n, p, 1.0, a.tangent, 0, m * q, cBar, 0, n, 0.0, product, 0, n);
            Kernels.transposeBlocks(m, q, n, product, 0, b.adjointTangent, 0, true);
          }
        }
        break;
      case TN:
        if (a.active) {
          // Abardot (q x p) += B Cbardot_d^T for all d: Cbardot (p, m, n) moved to W = (m, p, n),
          // Abardot as q x (m p) += B W^T
          double[] w = directionsOutside(cBarDot, p, m, n);
          Kernels.gemm(false, true, q, m * p, n, 1.0, b.value, 0, n, w, 0, n, firstBeta(a), a.adjointTangent, 0, m * p);
          if (b.active) { // += Bdot Cbar^T, Bdot as (q m) x n
            Kernels.gemm(false, true, q * m, p, n, 1.0, b.tangent, 0, n, cBar, 0, n, 1.0, a.adjointTangent, 0, p);
          }
        }
        if (b.active) {
          // Bbardot += A Cbardot + Adot Cbar
          Kernels.gemm(false, false, q, m * n, p, 1.0, a.value, 0, p, cBarDot, 0, m * n, firstBeta(b), b.adjointTangent, 0, m * n);
          if (a.active) { // Adot as (q m) x p
            Kernels.gemm(false, false, q * m, n, p, 1.0, a.tangent, 0, p, cBar, 0, n, 1.0, b.adjointTangent, 0, n);
          }
        }
        break;
      default:
        if (a.active) {
          // Abardot += Cbardot B + Cbar Bdot
          Kernels.gemm(false, false, p * m, q, n, 1.0, cBarDot, 0, n, b.value, 0, q, firstBeta(a), a.adjointTangent, 0, q);
          if (b.active) { // Bdot as n x (m q)
            Kernels.gemm(false, false, p, m * q, n, 1.0, cBar, 0, n, b.tangent, 0, m * q, 1.0, a.adjointTangent, 0, m * q);
          }
        }
        if (b.active) {
          // Bbardot (n x q) += Cbardot_d^T A for all d: Cbardot as p x (m n) gives (m, n, q),
          // moved to (n, m, q)
          double[] product = scratch(PRODUCT, m * n * q);
          Kernels.gemm(true, false, m * n, q, p, 1.0, cBarDot, 0, m * n, a.value, 0, q, 0.0, product, 0, q);
          Kernels.transposeBlocks(m, n, q, product, 0, b.adjointTangent, 0, accumulates(b));
          if (a.active) { // += Cbar^T Adot, Adot as p x (m q)
            Kernels.gemm(true, false, n, m * q, p, 1.0, cBar, 0, n, a.tangent, 0, m * q, 1.0, b.adjointTangent, 0, m * q);
          }
        }
    }
  }

  /**
   * A tangent-layout array {@code (rows, m, cols)} copied with the direction index outside,
   * {@code (m, rows, cols)}: read as {@code (m rows) x cols}, it is every direction's matrix
   * stacked, which a single product can use.
   */
  private double[] directionsOutside(double[] tangentLayout, int rows, int m, int cols) {
    double[] moved = scratch(MOVED, rows * m * cols);
    Kernels.transposeBlocks(rows, m, cols, tangentLayout, 0, moved, 0, false);
    return moved;
  }
}
