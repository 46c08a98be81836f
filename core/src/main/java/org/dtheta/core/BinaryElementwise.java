package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * {@code y = f(a, b)} entry by entry for two operands of one shape, written once for any such
 * {@code f} from its first partials {@code fa, fb} and second partials {@code faa, fab, fbb}:
 *
 * <pre>
 *   value            y        = f(a, b)
 *   tangent          ydot     = fa adot + fb bdot
 *   adjoint          abar    += fa ybar                            bbar += fb ybar
 *   adjoint tangent  abardot += fa ybardot + ybar (faa adot + fab bdot)
 *                    bbardot += fb ybardot + ybar (fab adot + fbb bdot)
 * </pre>
 *
 * Subclasses ({@link Multiply}, {@link Divide}) compute the value and the first partials in
 * {@link #forward()}, and {@code ybar} times each second partial on demand (or say that it is
 * zero). Inactive operands have no tangent and receive nothing.
 */
abstract class BinaryElementwise extends Op {

  /** The second partial derivatives of {@code f}. */
  enum Pair {
    AA,
    AB,
    BB
  }

  final Var a;
  final Var b;

  BinaryElementwise(Var out, Var a, Var b) {
    super(out, a, b);
    this.a = a;
    this.b = b;
  }

  /** {@code df/da} at every entry, valid after {@link #forward()}. */
  abstract double[] partialA();

  /** {@code df/db} at every entry, valid after {@link #forward()}. */
  abstract double[] partialB();

  /**
   * {@code ybar * d2f/(d.. d..)} for the given pair at every entry, or null when that second
   * partial is identically zero (then its terms are skipped).
   */
  abstract double[] weightedSecondPartial(Pair pair, double[] yBar);

  @Override
  final void jvp(int m) {
    int rows = out.rows;
    int cols = out.cols;
    if (a.active) {
      Kernels.mulRepeated(rows, cols, m, partialA(), 0, a.tangent, 0, out.tangent, 0, false);
    } else {
      Kernels.fill(out.size() * m, 0.0, out.tangent, 0);
    }
    if (b.active) {
      Kernels.mulRepeated(rows, cols, m, partialB(), 0, b.tangent, 0, out.tangent, 0, true);
    }
  }

  @Override
  final void vjp() {
    int n = out.size();
    if (a.active) {
      Kernels.mul(n, partialA(), 0, out.adjoint, 0, a.adjoint, 0, true);
    }
    if (b.active) {
      Kernels.mul(n, partialB(), 0, out.adjoint, 0, b.adjoint, 0, true);
    }
  }

  @Override
  final void vjpTangent(int m) {
    double[] yBar = out.adjoint;
    double[] cross = weightedSecondPartial(Pair.AB, yBar);
    if (a.active) {
      addTangentTerm(partialA(), out.adjointTangent, m, a.adjointTangent);
      addTangentTerm(weightedSecondPartial(Pair.AA, yBar), a.tangent, m, a.adjointTangent);
      if (b.active) {
        addTangentTerm(cross, b.tangent, m, a.adjointTangent);
      }
    }
    if (b.active) {
      addTangentTerm(partialB(), out.adjointTangent, m, b.adjointTangent);
      addTangentTerm(weightedSecondPartial(Pair.BB, yBar), b.tangent, m, b.adjointTangent);
      if (a.active) {
        addTangentTerm(cross, a.tangent, m, b.adjointTangent);
      }
    }
  }

  /** {@code target_d += factor * tangent_d}; a null factor stands for zero. */
  private void addTangentTerm(double[] factor, double[] tangent, int m, double[] target) {
    if (factor != null) {
      Kernels.mulRepeated(out.rows, out.cols, m, factor, 0, tangent, 0, target, 0, true);
    }
  }
}
