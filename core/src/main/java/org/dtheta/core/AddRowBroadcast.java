package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * {@code Y = A + 1 b}: a {@code 1 x cols} row {@code b} added to every row of {@code A} (a bias).
 * Linear; the transpose of broadcasting over rows is summing over rows:
 *
 * <pre>
 *   value            Y        = A + 1 b
 *   tangent          Ydot     = Adot + 1 bdot
 *   adjoint          Abar    += Ybar            bbar    += 1^T Ybar  (column sums)
 *   adjoint tangent  Abardot += Ybardot         bbardot += 1^T Ybardot
 * </pre>
 */
final class AddRowBroadcast extends Op {

  private final Var a;
  private final Var bias;

  AddRowBroadcast(Var out, Var a, Var bias) {
    super(out, a, bias);
    this.a = a;
    this.bias = bias;
  }

  @Override
  String name() {
    return "addRowBroadcast";
  }

  @Override
  void forward() {
    Kernels.copy(a.size(), a.value, 0, out.value, 0);
    Kernels.addRowVector(a.rows, a.cols, 1, bias.value, 0, out.value, 0);
  }

  @Override
  void jvp(int m) {
    int n = a.size() * m;
    if (!bias.active) {
      Kernels.copy(n, a.tangent, 0, out.tangent, 0);
    } else if (a.active) {
      Kernels.addRowVector(a.rows, a.cols, m, a.tangent, 0, bias.tangent, 0, out.tangent, 0);
    } else {
      Kernels.fill(n, 0.0, out.tangent, 0);
      Kernels.addRowVector(a.rows, a.cols, m, bias.tangent, 0, out.tangent, 0);
    }
  }

  @Override
  void vjp() {
    if (a.active) {
      Kernels.axpy(a.size(), 1.0, out.adjoint, 0, a.adjoint, 0);
    }
    if (bias.active) {
      Kernels.sumColumnsInto(a.rows, a.cols, out.adjoint, 0, a.cols, bias.adjoint, 0);
    }
  }

  @Override
  boolean writesFreshAdjointTangents() {
    return true;
  }

  @Override
  void vjpTangent(int m) {
    if (a.active) {
      int n = a.size() * m;
      if (accumulates(a)) {
        Kernels.axpy(n, 1.0, out.adjointTangent, 0, a.adjointTangent, 0);
      } else {
        Kernels.copy(n, out.adjointTangent, 0, a.adjointTangent, 0);
      }
    }
    if (bias.active) {
      if (!accumulates(bias)) {
        Kernels.fill(a.cols * m, 0.0, bias.adjointTangent, 0);
      }
      Kernels.sumColumnsInto(a.rows, a.cols * m, out.adjointTangent, 0, a.cols * m,
          bias.adjointTangent, 0);
    }
  }
}
