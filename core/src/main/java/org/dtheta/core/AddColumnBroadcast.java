package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * {@code Y = A + b 1^T}: a {@code rows x 1} column {@code b} added to every column of {@code A},
 * the counterpart of {@link AddRowBroadcast}. Linear; the transpose of broadcasting over
 * columns is summing over columns:
 *
 * <pre>
 *   value            Y        = A + b 1^T
 *   tangent          Ydot     = Adot + bdot 1^T
 *   adjoint          Abar    += Ybar            bbar    += Ybar 1      (row sums)
 *   adjoint tangent  Abardot += Ybardot         bbardot += Ybardot 1
 * </pre>
 *
 * In the tangent layout a {@code rows x (m cols)} tangent is a {@code (rows m) x cols} matrix
 * whose row {@code i*m + d} is row {@code i}, direction {@code d}, and the column's tangent
 * ({@code rows x m}) holds its entry for that row at {@code i*m + d}: every rule is the value's
 * rule on {@code rows*m} rows.
 */
final class AddColumnBroadcast extends Op {

  private final Var a;
  private final Var column;

  AddColumnBroadcast(Var out, Var a, Var column) {
    super(out, a, column);
    this.a = a;
    this.column = column;
  }

  @Override
  String name() {
    return "addColumnBroadcast";
  }

  @Override
  void forward() {
    Kernels.copy(a.size(), a.value, 0, out.value, 0);
    Kernels.addColumnVector(a.rows, a.cols, 1.0, column.value, 0, out.value, 0);
  }

  @Override
  void jvp(int m) {
    int n = a.size() * m;
    if (a.active) {
      Kernels.copy(n, a.tangent, 0, out.tangent, 0);
    } else {
      Kernels.fill(n, 0.0, out.tangent, 0);
    }
    if (column.active) {
      Kernels.addColumnVector(a.rows * m, a.cols, 1.0, column.tangent, 0, out.tangent, 0);
    }
  }

  @Override
  void vjp() {
    if (a.active) {
      Kernels.axpy(a.size(), 1.0, out.adjoint, 0, a.adjoint, 0);
    }
    if (column.active) {
      Kernels.sumRowsInto(a.rows, a.cols, out.adjoint, 0, a.cols, column.adjoint, 0);
    }
  }

  @Override
  void vjpTangent(int m) {
    if (a.active) {
      Kernels.axpy(a.size() * m, 1.0, out.adjointTangent, 0, a.adjointTangent, 0);
    }
    if (column.active) {
      Kernels.sumRowsInto(a.rows * m, a.cols, out.adjointTangent, 0, a.cols,
          column.adjointTangent, 0);
    }
  }
}
