package org.dtheta.nn;

import org.dtheta.core.Ops;
import org.dtheta.core.Var;
import org.dtheta.core.sparse.CsrMatrix;

/**
 * The first-layer pre-activation {@code X W1 + 1 b1} of a net of any depth, through the
 * compressed-sparse-row affine op when most inputs are zero: the work and memory traffic then
 * scale with the lit pixels only, in every sweep, and the bias rides along in the product
 * instead of costing passes of its own over the {@code k x h1} tangents.
 */
final class FirstLayer {

  /** Inputs with more zeros than this go through the sparse product (MNIST: about 81% zeros). */
  static final double SPARSE_INPUT_ZERO_FRACTION = 0.5;

  private FirstLayer() {}

  /** {@code d}'s inputs in sparse form when they take the sparse product, else null. */
  static CsrMatrix sparseInputs(Dataset d) {
    return CsrMatrix.zeroFraction(d.x()) > SPARSE_INPUT_ZERO_FRACTION
        ? CsrMatrix.fromDense(d.x(), d.k(), d.inputs())
        : null;
  }

  /**
   * {@code X W1 + 1 b1}: by the sparse affine op on {@code sparseX} when it is not null, else by
   * the dense product of the constant {@code x}.
   */
  static Var affine(Var x, CsrMatrix sparseX, Var w1, Var b1) {
    if (sparseX != null) {
      return Ops.sparseAffine(sparseX, w1, b1);
    }
    return Ops.addRowBroadcast(Ops.matmul(x, w1), b1);
  }
}
